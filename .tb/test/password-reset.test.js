import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestClock } from './support/clock.js';
import { PASSWORD, request, sessionCookie, signUp, sleep, startServer, uniqueEmail } from './support/server.js';
import { resetLinkOf, startSmtpReceiver } from './support/smtp.js';
const NEW_PASSWORD = 'a fresh and long passphrase';
describe('password reset by mail', () => {
    let smtp;
    let server;
    before(async () => {
        smtp = await startSmtpReceiver();
        server = await startServer({ SMTP_URL: smtp.url, PUBLIC_URL: 'https://auth.example.com', MAIL_FROM: 'Auth <auth@example.com>' });
    });
    after(async () => {
        await server.close();
        await smtp.close();
    });
    /** Asks for a reset and returns the token read from the mail's link. */
    async function mailedToken(email) {
        const before = smtp.messages.length;
        const reply = await request(server, 'POST', '/reset_password', { email });
        assert.deepEqual([reply.status, reply.body], [200, { email, message: 'reset token sent' }]);
        const isReset = (m) => m.to === email && m.subject.startsWith('Reset');
        for (let i = 0; !smtp.messages.slice(before).some(isReset); i++) {
            if (i > 50)
                throw new Error(`no mail to ${email}`);
            await sleep(100);
        }
        const mail = smtp.messages.slice(before).find(isReset);
        assert.ok(mail !== undefined);
        return resetLinkOf(mail).searchParams.get('token') ?? '';
    }
    it('mails a link to the hosted page under PUBLIC_URL that carries the token', async () => {
        const user = await signUp(server);
        await request(server, 'POST', '/reset_password', { email: user.email }, { encoding: 'json' });
        const mail = await smtp.waitFor(user.email, /^Reset/);
        assert.equal(mail.subject, 'Reset your password');
        const link = resetLinkOf(mail);
        assert.equal(link.origin + link.pathname, 'https://auth.example.com/ui/reset_password');
        assert.deepEqual([...link.searchParams.keys()], ['token'], 'no email in the link (it would sit in browser history and server logs)');
        assert.match(link.searchParams.get('token') ?? '', /^[A-Za-z0-9_-]{43}$/);
        assert.ok(mail.text.includes(link.searchParams.get('token') ?? 'missing'), 'the token itself is in the text too');
    });
    it('never puts the token in the reply, and stores only its hash', async () => {
        const user = await signUp(server);
        const reply = await request(server, 'POST', '/reset_password', { email: user.email });
        assert.deepEqual(reply.body, { email: user.email, message: 'reset token sent' });
        const token = resetLinkOf(await smtp.waitFor(user.email, /^Reset/)).searchParams.get('token') ?? '';
        const rows = await server.db.selectFrom('one_time_tokens').select('id').where('user_id', '=', user.id).where('purpose', '=', 'password_reset').execute();
        assert.equal(rows.length, 1);
        assert.match(rows[0]?.id ?? '', /^[0-9a-f]{64}$/);
        assert.ok(!reply.text.includes(token));
    });
    it('answers an unknown email with the same 200 and sends nothing', async () => {
        const email = uniqueEmail('nobody');
        const reply = await request(server, 'POST', '/reset_password', { email });
        assert.deepEqual([reply.status, reply.body], [200, { email, message: 'reset token sent' }]);
        // Nothing to wait for: a while for a mail that must not come (a wrong one would show up then).
        await sleep(300);
        assert.equal(smtp.messages.filter(m => m.to === email).length, 0);
    });
    it('PUT /reset_password sets the password, consumes the token and ends every session', async () => {
        const user = await signUp(server);
        const token = await mailedToken(user.email);
        const reply = await request(server, 'PUT', '/reset_password', { email: user.email, reset_token: token, new_password: NEW_PASSWORD });
        assert.deepEqual([reply.status, reply.body], [200, { email: user.email, message: 'Password updated' }]);
        assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).status, 403);
        assert.equal((await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD })).status, 401);
        assert.equal((await request(server, 'POST', '/sessions', { email: user.email, password: NEW_PASSWORD })).status, 200);
        const twice = await request(server, 'PUT', '/reset_password', { email: user.email, reset_token: token, new_password: 'yet another passphrase' }, { encoding: 'json' });
        assert.equal(twice.status, 403);
        assert.equal(typeof twice.body.message, 'string');
    });
    it('a wrong token does not use up the right one', async () => {
        const user = await signUp(server);
        const token = await mailedToken(user.email);
        for (const wrong of ['nope', token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'), '']) {
            const reply = await request(server, 'PUT', '/reset_password', { email: user.email, reset_token: wrong, new_password: NEW_PASSWORD });
            assert.equal(reply.status, 403, JSON.stringify(wrong));
        }
        const reply = await request(server, 'PUT', '/reset_password', { email: user.email, reset_token: token, new_password: NEW_PASSWORD });
        assert.equal(reply.status, 200);
    });
    it('a token is refused for another email', async () => {
        const alice = await signUp(server);
        const bob = await signUp(server);
        const token = await mailedToken(alice.email);
        const reply = await request(server, 'PUT', '/reset_password', { email: bob.email, reset_token: token, new_password: NEW_PASSWORD });
        assert.equal(reply.status, 403);
        const unknown = await request(server, 'PUT', '/reset_password', { email: uniqueEmail('ghost'), reset_token: token, new_password: NEW_PASSWORD });
        assert.equal(unknown.status, 403);
    });
    it('a new request voids the older token', async () => {
        const user = await signUp(server);
        const first = await mailedToken(user.email);
        const second = await mailedToken(user.email);
        assert.notEqual(first, second);
        assert.equal((await request(server, 'PUT', '/reset_password', { email: user.email, reset_token: first, new_password: NEW_PASSWORD })).status, 403);
        assert.equal((await request(server, 'PUT', '/reset_password', { email: user.email, reset_token: second, new_password: NEW_PASSWORD })).status, 200);
    });
    it('a rejected new password is a 400 and leaves the token usable', async () => {
        const user = await signUp(server);
        const token = await mailedToken(user.email);
        const weak = await request(server, 'PUT', '/reset_password', { email: user.email, reset_token: token, new_password: 'short' });
        assert.deepEqual([weak.status, weak.body], [400, { message: 'new_password must be at least 8 characters', code: 'invalid_field' }]);
        const common = await request(server, 'PUT', '/reset_password', { email: user.email, reset_token: token, new_password: 'iloveyou123' });
        assert.equal(common.status, 400);
        assert.match(common.body.message, /^new_password is too common/);
        assert.equal((await request(server, 'PUT', '/reset_password', { email: user.email, reset_token: token, new_password: NEW_PASSWORD })).status, 200);
    });
    it('names a missing field with a 400', async () => {
        const user = await signUp(server);
        for (const missing of ['email', 'reset_token', 'new_password']) {
            const body = { email: user.email, reset_token: 'x'.repeat(43), new_password: NEW_PASSWORD };
            delete body[missing];
            const reply = await request(server, 'PUT', '/reset_password', body, { encoding: 'json' });
            assert.deepEqual([reply.status, reply.body], [400, { message: `${missing} is required`, code: 'invalid_field' }]);
        }
        const noEmail = await request(server, 'POST', '/reset_password', {});
        assert.deepEqual([noEmail.status, noEmail.body], [400, { message: 'email is required', code: 'invalid_field' }]);
    });
    it('of two resets racing with one token, exactly one succeeds', async () => {
        const user = await signUp(server);
        const token = await mailedToken(user.email);
        const replies = await Promise.all(['first passphrase long', 'second passphrase long', 'third passphrase long'].map(async (newPassword) => await request(server, 'PUT', '/reset_password', { email: user.email, reset_token: token, new_password: newPassword })));
        const statuses = replies.map(r => r.status).sort((a, b) => a - b);
        assert.deepEqual(statuses, [200, 403, 403]);
    });
});
describe('password reset expiry and legacy mode', () => {
    it('refuses a token older than RESET_TOKEN_TTL', async () => {
        const clock = createTestClock(); // the service's time is moved, not waited for
        const server = await startServer({ RESET_TOKEN_TTL: '1800', RESET_TOKEN_IN_RESPONSE: 'true' }, { now: clock.now });
        try {
            const user = await signUp(server);
            const token = (await request(server, 'POST', '/reset_password', { email: user.email })).body.reset_token;
            clock.advance(1801 * 1000);
            const reply = await request(server, 'PUT', '/reset_password', { email: user.email, reset_token: token, new_password: NEW_PASSWORD });
            assert.equal(reply.status, 403);
            const fresh = (await request(server, 'POST', '/reset_password', { email: user.email })).body.reset_token;
            clock.advance(1790 * 1000);
            assert.equal((await request(server, 'PUT', '/reset_password', { email: user.email, reset_token: fresh, new_password: NEW_PASSWORD })).status, 200, 'within the TTL');
        }
        finally {
            await server.close();
        }
    });
    it('RESET_TOKEN_IN_RESPONSE adds reset_token, and an unknown email gets 403', async () => {
        const server = await startServer({ RESET_TOKEN_IN_RESPONSE: 'true' });
        try {
            const user = await signUp(server);
            const reply = await request(server, 'POST', '/reset_password', { email: user.email });
            assert.equal(reply.status, 200);
            assert.deepEqual(Object.keys(reply.body).sort(), ['email', 'message', 'reset_token']);
            assert.equal(reply.body.message, 'reset token sent');
            const unknown = await request(server, 'POST', '/reset_password', { email: uniqueEmail('ghost') });
            assert.equal(unknown.status, 403);
            const updated = await request(server, 'PUT', '/reset_password', { email: user.email, reset_token: reply.body.reset_token, new_password: NEW_PASSWORD });
            assert.deepEqual(updated.body, { email: user.email, message: 'Password updated' });
            const login = await request(server, 'POST', '/sessions', { email: user.email, password: NEW_PASSWORD });
            assert.equal(login.status, 200);
            assert.ok(sessionCookie(login).length > 0);
        }
        finally {
            await server.close();
        }
    });
});
