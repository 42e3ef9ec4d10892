// TOTP over real HTTP, codes computed here with otpauth: enrolment, the two-step sign-in,
// replay, the window, wrong codes (the mfa_token's limit and the account throttle),
// recovery codes, turning it off, a reset that leaves it on, the secret encrypted at
// rest, and the operator's reset-mfa.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { createTestClock } from './support/clock.js';
import { runCli } from './support/cli.js';
import { TEST_DIALECT } from './support/database.js';
import { PASSWORD, request, sessionCookie, signUpVerified, startServer, uniqueEmail } from './support/server.js';
import { startSmtpReceiver } from './support/smtp.js';
import { STEP_MS } from './support/totp.js';
// The service's clock stands still (support/clock.ts) and the codes are computed for its
// time: no step can end between computing a code and sending it.
const clock = createTestClock();
describe(`TOTP on ${TEST_DIALECT}`, () => {
    let server;
    let smtp;
    before(async () => {
        smtp = await startSmtpReceiver();
        server = await startServer({ SMTP_URL: smtp.url, PUBLIC_URL: 'https://auth.example.com' }, { now: clock.now });
    });
    after(async () => {
        await server.close();
        await smtp.close();
    });
    const session = (token) => ({ session: token });
    async function enrol() {
        const user = await signUpVerified(server);
        const started = await request(server, 'POST', '/account/totp', { current_password: PASSWORD }, session(user.token));
        assert.equal(started.status, 200, started.text);
        assert.match(started.body.secret, /^[A-Z2-7]{32}$/);
        assert.match(started.body.otpauth_url, /^otpauth:\/\/totp\/Auth%20Service:.+\?issuer=Auth%20Service&secret=[A-Z2-7]{32}&algorithm=SHA1&digits=6&period=30$/);
        const totp = new TOTP({ secret: Secret.fromBase32(started.body.secret), digits: 6, period: 30, algorithm: 'SHA1' });
        const confirmed = await request(server, 'POST', '/account/totp/confirm', { code: totp.generate({ timestamp: clock.now() }) }, session(user.token));
        assert.equal(confirmed.status, 200, confirmed.text);
        assert.equal(confirmed.body.message, 'totp enabled');
        assert.equal(confirmed.body.recovery_codes.length, 10);
        for (const code of confirmed.body.recovery_codes)
            assert.match(code, /^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
        assert.equal(new Set(confirmed.body.recovery_codes).size, 10);
        return { ...user, totp, recoveryCodes: confirmed.body.recovery_codes };
    }
    async function passwordStep(email, password = PASSWORD) {
        return await request(server, 'POST', '/sessions', { email, password });
    }
    async function mfaToken(email) {
        const reply = await passwordStep(email);
        assert.equal(reply.status, 200, reply.text);
        assert.equal(reply.body.message, 'second factor required');
        assert.equal(reply.headers.get('set-cookie'), null, 'no cookie before the second factor');
        assert.match(reply.body.mfa_token, /^[A-Za-z0-9_-]{43}$/);
        return reply.body.mfa_token;
    }
    async function secondStep(token, code) {
        return await request(server, 'POST', '/sessions/mfa', { mfa_token: token, code });
    }
    it('enrols with the password and a first code; the secret is stored encrypted, with its key id', async () => {
        const user = await enrol();
        const account = await request(server, 'GET', '/account', undefined, session(user.token));
        assert.equal(account.body.totp_enabled, true);
        const row = await server.db.selectFrom('totp_credentials').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
        assert.equal(row.key_id, 'development');
        assert.ok(row.confirmed_at !== null);
        const secret = user.totp.secret.base32;
        assert.ok(!row.secret.includes(secret) && !Buffer.from(row.secret, 'base64url').toString('latin1').includes(secret), 'not in the clear');
        const stored = await server.db.selectFrom('recovery_codes').select('id').where('user_id', '=', user.id).execute();
        assert.equal(stored.length, 10);
        for (const code of user.recoveryCodes)
            assert.ok(!stored.some(({ id }) => id.includes(code.replaceAll('-', ''))), 'codes are stored hashed');
        const again = await request(server, 'POST', '/account/totp', { current_password: PASSWORD }, session(user.token));
        assert.deepEqual([again.status, again.body.code], [400, 'totp_already_enabled']);
        const notice = await smtp.waitFor(user.email, /Two-step verification is on/);
        assert.ok(!notice.text.includes(secret));
    });
    it('refuses a wrong password, a wrong first code, and keeps one pending enrolment', async () => {
        const user = await signUpVerified(server);
        const wrong = await request(server, 'POST', '/account/totp', { current_password: 'not the password' }, session(user.token));
        assert.deepEqual([wrong.status, wrong.body.code], [403, 'invalid_credentials']);
        const first = await request(server, 'POST', '/account/totp', { current_password: PASSWORD }, session(user.token));
        const second = await request(server, 'POST', '/account/totp', { current_password: PASSWORD }, session(user.token));
        assert.notEqual(first.body.secret, second.body.secret);
        const stale = new TOTP({ secret: Secret.fromBase32(first.body.secret) });
        const refused = await request(server, 'POST', '/account/totp/confirm', { code: stale.generate({ timestamp: clock.now() }) }, session(user.token));
        assert.deepEqual([refused.status, refused.body.code], [400, 'invalid_code'], 'the first secret was replaced');
        for (const code of ['', 'abcdef', '12345', '1234567']) {
            assert.equal((await request(server, 'POST', '/account/totp/confirm', { code }, session(user.token))).status, 400, code);
        }
        assert.equal((await request(server, 'GET', '/account', undefined, session(user.token))).body.totp_enabled, false);
        assert.equal((await passwordStep(user.email)).body.message, 'logged in', 'pending is not on');
    });
    it('signs in in two steps; the cookie comes with the code; each code is accepted once', async () => {
        const user = await enrol();
        // The confirmation used this step's code: the next step's is the next good one.
        const code = user.totp.generate({ timestamp: clock.now() + STEP_MS });
        const done = await secondStep(await mfaToken(user.email), code);
        assert.equal(done.status, 200, done.text);
        assert.deepEqual(done.body, { email: user.email, message: 'logged in' });
        const token = sessionCookie(done);
        assert.equal((await request(server, 'GET', '/profile', undefined, session(token))).status, 200);
        const replay = await secondStep(await mfaToken(user.email), code);
        assert.deepEqual([replay.status, replay.body.code], [401, 'invalid_code'], 'the same code again');
        const events = (await request(server, 'GET', '/account/events?limit=4', undefined, session(token))).body.events.map((e) => e.type);
        assert.deepEqual(events.slice(0, 4), ['login.failed', 'login.mfa_required', 'login.succeeded', 'login.mfa_required']);
    });
    it('accepts the step before and after, not two away, and no step older than the last one used', async () => {
        const user = await enrol();
        const now = clock.now();
        for (const offset of [-2, 2]) {
            const reply = await secondStep(await mfaToken(user.email), user.totp.generate({ timestamp: now + offset * STEP_MS }));
            assert.equal(reply.status, 401, `${offset} steps`);
        }
        // The confirmation used the current step: the previous one is older, refused.
        const older = await secondStep(await mfaToken(user.email), user.totp.generate({ timestamp: now - STEP_MS }));
        assert.equal(older.status, 401, 'older than the last used');
        const next = await secondStep(await mfaToken(user.email), user.totp.generate({ timestamp: now + STEP_MS }));
        assert.equal(next.status, 200, 'the next step is in the window');
        const current = await secondStep(await mfaToken(user.email), user.totp.generate({ timestamp: now }));
        assert.equal(current.status, 401, 'now older than the last used');
    });
    it('voids the mfa_token after 5 wrong codes, and says the same for a wrong, unknown or expired token', async () => {
        const user = await enrol();
        const token = await mfaToken(user.email);
        const bodies = new Set();
        for (let i = 0; i < 5; i++) {
            const reply = await secondStep(token, '000000');
            assert.equal(reply.status, 401);
            bodies.add(reply.text);
        }
        const late = await secondStep(token, user.totp.generate({ timestamp: clock.now() + STEP_MS }));
        assert.equal(late.status, 401, 'the token is gone');
        bodies.add(late.text);
        bodies.add((await secondStep('x'.repeat(43), '123456')).text);
        const expiring = await mfaToken(user.email);
        await server.db.updateTable('login_flows').set({ expires_at: clock.now() - 1 }).where('user_id', '=', user.id).execute();
        bodies.add((await secondStep(expiring, user.totp.generate({ timestamp: clock.now() + STEP_MS }))).text);
        assert.equal(bodies.size, 1, [...bodies].join('\n'));
        assert.match([...bodies][0] ?? '', /"code":"invalid_code"/);
    });
    it('a recovery code signs in once, is told by mail, and new codes void the old', async () => {
        const user = await enrol();
        const [first, second] = user.recoveryCodes;
        assert.ok(first !== undefined && second !== undefined);
        const done = await secondStep(await mfaToken(user.email), first.toUpperCase().replaceAll('-', ' '));
        assert.equal(done.status, 200, 'any case and separator');
        const mail = await smtp.waitFor(user.email, /A recovery code was used/);
        assert.match(mail.text, /Recovery codes left: 9\./);
        assert.ok(!mail.text.includes(first));
        assert.equal((await secondStep(await mfaToken(user.email), first)).status, 401, 'used up');
        const renewed = await request(server, 'POST', '/account/recovery_codes', { current_password: PASSWORD }, session(sessionCookie(done)));
        assert.equal(renewed.status, 200);
        assert.equal(renewed.body.recovery_codes.length, 10);
        assert.equal((await secondStep(await mfaToken(user.email), second)).status, 401, 'voided by the new codes');
        assert.equal((await secondStep(await mfaToken(user.email), renewed.body.recovery_codes[0])).status, 200);
        // A lost phone: signed in with a recovery code, the user sets up a new authenticator.
        const session2 = sessionCookie(done);
        assert.equal((await request(server, 'DELETE', '/account/totp', { current_password: PASSWORD }, session(session2))).status, 200);
        const fresh = await request(server, 'POST', '/account/totp', { current_password: PASSWORD }, session(session2));
        const phone = new TOTP({ secret: Secret.fromBase32(fresh.body.secret) });
        assert.equal((await request(server, 'POST', '/account/totp/confirm', { code: phone.generate({ timestamp: clock.now() }) }, session(session2))).status, 200);
        assert.equal((await secondStep(await mfaToken(user.email), second)).status, 401, 'the old codes are gone with the old authenticator');
        const metrics = await fetch(`${server.url}/metrics`).then(async (reply) => await reply.text());
        for (const event of ['totp.enabled', 'totp.disabled', 'recovery_code.used', 'recovery_codes.regenerated']) {
            assert.match(metrics, new RegExp(`authsvc_second_factor_events_total\\{event="${event.replace('.', '\\.')}"\\} [1-9]`), event);
        }
        assert.match(metrics, /authsvc_logins_total\{result="mfa_required"\} [1-9]/);
        assert.match(metrics, /authsvc_logins_total\{result="invalid_code"\} [1-9]/);
    });
    it('turns off with the password; a password reset alone leaves it on', async () => {
        const user = await enrol();
        const reset = await request(server, 'POST', '/reset_password', { email: user.email });
        assert.equal(reset.status, 200);
        const mail = await smtp.waitFor(user.email, /Reset your password/);
        const token = /reset_password\?token=([\w-]{43})/.exec(mail.text)?.[1] ?? '';
        const changed = await request(server, 'PUT', '/reset_password', { email: user.email, reset_token: token, new_password: 'a new long passphrase' });
        assert.equal(changed.status, 200, changed.text);
        const step = await passwordStep(user.email, 'a new long passphrase');
        assert.equal(step.body.message, 'second factor required', 'the second factor survives a reset');
        const signedIn = await secondStep(step.body.mfa_token, user.totp.generate({ timestamp: clock.now() + STEP_MS }));
        assert.equal(signedIn.status, 200);
        const wrong = await request(server, 'DELETE', '/account/totp', { current_password: PASSWORD }, session(sessionCookie(signedIn)));
        assert.deepEqual([wrong.status, wrong.body.code], [403, 'invalid_credentials']);
        const off = await request(server, 'DELETE', '/account/totp', { current_password: 'a new long passphrase' }, session(sessionCookie(signedIn)));
        assert.deepEqual([off.status, off.body], [200, { message: 'totp disabled' }]);
        assert.equal((await passwordStep(user.email, 'a new long passphrase')).body.message, 'logged in');
        assert.equal(await server.db.selectFrom('recovery_codes').select('id').where('user_id', '=', user.id).executeTakeFirst(), undefined);
        await smtp.waitFor(user.email, /Two-step verification was turned off/);
    });
    it('an operator\'s reset-mfa lets the password alone sign in, and is in the audit log', async () => {
        const user = await enrol();
        const run = await runCli(['users', 'reset-mfa', user.email], { DATABASE_URL: server.databaseUrl, SMTP_URL: smtp.url });
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /removed the second factors of user \d+/);
        assert.equal((await passwordStep(user.email)).body.message, 'logged in');
        const again = await runCli(['users', 'reset-mfa', user.email], { DATABASE_URL: server.databaseUrl, SMTP_URL: smtp.url });
        assert.match(again.stdout, /had no second factor/);
        const event = await server.db.selectFrom('audit_events').selectAll().where('user_id', '=', user.id).where('type', '=', 'mfa.reset').executeTakeFirstOrThrow();
        assert.match(event.details ?? '', /"via":"cli"/);
        await smtp.waitFor(user.email, /Your two-step verification was reset/);
    });
});
describe(`TOTP codes and the login throttle on ${TEST_DIALECT}`, () => {
    let server;
    before(async () => { server = await startServer({ LOGIN_THROTTLE_FREE_ATTEMPTS: '3', LOGIN_THROTTLE_MAX_DELAY: '60' }, { now: clock.now }); });
    after(async () => { await server.close(); });
    it('wrong codes count toward the account throttle; the right password does not reset it', async () => {
        const user = await signUpVerified(server, uniqueEmail('throttle'));
        const started = await request(server, 'POST', '/account/totp', { current_password: PASSWORD }, { session: user.token });
        const totp = new TOTP({ secret: Secret.fromBase32(started.body.secret) });
        assert.equal((await request(server, 'POST', '/account/totp/confirm', { code: totp.generate({ timestamp: clock.now() }) }, { session: user.token })).status, 200);
        const statuses = [];
        for (let i = 0; i < 3; i++) {
            const step = await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD });
            if (step.status !== 200) {
                statuses.push(step.status);
                continue;
            }
            statuses.push((await request(server, 'POST', '/sessions/mfa', { mfa_token: step.body.mfa_token, code: '000000' })).status);
        }
        assert.equal(statuses.at(-1), 429, `throttled: ${statuses.join(', ')}`);
        const blocked = await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD });
        assert.equal(blocked.status, 429, 'the password step is throttled as well');
        assert.match(blocked.headers.get('retry-after') ?? '', /^\d+$/);
    });
});
