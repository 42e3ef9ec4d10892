// Passkeys end to end in Chromium with the DevTools WebAuthn virtual authenticator (ctap2,
// resident keys, user verification), on every database: register from the account page,
// sign out, sign in with the passkey and no email (no TOTP step after it), rename and
// remove it; the JSON API beside it (list, another account's passkey, a replayed
// response), and the refusal on an IP-address PUBLIC_URL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { launchChromium } from './support/browser.js';
import { TEST_DIALECT } from './support/database.js';
import { freePort } from './support/service.js';
import { PASSWORD, request, signUpVerified, startServer } from './support/server.js';
import { startSmtpReceiver } from './support/smtp.js';
describe(`passkeys in Chromium on ${TEST_DIALECT}`, () => {
    let server;
    let smtp;
    let browser;
    let base;
    const problems = [];
    before(async () => {
        smtp = await startSmtpReceiver();
        const port = await freePort();
        // Browsers refuse WebAuthn on an IP address: the pages are opened as localhost.
        base = `http://localhost:${port}`;
        // With REQUIRE_EMAIL_VERIFICATION: a passkey meets the same verification rule as a password.
        server = await startServer({ SMTP_URL: smtp.url, PUBLIC_URL: base, REQUIRE_EMAIL_VERIFICATION: 'true' }, { port });
        browser = await launchChromium();
    });
    after(async () => {
        await browser?.close();
        await server?.close();
        await smtp?.close();
    });
    async function withAuthenticator(context) {
        const page = await context.newPage();
        page.on('console', message => { if (/Content Security Policy/i.test(message.text()))
            problems.push(message.text()); });
        const cdp = await context.newCDPSession(page);
        await cdp.send('WebAuthn.enable');
        await cdp.send('WebAuthn.addVirtualAuthenticator', {
            options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true }
        });
        return page;
    }
    async function signInWithPassword(page, email) {
        await page.goto(`${base}/ui/login`);
        await page.getByLabel('Email address').fill(email);
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    }
    it('registers a passkey from the account page and signs in with it alone, past TOTP', async () => {
        const user = await signUpVerified(server);
        // TOTP on: a passkey sign-in is complete without the code.
        const started = await request(server, 'POST', '/account/totp', { current_password: PASSWORD }, { session: user.token });
        const totp = new TOTP({ secret: Secret.fromBase32(started.body.secret) });
        const now = Date.now();
        assert.equal((await request(server, 'POST', '/account/totp/confirm', { code: totp.generate({ timestamp: now }) }, { session: user.token })).status, 200);
        const context = await browser.newContext({ locale: 'en-GB' });
        const page = await withAuthenticator(context);
        await signInWithPassword(page, user.email);
        await page.getByLabel('Code from your authenticator app, or a recovery code').fill(totp.generate({ timestamp: now + 30_000 }));
        await page.getByRole('button', { name: 'Verify' }).click();
        await page.waitForURL(`${base}/ui/account`);
        // Passkeys are on the account's security page.
        await page.goto(`${base}/ui/account/security`);
        await page.locator('#passkey-new-name').fill('Work laptop');
        await page.getByRole('button', { name: 'Add a passkey' }).click();
        await page.waitForURL(`${base}/ui/account/security?notice=passkey_added`);
        assert.match(await page.locator('.passkeys').textContent() ?? '', /Work laptop/);
        const cookie = (await context.cookies(base)).find(c => c.name === 'session_id')?.value ?? '';
        const listed = await request(server, 'GET', '/account/passkeys', undefined, { session: cookie });
        assert.equal(listed.body.passkeys.length, 1);
        assert.equal(listed.body.passkeys[0].name, 'Work laptop');
        assert.equal(listed.body.passkeys[0].last_used_at, null);
        assert.equal((await request(server, 'GET', '/account', undefined, { session: cookie })).body.passkeys, 1);
        await smtp.waitFor(user.email, /A passkey was added/);
        // Sign out; sign in with the passkey: no email, no password, no code. (Listening from
        // now: the login page's conditional request may sign in as soon as the page loads.)
        let posted = null;
        page.on('request', req => { if (req.url() === `${base}/sessions/passkey` && req.method() === 'POST')
            posted ??= req.postData(); });
        await page.locator('form[action="/ui/logout"]').getByRole('button', { name: 'Sign out' }).click();
        await page.waitForURL(/\/ui\/login\?notice=signed_out/);
        // The conditional request may sign in as soon as the page loads; else the button does.
        await page.getByRole('button', { name: 'Sign in with a passkey' }).click({ timeout: 5000 }).catch(() => undefined);
        await page.waitForURL(`${base}/ui/account`);
        const login = await server.db.selectFrom('audit_events').selectAll().where('user_id', '=', user.id).where('type', '=', 'login.succeeded').orderBy('id', 'desc').executeTakeFirstOrThrow();
        assert.match(login.details ?? '', /"methods":"passkey"/);
        assert.ok(posted !== null, 'the browser posted its response');
        const replay = await fetch(`${server.url}/sessions/passkey`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: posted });
        assert.equal(replay.status, 401, 'a response is good once: its challenge is used up');
        const afterUse = await request(server, 'GET', '/account/passkeys', undefined, { session: (await context.cookies(base)).find(c => c.name === 'session_id')?.value });
        assert.notEqual(afterUse.body.passkeys[0].last_used_at, null);
        // Another account cannot touch it.
        const other = await signUpVerified(server);
        const id = encodeURIComponent(listed.body.passkeys[0].id);
        assert.equal((await request(server, 'DELETE', `/account/passkeys/${id}`, undefined, { session: other.token })).status, 404);
        // Rename and remove from the page (forms; no script needed).
        await page.goto(`${base}/ui/account/security`);
        const renameForm = page.locator('.passkeys form').first();
        await renameForm.getByLabel('Name of this passkey').fill('Old laptop');
        await renameForm.getByRole('button', { name: 'Rename' }).click();
        await page.waitForURL(/notice=passkey_renamed/);
        assert.match(await page.locator('.passkeys').textContent() ?? '', /Old laptop/);
        await page.locator('.passkeys form').first().getByRole('button', { name: 'Remove' }).click();
        await page.waitForURL(/notice=passkey_removed/);
        assert.equal(await page.locator('.passkeys').count(), 0);
        await smtp.waitFor(user.email, /A passkey was removed/);
        const events = (await server.db.selectFrom('audit_events').select('type').where('user_id', '=', user.id).execute()).map(e => e.type);
        for (const type of ['passkey.added', 'passkey.removed', 'totp.enabled'])
            assert.ok(events.includes(type), type);
        // The removed passkey signs nobody in.
        await page.locator('form[action="/ui/logout"]').getByRole('button', { name: 'Sign out' }).click();
        await page.waitForURL(/\/ui\/login/);
        await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
        await page.locator('[data-passkey-error]').waitFor({ state: 'visible' });
        assert.equal(await page.locator('[data-passkey-error]').textContent(), 'This passkey could not sign you in.');
        await context.close();
        assert.deepEqual(problems, []);
    });
    it('follows the rules of every sign-in: a stale session re-authenticates to add one, user verification is required, a disabled or unverified account is refused as by password, with the same events and metrics', async () => {
        const user = await signUpVerified(server);
        const context = await browser.newContext({ locale: 'en-GB' });
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        await cdp.send('WebAuthn.enable');
        const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
            options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true }
        });
        await signInWithPassword(page, user.email);
        await page.waitForURL(`${base}/ui/account`);
        const cookie = async () => (await context.cookies(base)).find(c => c.name === 'session_id')?.value ?? '';
        const sessions = async () => (await request(server, 'GET', '/account/sessions', undefined, { session: await cookie() })).body.sessions;
        assert.deepEqual((await sessions()).find(s => s.current)?.methods, ['password']);
        // A session signed in an hour ago (as a stolen one would be) cannot add a passkey: the
        // page asks for the password again, then comes back.
        await server.db.updateTable('sessions').set({ authenticated_at: Date.now() - 3600_000 }).where('user_id', '=', user.id).execute();
        await page.goto(`${base}/ui/account/security`);
        await page.locator('#passkey-new-name').fill('Phone');
        await page.getByRole('button', { name: 'Add a passkey' }).click();
        await page.waitForURL(/\/ui\/reauthenticate\?return_to=/);
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.waitForURL(`${base}/ui/account/security?notice=reauthenticated`);
        await page.locator('#passkey-new-name').fill('Phone');
        await page.getByRole('button', { name: 'Add a passkey' }).click();
        await page.waitForURL(`${base}/ui/account/security?notice=passkey_added`);
        // Sign out; the passkey signs in, and the session says how.
        await page.locator('form[action="/ui/logout"]').getByRole('button', { name: 'Sign out' }).click();
        await page.waitForURL(/\/ui\/login\?notice=signed_out/);
        await page.getByRole('button', { name: 'Sign in with a passkey' }).click({ timeout: 5000 }).catch(() => undefined);
        await page.waitForURL(`${base}/ui/account`);
        assert.deepEqual((await sessions()).find(s => s.current)?.methods, ['passkey']);
        // Without user verification (no PIN, no biometric) an assertion is refused, and recorded.
        // The pages ask for it, so the browser would not make one: the test asks for the
        // server's options with userVerification lowered, as a forged client would.
        const failures = async () => (await server.db.selectFrom('audit_events').select('details').where('user_id', '=', user.id).where('type', '=', 'login.failed').orderBy('id').execute()).map(row => JSON.parse(row.details ?? '{}'));
        // (Set before signing out: the login page's autofill request, which asks for user
        // verification, must not sign in as the page loads.)
        await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
        await page.locator('form[action="/ui/logout"]').getByRole('button', { name: 'Sign out' }).click();
        await page.waitForURL(/\/ui\/login/);
        // (A string: the test's compiler would add helpers the page does not have.)
        const unverified = await page.evaluate(`(async () => {
      const json = { method: 'POST', headers: { 'content-type': 'application/json' } }
      const options = await (await fetch('/sessions/passkey/options', { ...json, body: '{}' })).json()
      const response = await window.SimpleWebAuthnBrowser.startAuthentication({ optionsJSON: { ...options, userVerification: 'discouraged' } })
      const reply = await fetch('/sessions/passkey', { ...json, body: JSON.stringify({ response }) })
      return { status: reply.status, body: await reply.json() }
    })()`);
        assert.deepEqual([unverified.status, unverified.body.code], [401, 'invalid_credentials']);
        assert.deepEqual((await failures()).at(-1), { method: 'passkey' });
        // A disabled account: the same 403 and the same event by passkey as by password.
        await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: true });
        await server.db.updateTable('users').set({ disabled_at: Date.now() }).where('id', '=', user.id).execute();
        const byPassword = await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD });
        assert.deepEqual([byPassword.status, byPassword.body.code], [403, 'account_disabled']);
        await page.reload();
        const disabled = page.waitForResponse(response => response.url() === `${base}/sessions/passkey`);
        await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
        const byPasskey = await disabled;
        assert.deepEqual([byPasskey.status(), await byPasskey.json()], [403, byPassword.body]);
        // An address no longer verified (moved by PUT /users/:id), with REQUIRE_EMAIL_VERIFICATION:
        // the same 403 by passkey as by password.
        await server.db.updateTable('users').set({ disabled_at: null, email_verified_at: null }).where('id', '=', user.id).execute();
        const unverifiedByPassword = await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD });
        assert.deepEqual([unverifiedByPassword.status, unverifiedByPassword.body.code], [403, 'email_not_verified']);
        await page.reload();
        const notVerified = page.waitForResponse(response => response.url() === `${base}/sessions/passkey`);
        await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
        const unverifiedByPasskey = await notVerified;
        assert.deepEqual([unverifiedByPasskey.status(), await unverifiedByPasskey.json()], [403, unverifiedByPassword.body]);
        const recorded = (await failures()).map(event => JSON.stringify(event));
        for (const method of ['password', 'passkey']) {
            for (const reason of ['account_disabled', 'email_not_verified'])
                assert.ok(recorded.includes(JSON.stringify({ method, reason })), `${method} ${reason}: ${recorded.join(' ')}`);
        }
        // The metrics come from those events: one count per refusal, whatever the method.
        const metrics = await (await fetch(`${server.url}/metrics`)).text();
        for (const result of ['account_disabled', 'email_not_verified']) {
            const count = Number(new RegExp(`^authsvc_logins_total\\{[^}]*result="${result}"[^}]*\\} (\\d+)`, 'm').exec(metrics)?.[1]);
            assert.ok(count >= 2, `${result}: ${count}`);
        }
        assert.equal(page.url().startsWith(`${base}/ui/login`), true, 'still on the sign-in page');
        await context.close();
    });
    it('refuses a registration without its challenge, and garbage, with a 400', async () => {
        const user = await signUpVerified(server);
        const forged = { name: 'x', response: { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: 'nope', origin: base })).toString('base64url'), attestationObject: 'AAAA' }, clientExtensionResults: {} } };
        const reply = await request(server, 'POST', '/account/passkeys', forged, { session: user.token, encoding: 'json' });
        assert.deepEqual([reply.status, reply.body.code], [400, 'invalid_passkey']);
        const bad = await request(server, 'POST', '/sessions/passkey', { response: { ...forged.response, response: { clientDataJSON: '!!!' } } }, { encoding: 'json' });
        assert.deepEqual([bad.status, bad.body.code], [401, 'invalid_credentials']);
        const options = await request(server, 'POST', '/sessions/passkey/options');
        assert.equal(options.status, 200);
        assert.equal(options.body.rpId, 'localhost');
        assert.match(options.body.challenge, /^[\w-]{20,}$/);
    });
});
describe(`passkeys on an IP-address PUBLIC_URL on ${TEST_DIALECT}`, () => {
    let server;
    before(async () => { server = await startServer({ PUBLIC_URL: 'http://127.0.0.1:5000' }); });
    after(async () => { await server.close(); });
    it('answer 400 passkeys_unavailable, saying why', async () => {
        const reply = await request(server, 'POST', '/sessions/passkey/options');
        assert.deepEqual([reply.status, reply.body.code], [400, 'passkeys_unavailable']);
        assert.match(reply.body.message, /IP address/);
    });
});
