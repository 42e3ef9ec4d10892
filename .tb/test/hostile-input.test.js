// Hostile input on every operation of the OpenAPI document (support/operations.ts): in
// every body field it documents, in its path and query parameters, as malformed bodies and
// headers. Each answer comes within 10 s (sendRaw rejects otherwise), is never a 5xx, is
// JSON, and a refusal has a `message` and a `code` and leaks nothing internal.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { describeOperation, documentedOperations, fillPath } from './support/operations.js';
import { sendRaw } from './support/raw-http.js';
import { request, signUp, startServer } from './support/server.js';
const STRINGS = [
    "' OR '1'='1' --", 'a@b.co\'; DROP TABLE users; --', '"; SELECT * FROM sessions; --', '%00', '\u0000',
    'a@b.co\r\nBcc: victim@example.com', '\u202eevil@example.com', 'zero\u200bwidth@example.com', '😀@😀.de',
    'e\u0301\u0301\u0301@example.com', '<script>alert(1)</script>', '${jndi:ldap://x}', '../../etc/passwd', 'x'.repeat(20000)
];
const VALUES = [null, true, 0, -1, 1e308, [], ['a', 'b'], {}, { $ne: null }, { toString: 'x' }];
// Names older clients or attackers send whatever the route documents.
const EXTRA_FIELDS = ['email', 'password', 'hashed_password', 'reset_token', 'new_password', 'current_password'];
function answerOf(reply) {
    let body;
    try {
        body = reply.text === '' ? undefined : JSON.parse(reply.text);
    }
    catch {
        body = undefined;
    }
    return { status: reply.status, type: String(reply.headers['content-type'] ?? ''), text: reply.text, body };
}
function assertClean(answer, what) {
    assert.ok(answer.status >= 200 && answer.status < 500, `${what}: status ${answer.status} ${answer.text.slice(0, 200)}`);
    if (answer.status === 204)
        return;
    assert.match(answer.type, /^application\/json/, what);
    assert.equal(typeof answer.body, 'object', `${what}: ${answer.text.slice(0, 200)}`);
    if (answer.status >= 400) {
        assert.equal(typeof answer.body.message, 'string', what);
        assert.match(String(answer.body.code), /^[a-z_]+$/, `${what}: a code`);
        assert.doesNotMatch(answer.text, /at \w+ \(|node_modules|SQLITE|stack/i, `${what}: leaks internals`);
    }
}
async function send(server, operation, { path, body, encoding = 'json', token, headers = {} }) {
    let bytes;
    const all = { ...headers };
    if (body !== undefined) {
        if (encoding === 'json') {
            bytes = Buffer.from(JSON.stringify(body));
            all['content-type'] ??= 'application/json';
        }
        else {
            const form = new URLSearchParams();
            for (const [name, value] of Object.entries(body))
                form.append(name, typeof value === 'string' ? value : JSON.stringify(value));
            bytes = Buffer.from(form.toString());
            all['content-type'] ??= 'application/x-www-form-urlencoded';
        }
    }
    if (token !== undefined)
        all['x-session-id'] = token;
    return answerOf(await sendRaw(server.url, { method: operation.method, path, headers: all, body: bytes }));
}
describe('hostile input on every operation of the OpenAPI document', () => {
    let server;
    let operations;
    /** A signed-in user, made again once an operation ended its session or its account. */
    let user;
    /** An operation other than a GET succeeded: it may have ended the session. */
    let changed = false;
    before(async () => {
        server = await startServer();
        operations = await documentedOperations(server);
    });
    after(async () => { await server.close(); });
    async function currentUser() {
        if (user === undefined || (changed && (await request(server, 'GET', '/profile', undefined, { session: user.token, transport: 'header' })).status !== 200)) {
            user = await signUp(server);
        }
        changed = false;
        return user;
    }
    /** send(), noting a success that may have ended the user's session. */
    async function sendAs(operation, options) {
        const answer = await send(server, operation, options);
        if (operation.method !== 'GET' && answer.status < 300)
            changed = true;
        return answer;
    }
    const ownPath = (operation, id) => fillPath(operation, param => param.type === 'integer' ? String(id) : 'x');
    it('reads its operations from /openapi.json: all of them', () => {
        assert.ok(operations.length >= 30, operations.map(describeOperation).join(', '));
        for (const name of ['GET /', 'POST /users', 'PUT /users/{id}', 'POST /sessions/passkey', 'GET /account/events', 'DELETE /account/passkeys/{id}']) {
            assert.ok(operations.some(operation => describeOperation(operation) === name), name);
        }
    });
    it('injection strings and unicode in every field, path and query parameter are answered cleanly', async () => {
        // Half the strings per operation, the other half on the next one: every string reaches
        // half the operations in each encoding, every operation gets seven, and the file stays quick.
        for (const [index, operation] of operations.entries()) {
            for (const [i, value] of STRINGS.entries()) {
                if ((i + index) % 2 !== 0)
                    continue;
                const me = await currentUser();
                const fields = operation.hasBody ? [...new Set([...operation.bodyFields, ...EXTRA_FIELDS])] : [];
                const body = fields.length === 0 ? undefined : Object.fromEntries(fields.map(field => [field, value]));
                const query = operation.queryParams.map(name => `${name}=${encodeURIComponent(value)}`).join('&');
                const path = ownPath(operation, me.id) + (query === '' ? '' : `?${query}`);
                const what = `${describeOperation(operation)} ${JSON.stringify(value).slice(0, 40)}`;
                assertClean(await sendAs(operation, { path, body, encoding: Math.floor(i / 2) % 2 === 0 ? 'json' : 'form', token: me.token }), what);
                if (operation.pathParams.length > 0) {
                    const hostilePath = fillPath(operation, () => value);
                    assertClean(await sendAs(operation, { path: hostilePath, token: me.token }), `${what} in the path`);
                }
            }
        }
    });
    it('values of every JSON type in every body field are a 400 naming the field', async () => {
        for (const operation of operations.filter(o => o.hasBody && o.bodyFields.length > 0)) {
            for (const value of VALUES) {
                const me = await currentUser();
                const body = Object.fromEntries(operation.bodyFields.map(field => [field, value]));
                const what = `${describeOperation(operation)} ${JSON.stringify(value)}`;
                const answer = await sendAs(operation, { path: ownPath(operation, me.id), body, token: me.token });
                assertClean(answer, what);
                assert.equal(answer.status, 400, `${what}: ${answer.text}`);
                assert.equal(answer.body.code, 'invalid_field', what);
                const named = new RegExp(`^(${operation.bodyFields.join('|')}|request body)\\b`);
                assert.match(answer.body.message, named, what);
            }
        }
        const profile = await request(server, 'GET', '/profile', undefined, { session: (await currentUser()).token });
        assert.equal(profile.status, 200, 'nothing was changed');
    });
    it('prototype-poisoning JSON is refused on every operation that reads a body', async () => {
        const me = await currentUser();
        for (const operation of operations.filter(o => o.hasBody)) {
            for (const payload of ['{"__proto__": {"admin": true}, "email": "a@b.co", "password": "long enough pw"}',
                '{"constructor": {"prototype": {"admin": true}}, "email": "a@b.co", "password": "long enough pw"}']) {
                const answer = answerOf(await sendRaw(server.url, { method: operation.method, path: ownPath(operation, me.id), headers: { 'content-type': 'application/json', 'x-session-id': me.token }, body: Buffer.from(payload) }));
                assertClean(answer, `${describeOperation(operation)} ${payload}`);
                assert.equal(answer.status, 400, `${describeOperation(operation)} ${payload}`);
            }
        }
        assert.equal({}.admin, undefined);
    });
    it('broken encodings, charsets and headers never reach a 500 on any operation', async () => {
        const cases = [
            ['email=%zz&password=%', { 'content-type': 'application/x-www-form-urlencoded' }],
            ['email=a%40b.co&email=c%40d.co&password=x', { 'content-type': 'application/x-www-form-urlencoded' }],
            ['\xff\xfe{"email":1}', { 'content-type': 'application/json' }],
            ['{"email":"a@b.co"}', { 'content-type': 'application/json; charset=utf-16' }],
            ['{"email":"a@b.co"}', { 'content-type': 'application/xml' }],
            ['{"email":"a@b.co"}', { 'content-type': 'multipart/form-data; boundary=x' }],
            [undefined, { cookie: 'session_id=%%%; session_id=x; =; ;;' }],
            [undefined, { cookie: `session_id=${'A'.repeat(8000)}` }],
            [undefined, { 'x-session-id': 'A'.repeat(8000) }],
            [undefined, { 'x-session-id': "' OR 1=1 --" }],
            [undefined, { prefer: 'return=minimal', 'x-session-id': 'nope' }]
        ];
        for (const operation of operations) {
            for (const [payload, headers] of cases) {
                const answer = answerOf(await sendRaw(server.url, { method: operation.method, path: ownPath(operation, 1), headers, body: payload === undefined ? undefined : Buffer.from(payload, 'latin1') }));
                assertClean(answer, `${describeOperation(operation)} ${JSON.stringify(headers)}`);
            }
        }
    });
    it('the server answers normally after all of it', async () => {
        const reply = await request(server, 'GET', '/');
        assert.deepEqual([reply.status, reply.body], [200, { message: 'Bienvenue' }]);
    });
});
