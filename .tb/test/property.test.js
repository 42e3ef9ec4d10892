// Property-based tests (fast-check): arbitrary bodies, content types, headers, session
// ids and path parameters sent to every operation of the service's own OpenAPI document
// (support/operations.ts: a new route is covered with nothing to edit) over real HTTP
// (node:http, so repeated headers, raw bytes and unencoded paths get through). Whatever
// arrives, the service answers within 10 s, without a 5xx, in JSON (an object; 4xx with a
// string `message` and `code`), except a bodiless 204.
//
// fast-check prints the seed and path of a failure; to replay one, run with FC_SEED=<seed>.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { describeOperation, documentedOperations } from './support/operations.js';
import { sendRaw } from './support/raw-http.js';
import { PASSWORD, request, signUp, startServer, uniqueEmail } from './support/server.js';
const SEED = process.env.FC_SEED === undefined || process.env.FC_SEED === '' ? undefined : Number(process.env.FC_SEED);
if (SEED !== undefined && !Number.isInteger(SEED))
    throw new Error(`FC_SEED must be an integer, not ${String(process.env.FC_SEED)}`);
if (SEED !== undefined)
    console.log(`fast-check seed (FC_SEED): ${SEED}`);
// Runs per operation (there are some 35): every one is covered, and the file stays quick.
const RUNS_PER_OPERATION = 20;
const FIELD_RUNS_PER_OPERATION = 10;
const FIELD_NAMES = ['email', 'password', 'hashed_password', 'new_password', 'reset_token', 'current_password'];
// Stand-ins, resolved when the request is sent, for what a signed-in test user really has.
const OWN_EMAIL = Symbol('own email');
const OWN_PASSWORD = Symbol('own password');
const TOKEN_CHARS = '!#$%&\'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
const BASE64URL_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('');
const charIn = (from, to) => fc.integer({ min: from, max: to }).map(code => String.fromCharCode(code));
/** A header value node:http (and fetch) will send: tab, printable ASCII, Latin-1 0x80–0xFF. */
const headerValue = (maxLength = 40) => fc.string({
    unit: fc.oneof({ arbitrary: charIn(0x20, 0x7e), weight: 12 }, { arbitrary: charIn(0x80, 0xff), weight: 2 }, { arbitrary: fc.constant('\t'), weight: 1 }),
    maxLength
});
/** A long header value, 2,000 to 20,000 characters: past 16 KiB of headers Node answers 431. */
const longHeaderValue = fc.tuple(headerValue(8), fc.integer({ min: 2000, max: 20_000 })).map(([unit, length]) => (unit === '' ? 'A' : unit).repeat(length).slice(0, length));
const headerToken = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 20 });
/** 43 base64url characters: the shape of a real session token, so it reaches the database. */
const wellFormedToken = fc.string({ unit: fc.constantFrom(...BASE64URL_CHARS), minLength: 43, maxLength: 43 });
const loneSurrogates = fc.string({ unit: charIn(0xd800, 0xdfff), minLength: 1, maxLength: 4 });
const anyString = fc.oneof({ arbitrary: fc.string(), weight: 4 }, { arbitrary: fc.string({ unit: 'binary' }), weight: 2 }, { arbitrary: fc.string({ unit: 'binary-ascii' }), weight: 2 }, { arbitrary: fc.string({ unit: 'grapheme' }), weight: 1 }, { arbitrary: fc.tuple(fc.string(), loneSurrogates, fc.string()).map(parts => parts.join('')), weight: 1 });
const plausibleEmail = fc.tuple(fc.constantFrom('', ' ', '\t', '\n'), fc.stringMatching(/^[a-zA-Z0-9._%+-]{1,20}$/), fc.constantFrom('example.com', 'EXAMPLE.com', 'b.co', 'example', 'ex--ample.org', '-x.com', 'x..com', '[127.0.0.1]'), fc.constantFrom('', ' ', '\u00a0', '\u0000')).map(([lead, local, domain, trail]) => `${lead}${local}@${domain}${trail}`);
const plausiblePassword = fc.oneof(fc.string({ minLength: 8, maxLength: 40 }), fc.string({ unit: 'grapheme', minLength: 8, maxLength: 20 }), fc.constantFrom('password', 'password123', '12345678', 'x'.repeat(1024), 'x'.repeat(1025), ' '.repeat(8), 'ﬀﬀﬀﬀ'));
const fieldValue = fc.oneof({ arbitrary: anyString, weight: 5 }, { arbitrary: fc.jsonValue(), weight: 3 }, { arbitrary: plausibleEmail, weight: 2 }, { arbitrary: plausiblePassword, weight: 2 }, { arbitrary: wellFormedToken, weight: 1 }, { arbitrary: fc.constantFrom(OWN_EMAIL, OWN_PASSWORD), weight: 2 });
const fieldName = fc.oneof({ arbitrary: fc.constantFrom(...FIELD_NAMES), weight: 12 }, { arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'id', 'password_hash', 'EMAIL', 'email ', ''), weight: 2 }, { arbitrary: anyString, weight: 1 });
/** Field sets shaped like real requests (registration, login, reset, account change), so
 *  runs get past validation to hashing, the database and the session store. */
const emailish = fc.oneof({ arbitrary: plausibleEmail, weight: 3 }, { arbitrary: fc.constant(OWN_EMAIL), weight: 2 }, { arbitrary: fieldValue, weight: 1 });
const passwordish = fc.oneof({ arbitrary: plausiblePassword, weight: 3 }, { arbitrary: fc.constant(OWN_PASSWORD), weight: 2 }, { arbitrary: fieldValue, weight: 1 });
const credentials = fc.tuple(emailish, fc.constantFrom('password', 'hashed_password'), passwordish).map(([email, name, password]) => [['email', email], [name, password]]);
const SHAPES = {
    'POST /users': credentials,
    'POST /sessions': fc.oneof(credentials, fc.constant([['email', OWN_EMAIL], ['password', OWN_PASSWORD]])),
    'POST /reset_password': emailish.map((email) => [['email', email]]),
    'PUT /reset_password': fc.tuple(emailish, fc.oneof(wellFormedToken, fieldValue), passwordish)
        .map(([email, token, password]) => [['email', email], ['reset_token', token], ['new_password', password]]),
    'PUT /users/{id}': fc.oneof(emailish.map((email) => [['email', email]]), fc.tuple(passwordish, passwordish).map(([password, current]) => [['password', password], ['current_password', current]]))
};
/** The fields a route documents, any value in each. */
const documentedEntries = (route) => route.bodyFields.length === 0
    ? credentials
    : fc.array(fc.tuple(fc.constantFrom(...route.bodyFields), fc.oneof(fieldValue, emailish, passwordish)), { minLength: 1, maxLength: route.bodyFields.length + 1 });
/** The fields a route reads, shaped like real requests, now and then with one field more. */
const requestShapedEntries = (route) => fc.tuple(SHAPES[describeOperation(route)] ?? documentedEntries(route), fc.oneof({ arbitrary: fc.constant([]), weight: 5 }, { arbitrary: fc.array(fc.tuple(fieldName, fieldValue), { minLength: 1, maxLength: 1 }), weight: 1 })).map(([entries, extra]) => [...entries, ...extra]);
const body = fc.oneof({ arbitrary: fc.constant({ kind: 'none' }), weight: 2 }, { arbitrary: fc.record({ kind: fc.constant('json'), value: fc.jsonValue() }), weight: 3 }, {
    arbitrary: fc.record({
        kind: fc.constant('fields'),
        encoding: fc.constantFrom('json', 'form'),
        entries: fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 6 })
    }),
    weight: 8
}, { arbitrary: fc.record({ kind: fc.constant('text'), text: anyString }), weight: 3 }, { arbitrary: fc.record({ kind: fc.constant('bytes'), bytes: fc.uint8Array({ maxLength: 64 }) }), weight: 1 }, {
    arbitrary: fc.record({ kind: fc.constant('large'), encoding: fc.constantFrom('json', 'form'), size: fc.integer({ min: 60 * 1024, max: 70 * 1024 }) }),
    weight: 1
});
const MEDIA_TYPES = [
    'application/json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data', 'multipart/form-data; boundary=----x',
    'application/xml', 'application/octet-stream', 'text/html', 'application/vnd.api+json', 'application/merge-patch+json', 'application/jsonx',
    'APPLICATION/JSON', 'Application/X-WWW-Form-Urlencoded', 'json', '*/*', 'application/', '/json', ';', ''
];
const CHARSETS = ['utf-8', 'UTF-8', '"utf-8"', 'utf-16', 'utf-16le', 'latin1', 'iso-8859-1', 'us-ascii', 'klingon', ''];
const contentType = fc.oneof({ arbitrary: fc.constant('natural'), weight: 6 }, { arbitrary: fc.constant('none'), weight: 1 }, { arbitrary: fc.constantFrom(...MEDIA_TYPES).map(value => ({ value })), weight: 3 }, {
    arbitrary: fc.tuple(fc.constantFrom(...MEDIA_TYPES), fc.constantFrom('; ', ';', ' ; '), fc.constantFrom(...CHARSETS))
        .map(([type, separator, charset]) => ({ value: `${type}${separator}charset=${charset}` })),
    weight: 2
}, { arbitrary: fc.tuple(fc.constantFrom(...MEDIA_TYPES), headerValue()).map(([type, rest]) => ({ value: `${type}${rest}` })), weight: 1 }, { arbitrary: headerValue().map(value => ({ value })), weight: 1 });
const sessionValue = fc.oneof({ arbitrary: headerValue(), weight: 4 }, { arbitrary: wellFormedToken, weight: 2 }, { arbitrary: longHeaderValue, weight: 1 });
const transport = fc.constantFrom('cookie', 'header');
const session = fc.oneof({ arbitrary: fc.constant({ kind: 'none' }), weight: 3 }, { arbitrary: fc.record({ kind: fc.constant('cookie'), value: sessionValue }), weight: 2 }, { arbitrary: fc.record({ kind: fc.constant('cookie-header'), value: headerValue(80) }), weight: 1 }, { arbitrary: fc.record({ kind: fc.constant('header'), value: sessionValue }), weight: 2 }, { arbitrary: fc.record({ kind: fc.constant('both'), header: sessionValue, cookie: sessionValue }), weight: 1 }, { arbitrary: fc.record({ kind: fc.constant('valid'), transport }), weight: 4 }, { arbitrary: fc.record({ kind: fc.constant('valid'), transport, other: headerValue() }), weight: 1 }, { arbitrary: fc.record({ kind: fc.constant('ended'), transport }), weight: 1 });
/** Every UTF-8 byte (lone surrogates become U+FFFD) outside the unreserved set as %XX. */
function percentEncode(text) {
    return [...Buffer.from(text)].map(byte => /[A-Za-z0-9._~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}
const pathSafe = (maxLength) => fc.string({ unit: charIn(0x21, 0x7e), maxLength });
const userId = fc.oneof({ arbitrary: fc.constant({ kind: 'own' }), weight: 4 }, {
    arbitrary: fc.oneof(fc.integer().map(String), fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String), fc.constantFrom('0', '-1', '01', '1.0', '1e3', '0x1', '+1', 'NaN', 'Infinity', '9'.repeat(40), '%20', '%00', '.', '..', '%2e%2e', '%2F', '1%2F2', '%E0%A4%A', '%', '%%', ''), anyString.map(percentEncode), pathSafe(30)).map(text => ({ kind: 'given', text })),
    weight: 3
});
const query = fc.oneof({ arbitrary: fc.constant(''), weight: 4 }, { arbitrary: pathSafe(30).map(text => `?${text}`), weight: 1 });
const KNOWN_HEADERS = [
    'prefer', 'cookie', 'x-session-id', 'content-type', 'accept', 'accept-encoding', 'accept-language', 'accept-version',
    'user-agent', 'origin', 'referer', 'authorization', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-real-ip',
    'forwarded', 'content-encoding', 'content-language', 'range', 'if-none-match', 'if-modified-since', 'cache-control', 'x-http-method-override'
];
// Framing and connection headers are the client's business here: a wrong Content-Length
// would only make the request hang. `Expect` has a property of its own below.
const NOT_GENERATED = new Set(['content-length', 'transfer-encoding', 'host', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'proxy-connection', 'http2-settings', 'expect']);
const preferValue = fc.oneof({ arbitrary: fc.constantFrom('return=minimal', 'return=representation', 'RETURN=MINIMAL', 'respond-async, return=minimal', 'return=minimal; x', 'return=minimalist', 'handling=strict'), weight: 3 }, { arbitrary: headerValue(), weight: 1 });
const extraHeaders = fc.array(fc.oneof({ arbitrary: fc.tuple(fc.constantFrom(...KNOWN_HEADERS), fc.oneof({ arbitrary: headerValue(), weight: 6 }, { arbitrary: preferValue, weight: 1 }, { arbitrary: wellFormedToken.map(token => `session_id=${token}`), weight: 1 }, { arbitrary: longHeaderValue, weight: 1 })), weight: 4 }, { arbitrary: fc.tuple(headerToken.filter(name => !NOT_GENERATED.has(name.toLowerCase())), headerValue()), weight: 1 }, { arbitrary: fc.tuple(fc.constant('prefer'), preferValue), weight: 2 }), { maxLength: 4 });
const anyCaseOf = (route) => fc.record({ route: fc.constant(route), id: userId, query, body, contentType, session, headers: extraHeaders });
// ---------------------------------------------------------------- the checks
function describeReply(reply) {
    return `${reply.status} content-type=${JSON.stringify(reply.headers['content-type'])} body=${JSON.stringify(reply.text.slice(0, 300))}`;
}
/** The properties every answer must have, whatever was sent. */
function assertWellFormed(reply, what) {
    assert.ok(reply.status >= 200 && reply.status < 500, `${what}: a ${reply.status} answer: ${describeReply(reply)}`);
    if (reply.status === 204) {
        assert.equal(reply.text, '', `${what}: a 204 with a body: ${describeReply(reply)}`);
        return;
    }
    assert.match(String(reply.headers['content-type'] ?? ''), /^application\/json/, `${what}: not JSON: ${describeReply(reply)}`);
    let parsed;
    try {
        parsed = JSON.parse(reply.text);
    }
    catch {
        assert.fail(`${what}: the body does not parse as JSON: ${describeReply(reply)}`);
    }
    assert.ok(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed), `${what}: the body is not a JSON object: ${describeReply(reply)}`);
    if (reply.status >= 400) {
        assert.equal(typeof parsed.message, 'string', `${what}: a ${reply.status} without a string message: ${describeReply(reply)}`);
        assert.match(String(parsed.code), /^[a-z_]+$/, `${what}: a ${reply.status} without a code: ${describeReply(reply)}`);
    }
}
describe('property: any request to any route gets a well-formed answer', () => {
    let server;
    let routes;
    /** A signed-in user for 'own' ids, valid sessions and own credentials; made again once a run ends it. */
    let current;
    const endedTokens = [];
    /** status counts per route, to show what the runs reached */
    const statuses = new Map();
    before(async () => {
        server = await startServer();
        routes = await documentedOperations(server);
    });
    after(async () => { await server.close(); });
    async function identity() {
        if (current === undefined) {
            const user = await signUp(server, uniqueEmail('property'), PASSWORD);
            current = { ...user, password: PASSWORD };
        }
        return current;
    }
    function needsIdentity(c) {
        const inBody = c.body.kind === 'fields' && c.body.entries.some(([, value]) => value === OWN_EMAIL || value === OWN_PASSWORD);
        return inBody || c.session.kind === 'valid' || (c.route.pathParams.length > 0 && c.id.kind === 'own');
    }
    function resolveValue(value, me) {
        if (value === OWN_EMAIL)
            return me?.email;
        if (value === OWN_PASSWORD)
            return me?.password;
        return value;
    }
    function bodyBytes(b, me) {
        switch (b.kind) {
            case 'none': return {};
            case 'json': return { bytes: Buffer.from(JSON.stringify(b.value)), type: 'application/json' };
            case 'fields':
                if (b.encoding === 'json') {
                    // Written out by hand so that repeated names and "__proto__" go out as generated.
                    const members = b.entries.map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(resolveValue(value, me))}`);
                    return { bytes: Buffer.from(`{${members.join(',')}}`), type: 'application/json' };
                }
                else {
                    const form = new URLSearchParams();
                    for (const [name, value] of b.entries) {
                        const resolved = resolveValue(value, me);
                        for (const item of Array.isArray(resolved) ? resolved : [resolved])
                            form.append(name, typeof item === 'string' ? item : JSON.stringify(item));
                    }
                    return { bytes: Buffer.from(form.toString()), type: 'application/x-www-form-urlencoded' };
                }
            case 'text': return { bytes: Buffer.from(b.text), type: 'text/plain' };
            case 'bytes': return { bytes: Buffer.from(b.bytes), type: 'application/octet-stream' };
            case 'large':
                return b.encoding === 'json'
                    ? { bytes: Buffer.from(`{"email":"${'a'.repeat(b.size)}@example.com"}`), type: 'application/json' }
                    : { bytes: Buffer.from(`email=${'a'.repeat(b.size)}%40example.com`), type: 'application/x-www-form-urlencoded' };
        }
    }
    async function send(c) {
        const me = needsIdentity(c) ? await identity() : undefined;
        // Raw: the given text is already what goes into the request line (encoded or not).
        let path = c.route.path;
        for (const param of c.route.pathParams)
            path = path.replace(`{${param.name}}`, c.id.kind === 'given' ? c.id.text : param.type === 'integer' ? String(me?.id) : 'own');
        path += c.query;
        // A Map: "__proto__" is a valid header name too.
        const headers = new Map();
        const add = (name, value) => {
            const key = name.toLowerCase();
            headers.set(key, [...headers.get(key) ?? [], value]);
        };
        const { bytes, type } = bodyBytes(c.body, me);
        if (c.contentType === 'natural') {
            if (type !== undefined)
                add('content-type', type);
        }
        else if (c.contentType !== 'none') {
            add('content-type', c.contentType.value);
        }
        const s = c.session;
        const ended = endedTokens.at(-1) ?? 'A'.repeat(43);
        switch (s.kind) {
            case 'none': break;
            case 'cookie':
                add('cookie', `session_id=${s.value}`);
                break;
            case 'cookie-header':
                add('cookie', s.value);
                break;
            case 'header':
                add('x-session-id', s.value);
                break;
            case 'both':
                add('x-session-id', s.header);
                add('cookie', `session_id=${s.cookie}`);
                break;
            case 'ended':
                add(s.transport === 'cookie' ? 'cookie' : 'x-session-id', s.transport === 'cookie' ? `session_id=${ended}` : ended);
                break;
            case 'valid': {
                const token = me?.token ?? '';
                if (s.transport === 'cookie') {
                    add('cookie', `session_id=${token}`);
                    if (s.other !== undefined)
                        add('x-session-id', s.other);
                }
                else {
                    add('x-session-id', token);
                    if (s.other !== undefined)
                        add('cookie', `session_id=${s.other}`);
                }
                break;
            }
        }
        for (const [name, value] of c.headers)
            add(name, value);
        const what = `${c.route.method} ${path.slice(0, 120)}`;
        const reply = await sendRaw(server.url, {
            method: c.route.method,
            path,
            headers: Object.fromEntries([...headers].map(([name, values]) => [name, values.length === 1 ? values[0] ?? '' : values])),
            body: bytes
        });
        return { reply, what, me };
    }
    function afterwards(c, reply, me) {
        const route = describeOperation(c.route);
        const counts = statuses.get(route) ?? new Map();
        counts.set(reply.status, (counts.get(reply.status) ?? 0) + 1);
        statuses.set(route, counts);
        // A run that may have signed the current user out, deleted it or changed its password
        // or email (a DELETE or PUT that succeeded): make a new one next time.
        if (me !== undefined && c.session.kind === 'valid' && reply.status < 300 && (c.route.method === 'DELETE' || c.route.method === 'PUT')) {
            if (c.route.method === 'DELETE')
                endedTokens.push(me.token);
            current = undefined;
        }
    }
    const runProperty = async (t, arbitrary, numRuns, quiet = false) => {
        const started = Date.now();
        await fc.assert(fc.asyncProperty(arbitrary, async (c) => {
            const { reply, what, me } = await send(c);
            afterwards(c, reply, me);
            assertWellFormed(reply, what);
        }), { numRuns, ...(SEED === undefined ? {} : { seed: SEED }) });
        if (!quiet)
            t.diagnostic(`${numRuns} runs in ${Date.now() - started} ms`);
    };
    it('arbitrary bodies, content types, headers, sessions and ids on every operation', async (t) => {
        assert.ok(routes.length >= 30, routes.map(describeOperation).join(', '));
        const started = Date.now();
        for (const route of routes)
            await runProperty(t, anyCaseOf(route), RUNS_PER_OPERATION, true);
        t.diagnostic(`${RUNS_PER_OPERATION} runs on each of ${routes.length} operations in ${Date.now() - started} ms`);
        assert.deepEqual([...statuses.keys()].sort(), routes.map(describeOperation).sort(), 'every operation was reached');
    });
    it('objects with the real field names, as JSON or form data, on the operations that read a body', async (t) => {
        const bodyRoutes = routes.filter(route => route.hasBody);
        assert.ok(bodyRoutes.length >= 15, bodyRoutes.map(describeOperation).join(', '));
        const fieldsCase = fc.constantFrom(...bodyRoutes).chain(route => fc.record({
            route: fc.constant(route),
            id: userId,
            query: fc.constant(''),
            body: fc.record({
                kind: fc.constant('fields'),
                encoding: fc.constantFrom('json', 'form'),
                entries: fc.oneof({ arbitrary: requestShapedEntries(route), weight: 3 }, { arbitrary: fc.array(fc.tuple(fieldName, fieldValue), { minLength: 1, maxLength: 6 }), weight: 1 })
            }),
            contentType: fc.oneof({ arbitrary: fc.constant('natural'), weight: 5 }, { arbitrary: contentType, weight: 1 }),
            session: fc.oneof({ arbitrary: fc.record({ kind: fc.constant('valid'), transport }), weight: 2 }, { arbitrary: session, weight: 1 }),
            headers: fc.oneof(fc.constant([]), extraHeaders)
        }));
        await runProperty(t, fieldsCase, FIELD_RUNS_PER_OPERATION * bodyRoutes.length);
    });
    it('any Expect header is answered in JSON too', async (t) => {
        // Node's HTTP server answers an Expect other than 100-continue itself, before Fastify.
        const expectCase = fc.record({
            route: fc.constantFrom(...routes),
            id: userId,
            query: fc.constant(''),
            body,
            contentType,
            session,
            headers: fc.tuple(fc.constant('expect'), fc.oneof(fc.constantFrom('100-continue', '100-Continue', 'foo', '200-ok', ''), headerValue())).map(header => [header])
        });
        await runProperty(t, expectCase, 40);
    });
    it('the server still answers normally afterwards', async (t) => {
        const home = await request(server, 'GET', '/');
        assert.deepEqual([home.status, home.body], [200, { message: 'Bienvenue' }]);
        const user = await signUp(server);
        assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).status, 200);
        for (const [route, counts] of statuses) {
            t.diagnostic(`${route}: ${[...counts].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`).join(' ')}`);
        }
    });
});
