// Email verification over HTTP with a real SMTP receiver: the link mailed at sign-up,
// POST /verify_email, POST /account/verify_email, and REQUIRE_EMAIL_VERIFICATION.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_DIALECT } from './support/database.js';
import { PASSWORD, request, sessionCookie, signUp, startServer, uniqueEmail } from './support/server.js';
import { startSmtpReceiver } from './support/smtp.js';
const VERIFY_SUBJECT = /^(Confirm your email address|Confirmez votre adresse e-mail)$/;
function tokenOf(mail) {
    const match = /\/ui\/verify_email\?token=([A-Za-z0-9_-]{43})\b/.exec(mail.text);
    assert.ok(match?.[1] !== undefined, `no verification link in: ${mail.text}`);
    assert.ok(mail.html.includes(`/ui/verify_email?token=${match[1]}`), 'the HTML part has the link too');
    return match[1];
}
describe(`email verification on ${TEST_DIALECT}`, () => {
    let server;
    let smtp;
    before(async () => {
        smtp = await startSmtpReceiver();
        server = await startServer({ SMTP_URL: smtp.url, PUBLIC_URL: 'https://auth.example.com', RESET_MAIL_LIMIT: '3' });
    });
    after(async () => {
        await server.close();
        await smtp.close();
    });
    /** The verification mails to `email` so far, waiting for the `count`th. */
    async function verificationMails(email, count) {
        for (let i = 0;; i++) {
            const mails = smtp.messages.filter(m => m.to === email && VERIFY_SUBJECT.test(m.subject));
            if (mails.length >= count)
                return mails;
            if (i > 50)
                throw new Error(`${mails.length} verification mails to ${email}, expected ${count}`);
            await new Promise(resolve => setTimeout(resolve, 100));
        }
    }
    it('sign-up mails a link under PUBLIC_URL; the token verifies the address once', async () => {
        const user = await signUp(server);
        const [mail] = await verificationMails(user.email, 1);
        assert.ok(mail !== undefined);
        assert.match(mail.text, /https:\/\/auth\.example\.com\/ui\/verify_email\?token=/);
        const token = tokenOf(mail);
        assert.equal((await request(server, 'GET', '/account', undefined, { session: user.token })).body.email_verified, false);
        const verified = await request(server, 'POST', '/verify_email', { token });
        assert.equal(verified.status, 200, verified.text);
        assert.deepEqual(verified.body, { email: user.email, message: 'email verified' });
        assert.equal((await request(server, 'GET', '/account', undefined, { session: user.token })).body.email_verified, true);
        const again = await request(server, 'POST', '/verify_email', { token });
        assert.deepEqual([again.status, again.body.code], [403, 'invalid_token'], 'single use');
        const events = (await request(server, 'GET', '/account/events?limit=2', undefined, { session: user.token })).body.events;
        assert.deepEqual(events.map(event => event.type), ['email.verified', 'login.succeeded']);
    });
    it('refuses a wrong, malformed, expired or missing token', async () => {
        const user = await signUp(server);
        const [mail] = await verificationMails(user.email, 1);
        const token = tokenOf(mail);
        for (const wrong of ['A'.repeat(43), 'short', `${token}x`]) {
            const reply = await request(server, 'POST', '/verify_email', { token: wrong });
            assert.deepEqual([reply.status, reply.body.code], [403, 'invalid_token'], wrong);
        }
        const missing = await request(server, 'POST', '/verify_email', {});
        assert.equal(missing.status, 400);
        assert.match(missing.body.message, /token/);
        await server.db.updateTable('one_time_tokens').set({ expires_at: Date.now() - 1 }).where('user_id', '=', user.id).where('purpose', '=', 'email_verification').execute();
        const expired = await request(server, 'POST', '/verify_email', { token });
        assert.deepEqual([expired.status, expired.body.code], [403, 'invalid_token'], 'expired');
        assert.equal((await request(server, 'GET', '/account', undefined, { session: user.token })).body.email_verified, false);
    });
    it('POST /account/verify_email sends a new link and voids the older; capped per account like reset mails; 400 once verified', async () => {
        const user = await signUp(server);
        const resent = await request(server, 'POST', '/account/verify_email', undefined, { session: user.token });
        assert.deepEqual([resent.status, resent.body], [200, { message: 'verification mail sent' }]);
        const [first, second] = await verificationMails(user.email, 2);
        const older = await request(server, 'POST', '/verify_email', { token: tokenOf(first) });
        assert.equal(older.status, 403, 'a newer link voids the older');
        assert.equal((await request(server, 'POST', '/account/verify_email', undefined, { session: user.token })).status, 200);
        const capped = await request(server, 'POST', '/account/verify_email', undefined, { session: user.token });
        assert.deepEqual([capped.status, capped.body], [200, { message: 'verification mail sent' }], 'past the cap: the same answer, as for reset mails');
        const mails = await verificationMails(user.email, 3);
        // Nothing to wait for: a while for the mail that must not come (it would show up then).
        await new Promise(resolve => setTimeout(resolve, 300));
        assert.equal(smtp.messages.filter(m => m.to === user.email && VERIFY_SUBJECT.test(m.subject)).length, 3, 'sign-up and two resends use up RESET_MAIL_LIMIT=3');
        assert.equal((await request(server, 'POST', '/verify_email', { token: tokenOf(mails[2]) })).status, 200);
        assert.equal(tokenOf(second) === tokenOf(mails[2]), false);
        const done = await request(server, 'POST', '/account/verify_email', undefined, { session: user.token });
        assert.deepEqual([done.status, done.body.code], [400, 'already_verified']);
        assert.equal((await request(server, 'POST', '/account/verify_email')).status, 403, 'needs a session');
    });
    it('two requests with one token: exactly one 200', async () => {
        const user = await signUp(server);
        const token = tokenOf((await verificationMails(user.email, 1))[0]);
        const replies = await Promise.all(Array.from({ length: 5 }, async () => await request(server, 'POST', '/verify_email', { token })));
        assert.deepEqual(replies.map(reply => reply.status).sort((a, b) => a - b), [200, 403, 403, 403, 403]);
    });
    it('a link stops working once the account moves to another address; the new address gets its own', async () => {
        const user = await signUp(server);
        const oldToken = tokenOf((await verificationMails(user.email, 1))[0]);
        const moved = uniqueEmail('verify-moved');
        assert.equal((await request(server, 'PUT', `/users/${user.id}`, { email: moved }, { session: user.token })).status, 200);
        assert.equal((await request(server, 'POST', '/verify_email', { token: oldToken })).status, 403);
        const newToken = tokenOf((await verificationMails(moved, 1))[0]);
        assert.deepEqual((await request(server, 'POST', '/verify_email', { token: newToken })).body, { email: moved, message: 'email verified' });
    });
    it('an email change takes the verification away', async () => {
        const user = await signUp(server);
        assert.equal((await request(server, 'POST', '/verify_email', { token: tokenOf((await verificationMails(user.email, 1))[0]) })).status, 200);
        assert.equal((await request(server, 'PUT', `/users/${user.id}`, { email: uniqueEmail('verify-again') }, { session: user.token })).status, 200);
        assert.equal((await request(server, 'GET', '/account', undefined, { session: user.token })).body.email_verified, false);
    });
});
describe(`REQUIRE_EMAIL_VERIFICATION on ${TEST_DIALECT}`, () => {
    let server;
    let smtp;
    before(async () => {
        smtp = await startSmtpReceiver();
        server = await startServer({ SMTP_URL: smtp.url, REQUIRE_EMAIL_VERIFICATION: 'true' });
    });
    after(async () => {
        await server.close();
        await smtp.close();
    });
    it('the right password of an unverified address: 403 email_not_verified, no cookie, a fresh link; verified: signed in', async () => {
        const email = uniqueEmail('required');
        assert.equal((await request(server, 'POST', '/users', { email, password: PASSWORD })).status, 200);
        const wrong = await request(server, 'POST', '/sessions', { email, password: 'not the password' });
        assert.deepEqual([wrong.status, wrong.body.code], [401, 'invalid_credentials'], 'a guesser learns nothing');
        const refused = await request(server, 'POST', '/sessions', { email, password: PASSWORD });
        assert.deepEqual([refused.status, refused.body.code], [403, 'email_not_verified']);
        assert.equal(refused.headers.get('set-cookie'), null);
        let mails = [];
        for (let i = 0; mails.length < 2 && i < 50; i++) {
            mails = smtp.messages.filter(m => m.to === email && VERIFY_SUBJECT.test(m.subject));
            await new Promise(resolve => setTimeout(resolve, 100));
        }
        assert.equal(mails.length, 2, 'the sign-up link, then a fresh one with the refusal');
        assert.equal((await request(server, 'POST', '/verify_email', { token: tokenOf(mails[1]) })).status, 200);
        const login = await request(server, 'POST', '/sessions', { email, password: PASSWORD });
        assert.equal(login.status, 200, login.text);
        sessionCookie(login);
        const metrics = await (await fetch(`${server.url}/metrics`)).text();
        assert.match(metrics, /\nauthsvc_logins_total\{result="email_not_verified"\} 1\n/);
    });
});
describe(`the token routes' per-IP limit on ${TEST_DIALECT}`, () => {
    let server;
    before(async () => { server = await startServer({ RATE_LIMIT_RESET: '2' }); });
    after(async () => { await server.close(); });
    it('POST /verify_email and POST /email_change/confirm share RATE_LIMIT_RESET with the reset routes', async () => {
        const token = 'A'.repeat(43);
        assert.equal((await request(server, 'POST', '/verify_email', { token })).status, 403);
        assert.equal((await request(server, 'POST', '/email_change/confirm', { token })).status, 403);
        for (const path of ['/verify_email', '/email_change/confirm', '/reset_password']) {
            const reply = await request(server, 'POST', path, path === '/reset_password' ? { email: uniqueEmail() } : { token });
            assert.deepEqual([reply.status, reply.body.code], [429, 'rate_limited'], path);
            assert.ok(Number(reply.headers.get('retry-after')) > 0);
        }
    });
});
