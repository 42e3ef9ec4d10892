// The signed-in user's own account over HTTP: GET/PUT /account (language from
// Accept-Language at sign-up), PUT /account/password, and the sessions (devices) list
// with its revocations.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashToken } from '../src/auth/tokens.js';
import { TEST_DIALECT } from './support/database.js';
import { createTestClock } from './support/clock.js';
import { PASSWORD, request, sessionCookie, signUp, startServer, uniqueEmail } from './support/server.js';
import { startSmtpReceiver } from './support/smtp.js';
describe(`the account on ${TEST_DIALECT}`, () => {
    // The service's clock stands still unless moved (support/clock.ts): the throttle's 1 s
    // wait cannot run out between the failures and the check that they were counted.
    const clock = createTestClock();
    let server;
    let smtp;
    before(async () => {
        smtp = await startSmtpReceiver();
        server = await startServer({ SMTP_URL: smtp.url, LOGIN_THROTTLE_FREE_ATTEMPTS: '2', LOGIN_THROTTLE_MAX_DELAY: '60' }, { now: clock.now });
    });
    after(async () => {
        await server.close();
        await smtp.close();
    });
    const signIn = async (email, password = PASSWORD, userAgent = 'account-test') => sessionCookie(await request(server, 'POST', '/sessions', { email, password }, { headers: { 'user-agent': userAgent } }));
    it('GET /account: the contract\'s fields; the language comes from Accept-Language at sign-up', async () => {
        const languages = [[undefined, 'en'], ['fr', 'fr'], ['fr-CA,fr;q=0.9,en;q=0.5', 'fr'], ['de-DE,de;q=0.9', 'en'], ['de, en;q=0.1, fr;q=0.5', 'fr']];
        for (const [acceptLanguage, language] of languages) {
            const email = uniqueEmail('lang');
            const headers = acceptLanguage === undefined ? {} : { 'accept-language': acceptLanguage };
            assert.equal((await request(server, 'POST', '/users', { email, password: PASSWORD }, { headers })).status, 200);
            const reply = await request(server, 'GET', '/account', undefined, { session: await signIn(email) });
            assert.equal(reply.status, 200, reply.text);
            assert.deepEqual(Object.keys(reply.body).sort(), ['created_at', 'email', 'email_verified', 'id', 'language', 'passkeys', 'totp_enabled']);
            assert.equal(reply.body.language, language, String(acceptLanguage));
            assert.deepEqual([reply.body.email, reply.body.email_verified, reply.body.totp_enabled, reply.body.passkeys], [email, false, false, 0]);
            assert.match(reply.body.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        }
        assert.equal((await request(server, 'GET', '/account')).status, 403);
    });
    it('PUT /account changes the language; anything else is a 400 naming it', async () => {
        const user = await signUp(server);
        const changed = await request(server, 'PUT', '/account', { language: 'fr' }, { session: user.token });
        assert.equal(changed.status, 200, changed.text);
        assert.equal(changed.body.language, 'fr');
        assert.equal((await request(server, 'GET', '/account', undefined, { session: user.token })).body.language, 'fr');
        for (const body of [{ language: 'de' }, { language: 'FR ' }, {}, { language: 'en', email: 'x@example.com' }]) {
            const reply = await request(server, 'PUT', '/account', body, { session: user.token });
            assert.equal(reply.status, 400, JSON.stringify(body));
            assert.ok(typeof reply.body.code === 'string' && typeof reply.body.message === 'string');
        }
        assert.match((await request(server, 'PUT', '/account', { language: 'de' }, { session: user.token })).body.message, /^language must be one of: en, fr/);
    });
    it('PUT /account/password: other sessions end, this one stays, a notice goes to the account', async () => {
        const user = await signUp(server);
        const other = await signIn(user.email);
        const newPassword = 'a new and long passphrase';
        const reply = await request(server, 'PUT', '/account/password', { current_password: PASSWORD, new_password: newPassword }, { session: user.token });
        assert.equal(reply.status, 200, reply.text);
        assert.deepEqual(reply.body, { message: 'password updated' });
        assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).status, 200, 'this session stays');
        assert.equal((await request(server, 'GET', '/profile', undefined, { session: other })).status, 403, 'the other ends');
        assert.equal((await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD })).status, 401);
        assert.equal((await request(server, 'POST', '/sessions', { email: user.email, password: newPassword })).status, 200);
        const notice = await smtp.waitFor(user.email, /password .* changed/i);
        assert.match(notice.text, /127\.0\.0\.1/);
        assert.ok(!notice.text.includes(newPassword));
    });
    it('PUT /account/password: 403 invalid_credentials for a wrong current password, counted by the login throttle; 400 for a bad new one', async () => {
        const user = await signUp(server);
        for (let i = 0; i < 2; i++) {
            const wrong = await request(server, 'PUT', '/account/password', { current_password: 'not my password', new_password: 'whatever long enough' }, { session: user.token });
            assert.deepEqual([wrong.status, wrong.body.code], [403, 'invalid_credentials'], wrong.text);
        }
        const throttled = await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD });
        assert.equal(throttled.status, 429, 'two wrong current passwords used up the free attempts');
        const fresh = await signUp(server);
        const weak = await request(server, 'PUT', '/account/password', { current_password: PASSWORD, new_password: 'short' }, { session: fresh.token });
        assert.equal(weak.status, 400);
        assert.match(weak.body.message, /^new_password /);
        assert.equal((await request(server, 'POST', '/sessions', { email: fresh.email, password: PASSWORD })).status, 200, 'nothing changed');
    });
    it('GET /account/sessions lists the live sessions newest first, by a handle that is neither token nor hash', async () => {
        const email = uniqueEmail('devices');
        await request(server, 'POST', '/users', { email, password: PASSWORD });
        const phone = await signIn(email, PASSWORD, 'Phone/1.0');
        clock.advance(1000); // newer by a second, not by however long the sign-in took
        const laptop = await signIn(email, PASSWORD, 'Laptop/2.0');
        const reply = await request(server, 'GET', '/account/sessions', undefined, { session: phone });
        assert.equal(reply.status, 200, reply.text);
        const sessions = reply.body.sessions;
        assert.deepEqual(sessions.map(session => [session.user_agent, session.current, session.ip]), [['Laptop/2.0', false, '127.0.0.1'], ['Phone/1.0', true, '127.0.0.1']]);
        for (const session of sessions) {
            assert.deepEqual(Object.keys(session).sort(), ['authenticated_at', 'created_at', 'current', 'expires_at', 'id', 'ip', 'last_seen_at', 'methods', 'user_agent']);
            for (const token of [phone, laptop])
                assert.ok(!token.includes(session.id) && !hashToken(token).includes(session.id));
            assert.ok(Date.parse(session.expires_at) > Date.parse(session.created_at));
        }
        assert.equal((await request(server, 'GET', '/account/sessions')).status, 403);
    });
    it('DELETE /account/sessions/:id ends that session only; another user\'s or an unknown id is 404', async () => {
        const user = await signUp(server);
        const second = await signIn(user.email);
        const stranger = await signUp(server);
        const mine = (await request(server, 'GET', '/account/sessions', undefined, { session: user.token })).body.sessions;
        const theirs = (await request(server, 'GET', '/account/sessions', undefined, { session: stranger.token })).body.sessions;
        for (const id of [theirs[0]?.id ?? '', 'no-such-session', hashToken(second)]) {
            const reply = await request(server, 'DELETE', `/account/sessions/${encodeURIComponent(id)}`, undefined, { session: user.token });
            assert.deepEqual([reply.status, reply.body.code], [404, 'not_found'], id);
        }
        assert.equal((await request(server, 'GET', '/profile', undefined, { session: stranger.token })).status, 200);
        const target = mine.find(session => !session.current);
        const revoked = await request(server, 'DELETE', `/account/sessions/${target?.id ?? ''}`, undefined, { session: user.token });
        assert.equal(revoked.status, 200, revoked.text);
        assert.deepEqual(revoked.body, { message: 'session revoked' });
        assert.equal((await request(server, 'GET', '/profile', undefined, { session: second })).status, 403);
        assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).status, 200);
        const current = mine.find(session => session.current);
        const own = await request(server, 'DELETE', `/account/sessions/${current?.id ?? ''}`, undefined, { session: user.token });
        assert.equal(own.status, 200);
        assert.match(own.headers.get('set-cookie') ?? '', /session_id=;/, 'ending the current session clears the cookie');
        assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).status, 403);
    });
    it('DELETE /account/sessions ends every other session and says how many; the events list it', async () => {
        const user = await signUp(server);
        const others = [await signIn(user.email), await signIn(user.email)];
        const reply = await request(server, 'DELETE', '/account/sessions', undefined, { session: user.token });
        assert.equal(reply.status, 200, reply.text);
        assert.deepEqual(reply.body, { message: 'other sessions revoked', revoked: 2 });
        for (const session of others)
            assert.equal((await request(server, 'GET', '/profile', undefined, { session })).status, 403);
        assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).status, 200);
        assert.deepEqual((await request(server, 'DELETE', '/account/sessions', undefined, { session: user.token })).body, { message: 'other sessions revoked', revoked: 0 });
        const events = (await request(server, 'GET', '/account/events?limit=1', undefined, { session: user.token })).body.events;
        assert.deepEqual(events.map(event => event.type), ['session.revoked']);
    });
});
