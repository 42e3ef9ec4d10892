// A safe change of email address over HTTP with a real SMTP receiver: POST /account/email
// and POST /email_change/confirm, their mails, and their failures.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_DIALECT } from './support/database.js';
import { createTestClock } from './support/clock.js';
import { PASSWORD, request, signUp, startServer, uniqueEmail } from './support/server.js';
import { resetLinkOf, startSmtpReceiver } from './support/smtp.js';
function tokenOf(mail) {
    const match = /\/ui\/confirm_email\?token=([A-Za-z0-9_-]{43})\b/.exec(mail.text);
    assert.ok(match?.[1] !== undefined, `no confirmation link in: ${mail.text}`);
    assert.ok(mail.html.includes(`/ui/confirm_email?token=${match[1]}`));
    return match[1];
}
describe(`email change on ${TEST_DIALECT}`, () => {
    // The service's clock stands still unless moved (support/clock.ts): the throttle's 1 s
    // wait cannot run out between the failures and the check that they were counted.
    const clock = createTestClock();
    let server;
    let smtp;
    before(async () => {
        smtp = await startSmtpReceiver();
        server = await startServer({ SMTP_URL: smtp.url, RESET_MAIL_LIMIT: '3', LOGIN_THROTTLE_FREE_ATTEMPTS: '2', LOGIN_THROTTLE_MAX_DELAY: '60' }, { now: clock.now });
    });
    after(async () => {
        await server.close();
        await smtp.close();
    });
    const ask = async (token, newEmail, password = PASSWORD) => await request(server, 'POST', '/account/email', { new_email: newEmail, current_password: password }, { session: token });
    it('mails a link to the new address and a notice to the current one; nothing changes until the link is used', async () => {
        const user = await signUp(server);
        const newEmail = uniqueEmail('change-to');
        const reply = await ask(user.token, newEmail);
        assert.deepEqual([reply.status, reply.body], [200, { message: 'confirmation sent' }]);
        const confirm = await smtp.waitFor(newEmail, /^Confirm your new email address$/);
        const notice = await smtp.waitFor(user.email, /change of your email address was requested/);
        assert.ok(notice.text.includes(newEmail) && notice.text.includes('127.0.0.1'), notice.text);
        assert.ok(notice.html.length > 0 && confirm.html.length > 0, 'both parts');
        assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).body.email, user.email, 'nothing changed yet');
        const resetBefore = await request(server, 'POST', '/reset_password', { email: user.email });
        assert.equal(resetBefore.status, 200);
        const resetMail = await smtp.waitFor(user.email, /^Reset/);
        const done = await request(server, 'POST', '/email_change/confirm', { token: tokenOf(confirm) });
        assert.deepEqual([done.status, done.body], [200, { email: newEmail, message: 'email changed' }]);
        const account = (await request(server, 'GET', '/account', undefined, { session: user.token })).body;
        assert.deepEqual([account.email, account.email_verified], [newEmail, true], 'moved, and the link proved the new address');
        const changed = await smtp.waitFor(user.email, /email address of your account was changed/);
        assert.ok(changed.text.includes(newEmail));
        const token = resetLinkOf(resetMail).searchParams.get('token') ?? '';
        const reset = await request(server, 'PUT', '/reset_password', { email: newEmail, reset_token: token, new_password: 'a brand new passphrase' });
        assert.equal(reset.status, 403, 'the reset link sent to the old address is void');
        assert.equal((await request(server, 'POST', '/email_change/confirm', { token: tokenOf(confirm) })).status, 403, 'single use');
        assert.equal((await request(server, 'POST', '/sessions', { email: newEmail, password: PASSWORD })).status, 200);
    });
    it('a taken address: the same answer, a mail to that address, no link, no change', async () => {
        const user = await signUp(server);
        const other = await signUp(server);
        const reply = await ask(user.token, other.email.toUpperCase());
        assert.deepEqual([reply.status, reply.body], [200, { message: 'confirmation sent' }]);
        const told = await smtp.waitFor(other.email, /tried to use your email address/);
        assert.doesNotMatch(told.text, /confirm_email/);
        assert.doesNotMatch(told.text, new RegExp(user.email), 'the other account is not named');
        await smtp.waitFor(user.email, /change of your email address was requested/);
        const rows = await server.db.selectFrom('one_time_tokens').select('id').where('user_id', '=', user.id).where('purpose', '=', 'email_change').execute();
        assert.equal(rows.length, 0);
    });
    it('refuses a wrong current password (403, throttled) and a bad or unchanged address (400); past the cap sends nothing', async () => {
        const user = await signUp(server);
        for (const body of [{ new_email: 'not an email', current_password: PASSWORD }, { new_email: user.email, current_password: PASSWORD }, { current_password: PASSWORD }]) {
            const reply = await request(server, 'POST', '/account/email', body, { session: user.token });
            assert.equal(reply.status, 400, JSON.stringify(body));
        }
        assert.match((await ask(user.token, 'not an email')).body.message, /^new_email /);
        for (let i = 0; i < 2; i++) {
            const wrong = await ask(user.token, uniqueEmail(), 'not my password at all');
            assert.deepEqual([wrong.status, wrong.body.code], [403, 'invalid_credentials']);
        }
        assert.equal((await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD })).status, 429, 'counted by the login throttle');
        const fresh = await signUp(server);
        for (let i = 0; i < 3; i++)
            assert.equal((await ask(fresh.token, uniqueEmail('many'))).status, 200);
        const fourth = uniqueEmail('many');
        const capped = await ask(fresh.token, fourth);
        assert.deepEqual([capped.status, capped.body], [200, { message: 'confirmation sent' }], 'past the cap: the same answer');
        // Nothing to wait for: a while for the mail that must not come (it would show up then).
        await new Promise(resolve => setTimeout(resolve, 300));
        assert.equal(smtp.messages.filter(m => m.to === fourth).length, 0, 'and no mail');
        const rows = await server.db.selectFrom('audit_events').select('type').where('user_id', '=', fresh.id).where('type', '=', 'email.change_requested').execute();
        assert.equal(rows.length, 3);
    });
    it('a newer request voids the older link; a wrong or expired token is 403; a confirm races: exactly one 200', async () => {
        const user = await signUp(server);
        const first = uniqueEmail('first');
        const second = uniqueEmail('second');
        await ask(user.token, first);
        const firstMail = await smtp.waitFor(first, /^Confirm/);
        await ask(user.token, second);
        const secondMail = await smtp.waitFor(second, /^Confirm/);
        assert.equal((await request(server, 'POST', '/email_change/confirm', { token: tokenOf(firstMail) })).status, 403, 'voided by the newer request');
        assert.equal((await request(server, 'POST', '/email_change/confirm', { token: 'A'.repeat(43) })).status, 403);
        assert.equal((await request(server, 'POST', '/email_change/confirm', {})).status, 400);
        const replies = await Promise.all(Array.from({ length: 4 }, async () => await request(server, 'POST', '/email_change/confirm', { token: tokenOf(secondMail) })));
        assert.deepEqual(replies.map(reply => reply.status).sort((a, b) => a - b), [200, 403, 403, 403]);
        const later = await signUp(server);
        const target = uniqueEmail('expired');
        await ask(later.token, target);
        const mail = await smtp.waitFor(target, /^Confirm/);
        await server.db.updateTable('one_time_tokens').set({ expires_at: clock.now() - 1 }).where('user_id', '=', later.id).where('purpose', '=', 'email_change').execute();
        assert.equal((await request(server, 'POST', '/email_change/confirm', { token: tokenOf(mail) })).status, 403, 'expired');
    });
    it('an address taken between request and confirmation: 400 email_taken, nothing changes', async () => {
        const user = await signUp(server);
        const wanted = uniqueEmail('contested');
        await ask(user.token, wanted);
        const mail = await smtp.waitFor(wanted, /^Confirm/);
        await signUp(server, wanted);
        const reply = await request(server, 'POST', '/email_change/confirm', { token: tokenOf(mail) });
        assert.deepEqual([reply.status, reply.body.code], [400, 'email_taken']);
        assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).body.email, user.email);
    });
    it('a new password (a change or a reset) voids a pending email-change link: noticing the request and changing the password stops it', async () => {
        const user = await signUp(server);
        const target = uniqueEmail('hijack');
        await ask(user.token, target);
        const link = tokenOf(await smtp.waitFor(target, /^Confirm/));
        assert.equal((await request(server, 'PUT', '/account/password', { current_password: PASSWORD, new_password: 'a fresh and long passphrase' }, { session: user.token })).status, 200);
        assert.equal((await request(server, 'POST', '/email_change/confirm', { token: link })).status, 403);
        const other = await signUp(server);
        const second = uniqueEmail('hijack-reset');
        await ask(other.token, second);
        const secondLink = tokenOf(await smtp.waitFor(second, /^Confirm/));
        await request(server, 'POST', '/reset_password', { email: other.email });
        const resetToken = resetLinkOf(await smtp.waitFor(other.email, /^Reset/)).searchParams.get('token') ?? '';
        assert.equal((await request(server, 'PUT', '/reset_password', { email: other.email, reset_token: resetToken, new_password: 'another fresh passphrase' })).status, 200);
        assert.equal((await request(server, 'POST', '/email_change/confirm', { token: secondLink })).status, 403);
    });
    it('the events: email.change_requested, then email.changed', async () => {
        const user = await signUp(server);
        const target = uniqueEmail('evented');
        await ask(user.token, target);
        await request(server, 'POST', '/email_change/confirm', { token: tokenOf(await smtp.waitFor(target, /^Confirm/)) });
        const events = (await request(server, 'GET', '/account/events?limit=2', undefined, { session: user.token })).body.events;
        assert.deepEqual(events.map(event => event.type), ['email.changed', 'email.change_requested']);
    });
});
