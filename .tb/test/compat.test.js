// COMPAT=course: students' end-to-end scripts of the course project (alx-backend-user-data
// 0x03, user_authentication_service, its main.py) run against the service in that mode, as
// Python's requests sends them, comparing whole bodies as `assert r.json() == {...}` does.
// The same steps outside COMPAT show the v1 answers: the adapter is the only difference.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config.js';
import { startServer, uniqueEmail } from './support/server.js';
const EMAIL = 'guillaume@holberton.io';
const PASSWD = 'b4l0u';
const NEW_PASSWD = 't4rt1fl3tt3';
/** Set-Cookie as a jar sees it: name → value, or null for a cookie the response removes. */
function setCookiesOf(response) {
    return new Map(response.headers.getSetCookie().map(line => {
        const [pair = '', ...attributes] = line.split(';');
        const [name = '', value = ''] = pair.split('=');
        const removed = attributes.some(attribute => /^\s*max-age=0\s*$/i.test(attribute));
        return [name.trim(), removed ? null : value];
    }));
}
async function send(base, method, urlPath, { data, cookies = {}, headers = {} } = {}) {
    const jar = new Map(Object.entries(cookies));
    const history = [];
    let url = new URL(urlPath, base);
    let verb = method;
    let body = data === undefined ? undefined : new URLSearchParams(data).toString();
    for (;;) {
        const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
        const response = await fetch(url, {
            method: verb,
            redirect: 'manual',
            body,
            headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }), ...(cookie === '' ? {} : { cookie }) }
        });
        const set = setCookiesOf(response);
        for (const [name, value] of set) {
            if (value === null)
                jar.delete(name);
            else
                jar.set(name, value);
        }
        const location = response.headers.get('location');
        if (![301, 302, 303].includes(response.status) || location === null) {
            const text = await response.text();
            const kept = new Map([...set].filter((entry) => entry[1] !== null));
            return { status: response.status, headers: response.headers, history, cookies: kept, json: () => JSON.parse(text) };
        }
        await response.body?.cancel();
        history.push(response.status);
        url = new URL(location, url);
        if (response.status !== 301 || verb === 'POST') {
            verb = 'GET';
            body = undefined;
        }
    }
}
function requestsOf(server) {
    const method = (verb) => async (urlPath, options) => await send(server.url, verb, urlPath, options);
    return { get: method('GET'), post: method('POST'), put: method('PUT'), delete: method('DELETE') };
}
/** `assert r.status_code == status` and the body is {"message": …}, nothing else. */
function assertOnlyMessage(r, status) {
    const body = r.json();
    assert.equal(r.status, status, JSON.stringify(body));
    assert.deepEqual(body, { message: body.message });
    assert.equal(typeof body.message, 'string');
    assert.notEqual(body.message, '');
}
/** main.py's functions, each asserting what the course's app.py answers. */
function mainPy(requests) {
    return {
        async registerUser(email, password) {
            const r = await requests.post('/users', { data: { email, password } });
            assert.deepEqual([r.status, r.json()], [200, { email, message: 'user created' }]);
            const again = await requests.post('/users', { data: { email, password } });
            assert.deepEqual([again.status, again.json()], [400, { message: 'email already registered' }]);
        },
        async logInWrongPassword(email, password) {
            assertOnlyMessage(await requests.post('/sessions', { data: { email, password } }), 401);
        },
        async profileUnlogged() {
            assertOnlyMessage(await requests.get('/profile'), 403);
        },
        async logIn(email, password) {
            const r = await requests.post('/sessions', { data: { email, password } });
            assert.deepEqual([r.status, r.json()], [200, { email, message: 'logged in' }]);
            const sessionId = r.cookies.get('session_id');
            assert.equal(typeof sessionId, 'string');
            return sessionId ?? '';
        },
        async profileLogged(sessionId, email) {
            const r = await requests.get('/profile', { cookies: { session_id: sessionId } });
            assert.deepEqual([r.status, r.json()], [200, { email }]);
        },
        async logOut(sessionId) {
            const r = await requests.delete('/sessions', { cookies: { session_id: sessionId } });
            assert.deepEqual([r.history, r.status, r.json()], [[302], 200, { message: 'Bienvenue' }]);
        },
        async resetPasswordToken(email) {
            const r = await requests.post('/reset_password', { data: { email } });
            const body = r.json();
            assert.deepEqual([r.status, body], [200, { email, reset_token: body.reset_token }]);
            assert.equal(typeof body.reset_token, 'string');
            return body.reset_token;
        },
        async updatePassword(email, resetToken, newPassword) {
            const r = await requests.put('/reset_password', { data: { email, reset_token: resetToken, new_password: newPassword } });
            assert.deepEqual([r.status, r.json()], [200, { email, message: 'Password updated' }]);
        }
    };
}
describe('COMPAT=course', () => {
    let server;
    let requests;
    let main;
    before(async () => {
        server = await startServer({ COMPAT: 'course' });
        requests = requestsOf(server);
        main = mainPy(requests);
    });
    after(async () => { await server.close(); });
    const idOf = async (email) => (await server.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
    it('the course\'s main.py passes unchanged, every body compared whole', async () => {
        await main.registerUser(EMAIL, PASSWD); // a 5-character password: no policy in this mode
        await main.logInWrongPassword(EMAIL, NEW_PASSWD);
        await main.profileUnlogged();
        const sessionId = await main.logIn(EMAIL, PASSWD);
        await main.profileLogged(sessionId, EMAIL);
        await main.logOut(sessionId);
        assertOnlyMessage(await requests.get('/profile', { cookies: { session_id: sessionId } }), 403);
        const resetToken = await main.resetPasswordToken(EMAIL);
        await main.updatePassword(EMAIL, resetToken, NEW_PASSWD);
        await main.logIn(EMAIL, NEW_PASSWD);
    });
    it('a session from before a reset still works after it, as the course keeps them', async () => {
        const email = uniqueEmail('kept');
        await main.registerUser(email, PASSWD);
        const before = await main.logIn(email, PASSWD);
        await main.updatePassword(email, await main.resetPasswordToken(email), NEW_PASSWD);
        await main.profileLogged(before, email);
        await main.logInWrongPassword(email, PASSWD);
        await main.profileLogged(await main.logIn(email, NEW_PASSWD), email);
    });
    it('a reset token asked for an unknown email is 403 {"message"} alone', async () => {
        assertOnlyMessage(await requests.post('/reset_password', { data: { email: 'nobody@example.com' } }), 403);
    });
    it('a wrong reset token is 403 {"message"} alone and leaves the right one usable', async () => {
        const email = uniqueEmail('token');
        await main.registerUser(email, PASSWD);
        const resetToken = await main.resetPasswordToken(email);
        assertOnlyMessage(await requests.put('/reset_password', { data: { email, reset_token: 'not-the-token', new_password: NEW_PASSWD } }), 403);
        await main.updatePassword(email, resetToken, NEW_PASSWD);
    });
    it('a missing field is 400 {"message"} alone on every v1 route that takes a body', async () => {
        const email = uniqueEmail('fields');
        await main.registerUser(email, PASSWD);
        assertOnlyMessage(await requests.post('/users', { data: { email: uniqueEmail() } }), 400);
        assertOnlyMessage(await requests.post('/users', { data: { password: PASSWD } }), 400);
        assertOnlyMessage(await requests.post('/sessions', { data: { email } }), 400);
        assertOnlyMessage(await requests.post('/sessions', { data: { password: PASSWD } }), 400);
        assertOnlyMessage(await requests.post('/reset_password', { data: {} }), 400);
        assertOnlyMessage(await requests.put('/reset_password', { data: { email, reset_token: 'x' } }), 400);
    });
    it('GET, PUT and DELETE /users/:id answer the v1 bodies, and their errors {"message"} alone', async () => {
        const email = uniqueEmail('byid');
        const taken = uniqueEmail('taken');
        await main.registerUser(email, PASSWD);
        await main.registerUser(taken, PASSWD);
        const cookies = { session_id: await main.logIn(email, PASSWD) };
        const id = await idOf(email);
        const shown = await requests.get(`/users/${id}`, { cookies });
        assert.deepEqual([shown.status, shown.json()], [200, { email, id }]);
        assertOnlyMessage(await requests.get(`/users/${id + 1000}`, { cookies }), 403);
        assertOnlyMessage(await requests.get(`/users/${id}`), 403);
        const renamed = uniqueEmail('renamed');
        const updated = await requests.put(`/users/${id}`, { data: { email: renamed }, cookies });
        assert.deepEqual([updated.status, updated.json()], [200, { email: renamed, message: 'user updated' }]);
        assertOnlyMessage(await requests.put(`/users/${id}`, { data: { reset_token: 'x' }, cookies }), 400);
        assertOnlyMessage(await requests.put(`/users/${id}`, { data: { email: taken }, cookies }), 400);
        assertOnlyMessage(await requests.put(`/users/${id}`, { data: { email: renamed } }), 403);
        assertOnlyMessage(await requests.delete(`/users/${id + 1000}`, { cookies }), 403);
        const deleted = await requests.delete(`/users/${id}`, { cookies });
        assert.deepEqual([deleted.status, deleted.json()], [200, {}]);
        assertOnlyMessage(await requests.get('/profile', { cookies }), 403);
    });
    it('GET / greets; DELETE /sessions answers 302 Location: / and clears the cookie, Prefer or not', async () => {
        const home = await requests.get('/');
        assert.deepEqual([home.status, home.json()], [200, { message: 'Bienvenue' }]);
        const email = uniqueEmail('redirect');
        await main.registerUser(email, PASSWD);
        for (const prefer of [{}, { prefer: 'return=minimal' }]) {
            const sessionId = await main.logIn(email, PASSWD);
            const logout = await fetch(`${server.url}/sessions`, { method: 'DELETE', redirect: 'manual', headers: { cookie: `session_id=${sessionId}`, ...prefer } });
            assert.equal(logout.status, 302);
            assert.equal(logout.headers.get('location'), '/');
            assert.equal(logout.headers.get('preference-applied'), null);
            assert.match(logout.headers.get('set-cookie') ?? '', /session_id=;.*Max-Age=0/i);
            assertOnlyMessage(await requests.delete('/sessions', { cookies: { session_id: sessionId } }), 403);
        }
    });
    it('refusals made before the handler are {"message"} alone: cross-site, body too large, not JSON nor form', async () => {
        assertOnlyMessage(await requests.post('/users', { data: { email: uniqueEmail(), password: PASSWD }, headers: { origin: 'https://evil.example' } }), 403);
        assertOnlyMessage(await requests.post('/sessions', { data: { email: EMAIL, password: 'x'.repeat(70_000) } }), 413);
        const text = await fetch(`${server.url}/users`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'email=a' });
        assert.equal(text.status, 415);
        assert.deepEqual(Object.keys(await text.json()), ['message']);
    });
    it('the per-IP limit\'s 429 is {"message"} alone', async () => {
        const limited = await startServer({ COMPAT: 'course', RATE_LIMIT_RESET: '1' });
        try {
            const course = requestsOf(limited);
            assert.equal((await course.post('/reset_password', { data: { email: 'nobody@example.com' } })).status, 403);
            const refused = await course.post('/reset_password', { data: { email: 'nobody@example.com' } });
            assertOnlyMessage(refused, 429);
            assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);
        }
        finally {
            await limited.close();
        }
    });
    it('an unreachable database is 503 {"message"} alone', async () => {
        const down = await startServer({ COMPAT: 'course', DATABASE_URL: 'postgres://authsvc@127.0.0.1:1/nothing', DATABASE_CONNECT_TIMEOUT: '1' }, { migrate: false });
        try {
            const course = requestsOf(down);
            assertOnlyMessage(await course.post('/users', { data: { email: EMAIL, password: PASSWD } }), 503);
            assertOnlyMessage(await course.post('/sessions', { data: { email: EMAIL, password: PASSWD } }), 503);
            assertOnlyMessage(await course.get('/profile', { cookies: { session_id: 'A'.repeat(43) } }), 503);
        }
        finally {
            await down.close();
        }
    });
    it('is one setting, refused in production; a variable set explicitly still wins', () => {
        const course = loadConfig({ COMPAT: 'course' });
        assert.deepEqual([course.compat, course.resetToken.inResponse, course.passwordPolicy.minLength, course.passwordPolicy.blockCommon], ['course', true, 1, false]);
        assert.equal(loadConfig({ COMPAT: 'course', PASSWORD_MIN_LENGTH: '8' }).passwordPolicy.minLength, 8);
        assert.equal(loadConfig({}).compat, null);
        assert.throws(() => loadConfig({ COMPAT: 'course', NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example.com', PUBLIC_URL: 'https://auth.example.com' }), /COMPAT=course is refused in production/);
        assert.throws(() => loadConfig({ COMPAT: 'flask' }), /COMPAT must be one of none, course/);
    });
    it('is read in config.ts and where buildApp() wires the adapter in, nowhere else', () => {
        const readers = readdirSync('src', { recursive: true, encoding: 'utf8' })
            .filter(file => file.endsWith('.ts'))
            .map(file => path.join('src', file))
            .filter(file => /\.compat\b/.test(readFileSync(file, 'utf8')));
        assert.deepEqual(readers, ['src/http/app.ts']);
    });
});
// The same settings COMPAT=course defaults to, without it: what changes is what the adapter
// changes, and nothing else.
describe('outside COMPAT, the same steps get the v1 answers', () => {
    let server;
    let requests;
    before(async () => {
        server = await startServer({ RESET_TOKEN_IN_RESPONSE: 'true', PASSWORD_MIN_LENGTH: '1', PASSWORD_BLOCK_COMMON: 'false' });
        requests = requestsOf(server);
    });
    after(async () => { await server.close(); });
    /** The status, and a body of `message` and `code`. */
    function assertError(r, status) {
        const body = r.json();
        assert.equal(r.status, status, JSON.stringify(body));
        assert.deepEqual(Object.keys(body).sort(), ['code', 'message']);
    }
    it('errors carry a code, GET /profile the id, the reset reply its message, and a reset ends sessions', async () => {
        const email = uniqueEmail('v1');
        const registered = await requests.post('/users', { data: { email, password: PASSWD } });
        assert.deepEqual([registered.status, registered.json()], [200, { email, message: 'user created' }]);
        const again = await requests.post('/users', { data: { email, password: PASSWD } });
        assert.deepEqual([again.status, again.json()], [400, { message: 'email already registered', code: again.json().code }]);
        assertError(await requests.post('/sessions', { data: { email, password: NEW_PASSWD } }), 401);
        assertError(await requests.get('/profile'), 403);
        assertError(await requests.post('/sessions', { data: { email } }), 400);
        const login = await requests.post('/sessions', { data: { email, password: PASSWD } });
        assert.deepEqual([login.status, login.json()], [200, { email, message: 'logged in' }]);
        const cookies = { session_id: login.cookies.get('session_id') ?? '' };
        const profile = await requests.get('/profile', { cookies });
        assert.deepEqual([profile.status, profile.json()], [200, { email, id: profile.json().id }]);
        assert.equal(typeof profile.json().id, 'number');
        const logout = await requests.delete('/sessions', { cookies });
        assert.deepEqual([logout.history, logout.status, logout.json()], [[], 200, { message: 'logged out' }]);
        const kept = { session_id: (await requests.post('/sessions', { data: { email, password: PASSWD } })).cookies.get('session_id') ?? '' };
        const reset = await requests.post('/reset_password', { data: { email } });
        assert.deepEqual([reset.status, reset.json()], [200, { email, message: 'reset token sent', reset_token: reset.json().reset_token }]);
        assertError(await requests.post('/reset_password', { data: { email: 'nobody@example.com' } }), 403);
        const updated = await requests.put('/reset_password', { data: { email, reset_token: reset.json().reset_token, new_password: NEW_PASSWD } });
        assert.deepEqual([updated.status, updated.json()], [200, { email, message: 'Password updated' }]);
        assertError(await requests.get('/profile', { cookies: kept }), 403);
    });
});
