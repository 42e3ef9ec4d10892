// The security-event seam: every domain operation reports what it did, who did it (IP,
// user agent) and to which account, inside the transaction of the change; a subscriber
// that fails takes the change down with it; no event holds a password or token.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashToken } from '../src/auth/tokens.js';
import { sessionHandle } from '../src/features/sessions/sessions.js';
import { resetLinkOf, startSmtpReceiver } from './support/smtp.js';
import { createTestClock } from './support/clock.js';
import { PASSWORD, request, sessionCookie, signUp, startServer, uniqueEmail } from './support/server.js';
function recorder() {
    const seen = [];
    return { seen, subscriber: (db, event) => { seen.push({ event, inTransaction: db.isTransaction }); } };
}
const AGENT = 'events-test/1.0';
describe('security events', () => {
    // The service's clock stands still unless moved (support/clock.ts): the throttle's 1 s
    // wait cannot run out between the failures and the check that they were counted.
    const clock = createTestClock();
    let smtp;
    let server;
    const { seen, subscriber } = recorder();
    before(async () => {
        smtp = await startSmtpReceiver();
        server = await startServer({ SMTP_URL: smtp.url, LOGIN_THROTTLE_FREE_ATTEMPTS: '2', LOGIN_THROTTLE_MAX_DELAY: '60' }, { eventSubscribers: [subscriber], now: clock.now });
    });
    after(async () => {
        await server.close();
        await smtp.close();
    });
    /** The events of this user since `from`, as [type, inTransaction]. */
    function eventsOf(userId, from) {
        return seen.slice(from).filter(({ event }) => event.userId === userId).map(({ event, inTransaction }) => [event.type, inTransaction]);
    }
    it('an account\'s life is reported, with the actor\'s IP and user agent, each change in its transaction', async () => {
        const headers = { 'user-agent': AGENT, 'x-request-id': 'events-flow-1' };
        const start = seen.length;
        const email = uniqueEmail('events');
        assert.equal((await request(server, 'POST', '/users', { email, password: PASSWORD }, { headers })).status, 200);
        assert.equal((await request(server, 'POST', '/sessions', { email, password: 'not the password' }, { headers })).status, 401);
        const login = await request(server, 'POST', '/sessions', { email, password: PASSWORD }, { headers });
        const token = sessionCookie(login);
        const { id } = (await request(server, 'GET', '/profile', undefined, { session: token })).body;
        const newPassword = 'a different long passphrase';
        assert.equal((await request(server, 'PUT', `/users/${id}`, { password: newPassword, current_password: PASSWORD }, { session: token, headers })).status, 200);
        const newEmail = uniqueEmail('events-moved');
        assert.equal((await request(server, 'PUT', `/users/${id}`, { email: newEmail }, { session: token, headers })).status, 200);
        assert.equal((await request(server, 'POST', '/reset_password', { email: newEmail }, { headers })).status, 200);
        const resetToken = resetLinkOf(await smtp.waitFor(newEmail, /^Reset/)).searchParams.get('token') ?? '';
        assert.equal((await request(server, 'PUT', '/reset_password', { email: newEmail, reset_token: resetToken, new_password: 'yet another passphrase' }, { headers })).status, 200);
        const again = sessionCookie(await request(server, 'POST', '/sessions', { email: newEmail, password: 'yet another passphrase' }, { headers }));
        assert.equal((await request(server, 'DELETE', '/sessions', undefined, { session: again, headers })).status, 200);
        const last = sessionCookie(await request(server, 'POST', '/sessions', { email: newEmail, password: 'yet another passphrase' }, { headers }));
        assert.equal((await request(server, 'DELETE', `/users/${id}`, undefined, { session: last, headers })).status, 200);
        assert.deepEqual(eventsOf(id, start), [
            ['user.created', true],
            ['email.verification_sent', true],
            ['login.failed', false],
            ['login.succeeded', true],
            ['password.changed', true],
            ['email.changed', true],
            ['email.verification_sent', true],
            ['password.reset_requested', true],
            // The address was unverified when the reset mail went out: the reset proved it.
            ['email.verified', true],
            ['password.reset', true],
            ['login.succeeded', true],
            ['logout', true],
            ['login.succeeded', true],
            ['user.deleted', true]
        ]);
        // The session each came through, by its public handle: the one presented, or the one a sign-in created.
        const through = [undefined, undefined, undefined, token, token, token, token, undefined, undefined, undefined, again, again, last, last]
            .map(session => session === undefined ? {} : { session: sessionHandle(hashToken(session)) });
        for (const [i, { event }] of seen.slice(start).filter(({ event }) => event.userId === id).entries()) {
            assert.deepEqual(event.actor, { ip: '127.0.0.1', userAgent: AGENT, requestId: 'events-flow-1', ...through[i] }, event.type);
            assert.ok(Math.abs(event.at - clock.now()) < 60_000, `${event.type}: at is a timestamp in ms`);
        }
        const text = JSON.stringify(seen.slice(start));
        for (const secret of [PASSWORD, newPassword, 'yet another passphrase', token, again, last, resetToken]) {
            assert.ok(!text.includes(secret), 'no event holds a password or token');
        }
    });
    it('a failed sign-in for an unknown email is reported without an account, and throttled attempts as such', async () => {
        const start = seen.length;
        assert.equal((await request(server, 'POST', '/sessions', { email: uniqueEmail('nobody'), password: PASSWORD })).status, 401);
        assert.deepEqual(eventsOf(null, start), [['login.failed', false]]);
        const user = await signUp(server);
        const from = seen.length;
        const statuses = [];
        for (let i = 0; i < 4; i++)
            statuses.push((await request(server, 'POST', '/sessions', { email: user.email, password: 'wrong wrong wrong' })).status);
        assert.deepEqual(statuses, [401, 401, 429, 429]);
        assert.deepEqual(eventsOf(user.id, from), [['login.failed', false], ['login.failed', false], ['login.throttled', false], ['login.throttled', false]]);
    });
});
describe('a subscriber that fails takes the change down with it', () => {
    let server;
    let failOn = null;
    before(async () => {
        server = await startServer({}, {
            eventSubscribers: [(_db, event) => { if (event.type === failOn)
                    throw new Error(`subscriber refuses ${event.type}`); }]
        });
    });
    after(async () => { await server.close(); });
    it('no account without its user.created', async () => {
        failOn = 'user.created';
        const email = uniqueEmail('rolled-back');
        const reply = await request(server, 'POST', '/users', { email, password: PASSWORD });
        assert.deepEqual([reply.status, reply.body], [500, { message: 'internal server error', code: 'internal_error' }]);
        assert.deepEqual(await server.db.selectFrom('users').select('id').where('email', '=', email).execute(), []);
        failOn = null;
        assert.equal((await request(server, 'POST', '/users', { email, password: PASSWORD })).status, 200, 'the email was never taken');
    });
    it('no session without its login.succeeded', async () => {
        const user = await signUp(server);
        failOn = 'login.succeeded';
        const reply = await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD });
        failOn = null;
        assert.equal(reply.status, 500);
        assert.equal(reply.headers.get('set-cookie'), null);
        const sessions = await server.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute();
        assert.equal(sessions.length, 1, 'only the session of signUp()');
    });
    it('no new password, and the token still usable, without its password.reset', async () => {
        const reset = await startServer({ RESET_TOKEN_IN_RESPONSE: 'true' }, { eventSubscribers: [(_db, event) => { if (event.type === failOn)
                    throw new Error('no'); }] });
        try {
            const user = await signUp(reset);
            const { reset_token: token } = (await request(reset, 'POST', '/reset_password', { email: user.email })).body;
            failOn = 'password.reset';
            const failed = await request(reset, 'PUT', '/reset_password', { email: user.email, reset_token: token, new_password: 'brand new passphrase' });
            failOn = null;
            assert.equal(failed.status, 500);
            assert.equal((await request(reset, 'GET', '/profile', undefined, { session: user.token })).status, 200, 'sessions kept');
            assert.equal((await request(reset, 'POST', '/sessions', { email: user.email, password: PASSWORD })).status, 200, 'old password kept');
            const retried = await request(reset, 'PUT', '/reset_password', { email: user.email, reset_token: token, new_password: 'brand new passphrase' });
            assert.equal(retried.status, 200, 'the token was not used up');
        }
        finally {
            await reset.close();
        }
    });
});
