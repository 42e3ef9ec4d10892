// The hosted pages over real HTTP, without a browser: their headers (CSP), form tokens and
// the cross-site check, return_to, tokens of mail links not consumed by a GET, errors
// tied to fields, languages, and the limits they share with the JSON API. The browser
// flows are in browser.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { translate } from '../src/i18n/catalogue.js';
import { ACCOUNT_NOTICES, LOGIN_NOTICES } from '../src/ui/notices.js';
import { TEST_DIALECT } from './support/database.js';
import { attributeOf, PageClient } from './support/pages.js';
import { PASSWORD, request, startServer, uniqueEmail } from './support/server.js';
import { freePort } from './support/service.js';
import { startSmtpReceiver } from './support/smtp.js';
const TRUSTED = 'https://app.example.com';
/** A text as the templates escape it. */
function escaped(text) {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
function assertPageHeaders(headers, where) {
    assert.match(headers.get('content-type') ?? '', /^text\/html; charset=utf-8/, where);
    const csp = headers.get('content-security-policy') ?? '';
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/, `${where}: ${csp}`);
    assert.match(csp, /frame-ancestors 'none'/, where);
    assert.match(csp, /default-src 'none'/, where);
    // Sources are this origin, data: images and the form targets (PUBLIC_URL, TRUSTED_ORIGINS) only.
    const sources = csp.split(';').flatMap(directive => directive.trim().split(/\s+/).slice(1));
    const allowed = new Set(["'self'", "'none'", 'data:', 'https://auth.example.com', TRUSTED]);
    assert.deepEqual(sources.filter(source => !allowed.has(source)), [], `${where}: ${csp}`);
    assert.equal(headers.get('x-frame-options'), 'DENY', where);
    assert.equal(headers.get('cache-control'), 'no-store', where);
}
describe(`hosted pages over HTTP on ${TEST_DIALECT}`, () => {
    let server;
    let smtp;
    before(async () => {
        smtp = await startSmtpReceiver();
        server = await startServer({ SMTP_URL: smtp.url, PUBLIC_URL: 'https://auth.example.com', TRUSTED_ORIGINS: TRUSTED });
    });
    after(async () => {
        await server.close();
        await smtp.close();
    });
    async function account(email = uniqueEmail('page')) {
        const created = await request(server, 'POST', '/users', { email, password: PASSWORD });
        assert.equal(created.status, 200, created.text);
        return email;
    }
    it('every page is HTML under the page CSP (no unsafe-inline, no other host); the JSON API keeps its own', async () => {
        const client = new PageClient(server);
        for (const path of ['/ui/login', '/ui/register', '/ui/forgot_password', '/ui/reset_password?token=nope', '/ui/verify_email?token=x', '/ui/confirm_email?token=x', '/ui/no-such-page']) {
            const page = await client.get(path);
            assert.ok([200, 403, 404].includes(page.status), `${path}: ${page.status}`);
            assertPageHeaders(page.headers, path);
            assert.match(page.html, /^<!doctype html>\n<html lang="en">/, path);
            assert.match(page.html, /<link rel="stylesheet" href="\/ui\/assets\/style\.css\?v=[\w-]+">/, path);
            // Scripts only from this origin's assets (the passkey ones); no inline script, style or handler.
            assert.doesNotMatch(page.html, /<script(?![^>]*\bsrc="\/ui\/assets\/[\w.]+\?v=[\w-]+")|<script[^>]*>[^<]|style="|\son[a-z]+=/i, `${path} has no inline script, inline style or handler`);
        }
        assert.equal((await client.get('/ui/no-such-page')).status, 404);
        for (const path of ['/ui/account', '/ui/logout']) {
            const page = await client.get(path);
            assert.equal(page.status, 303, path);
            assert.match(page.location ?? '', /^\/ui\/login/, path);
        }
        const api = await fetch(`${server.url}/health/alive`);
        assert.equal(api.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'");
        const apiMissing = await request(server, 'GET', '/no-such-route');
        assert.deepEqual([apiMissing.status, apiMissing.body.code], [404, 'not_found'], 'outside /ui/ a 404 is still JSON');
    });
    it('serves one stylesheet from this origin, cached for good under its versioned URL', async () => {
        const page = await new PageClient(server).get('/ui/login');
        const href = /href="(\/ui\/assets\/style\.css\?v=[\w-]+)"/.exec(page.html)?.[1] ?? '';
        const css = await fetch(server.url + href);
        assert.equal(css.status, 200);
        assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
        assert.equal(css.headers.get('cache-control'), 'public, max-age=31536000, immutable');
        assert.match(await css.text(), /@media/);
        assert.equal((await fetch(`${server.url}/ui/assets/style.css?v=old`)).headers.get('cache-control'), 'no-cache');
    });
    it('signs in with the form token and the same session cookie as the API', async () => {
        const email = await account();
        const client = new PageClient(server);
        const signedIn = await client.submit('/ui/login', '/ui/login', { email, password: PASSWORD });
        assert.equal(signedIn.status, 303, signedIn.html);
        assert.equal(signedIn.location, '/ui/account');
        const token = client.cookies.get('session_id') ?? '';
        assert.match(signedIn.headers.getSetCookie().join('\n'), /session_id=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax/);
        const sessions = await request(server, 'GET', '/account/sessions', undefined, { session: token });
        assert.equal(sessions.status, 200, 'the page session works on the JSON API');
        assert.equal(sessions.body.sessions.length, 1);
        const page = await client.get('/ui/account');
        assert.equal(page.status, 200);
        assert.ok(page.html.includes(email));
    });
    it('refuses a form post without its token, with a wrong one, or from another site, and creates no session', async () => {
        const email = await account();
        const client = new PageClient(server);
        const form = await client.get('/ui/login');
        const attempts = [
            ['no token', { email, password: PASSWORD }, {}],
            ['a wrong token', { email, password: PASSWORD, _csrf: 'x'.repeat(52) }, {}],
            ['another origin', { email, password: PASSWORD }, { origin: 'https://evil.example' }],
            ['Origin: null', { email, password: PASSWORD }, { origin: 'null' }]
        ];
        for (const [what, fields, headers] of attempts) {
            const reply = await client.post('/ui/login', fields, { tokenFrom: what === 'no token' || what === 'a wrong token' ? undefined : form, headers });
            assert.equal(reply.status, 403, what);
            assertPageHeaders(reply.headers, what);
            assert.match(reply.html, /form has expired or was sent from another site/, what);
            assert.equal(client.cookies.has('session_id'), false, `${what}: no session`);
        }
        // A token of another browser (its own secret cookie) does not pass either.
        const other = new PageClient(server);
        const stolen = await other.get('/ui/login');
        const reply = await client.post('/ui/login', { email, password: PASSWORD }, { tokenFrom: stolen });
        assert.equal(reply.status, 403);
        const events = await request(server, 'POST', '/sessions', { email, password: PASSWORD });
        const list = await request(server, 'GET', '/account/sessions', undefined, { session: /session_id=([^;]+)/.exec(events.headers.get('set-cookie') ?? '')?.[1] });
        assert.equal(list.body.sessions.length, 1, 'only the API sign-in made a session');
    });
    it('return_to: a path or the origin of PUBLIC_URL or TRUSTED_ORIGINS, nothing else', async () => {
        const client = new PageClient(server);
        for (const target of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'https://app.example.com.evil.example/', 'https://user@app.example.com/', 'javascript:alert(1)', 'http://app.example.com/']) {
            const page = await client.get(`/ui/login?return_to=${encodeURIComponent(target)}`);
            assert.equal(page.status, 400, target);
            assert.match(page.html, /points to a site this service does not trust/, target);
            assert.doesNotMatch(page.html, /evil/, 'the refused address is not echoed into a link');
        }
        const email = await account();
        const target = `${TRUSTED}/after?x=1`;
        const form = await client.get(`/ui/login?return_to=${encodeURIComponent(target)}`);
        assert.equal(form.status, 200);
        assert.match(form.headers.get('content-security-policy') ?? '', new RegExp(`form-action 'self' https://auth\\.example\\.com ${TRUSTED}`), 'the redirect after the POST is allowed');
        const refused = await client.post(`/ui/login?return_to=${encodeURIComponent('https://evil.example/')}`, { email, password: PASSWORD }, { tokenFrom: form });
        assert.equal(refused.status, 400, 'a POST with a bad return_to signs nobody in');
        assert.equal(client.cookies.has('session_id'), false);
        const signedIn = await client.post(`/ui/login?return_to=${encodeURIComponent(target)}`, { email, password: PASSWORD }, { tokenFrom: form });
        assert.equal(signedIn.status, 303);
        assert.equal(signedIn.location, target);
    });
    it('a wrong password is a 401 page with the error tied to the field', async () => {
        const email = await account();
        const client = new PageClient(server);
        const page = await client.submit('/ui/login', '/ui/login', { email, password: 'wrong password here' });
        assert.equal(page.status, 401);
        assert.match(page.html, /<title>There is a problem: Sign in · /);
        assert.match(page.html, /role="alert"/);
        assert.equal(attributeOf(page.html, 'login-password', 'aria-invalid'), 'true');
        assert.equal(attributeOf(page.html, 'login-password', 'aria-describedby'), 'login-password-error');
        assert.equal(attributeOf(page.html, 'login-password', 'autocomplete'), 'current-password');
        assert.match(page.html, /id="login-password-error">.*Email address or password is incorrect\./);
        assert.match(page.html, /<a href="#login-password">Email address or password is incorrect\.<\/a>/);
        assert.equal(attributeOf(page.html, 'login-email', 'value'), email, 'the email is kept');
        assert.equal(client.cookies.has('session_id'), false);
    });
    it('every input is labelled and has its autocomplete', async () => {
        const client = new PageClient(server);
        const email = await account();
        await client.submit('/ui/login', '/ui/login', { email, password: PASSWORD });
        for (const path of ['/ui/login', '/ui/register', '/ui/forgot_password', '/ui/account']) {
            const page = await client.get(path);
            if (path === '/ui/login')
                continue; // signed in: it redirects
            const inputs = [...page.html.matchAll(/<(input|select)\b[^>]*>/g)].map(match => match[0]).filter(tag => !/type="(hidden|checkbox)"|\bhidden\b/.test(tag));
            assert.ok(inputs.length > 0, path);
            for (const tag of inputs) {
                const id = /\bid="([^"]+)"/.exec(tag)?.[1];
                assert.ok(id !== undefined && page.html.includes(`<label for="${id}">`), `${path}: ${tag} has a label`);
                assert.match(tag, /autocomplete="(email( webauthn)?|current-password|new-password|language|off)"/, `${path}: ${tag}`);
            }
        }
    });
    it('a GET of a mail link consumes nothing; its button does, once', async () => {
        const email = await account();
        const mail = await smtp.waitFor(email, /Confirm your email address/);
        const token = /verify_email\?token=([\w-]{43})/.exec(mail.text)?.[1] ?? '';
        const client = new PageClient(server);
        let page = await client.get(`/ui/verify_email?token=${token}`);
        for (let i = 0; i < 2; i++) {
            page = await client.get(`/ui/verify_email?token=${token}`);
            assert.equal(page.status, 200);
            assert.match(page.html, /<button type="submit" autofocus>Verify my email address<\/button>/);
            assert.ok(page.html.includes(`confirm that ${email} is your address`), 'the page names the address');
        }
        const verified = await client.post('/ui/verify_email', { token }, { tokenFrom: page });
        assert.equal(verified.status, 200, verified.html);
        assert.ok(verified.html.includes(`Your email address ${email} is verified.`));
        const again = await client.post('/ui/verify_email', { token }, { tokenFrom: page });
        assert.equal(again.status, 403);
        assert.match(again.html, /invalid, has expired, or was already used/);
        const used = await client.get(`/ui/verify_email?token=${token}`);
        assert.equal(used.status, 403, 'once used, the link says so up front');
        assert.doesNotMatch(used.html, /<button/);
        // The reset link: the page shows the form (and the address); the token still works after.
        const asked = await request(server, 'POST', '/reset_password', { email });
        assert.equal(asked.status, 200);
        const reset = await smtp.waitFor(email, /Reset your password/);
        const resetToken = /reset_password\?token=([\w-]{43})/.exec(reset.text)?.[1] ?? '';
        const form = await client.get(`/ui/reset_password?token=${resetToken}`);
        assert.equal(form.status, 200);
        assert.ok(form.html.includes(email));
        const weak = await client.post('/ui/reset_password', { token: resetToken, new_password: 'short' }, { tokenFrom: form });
        assert.equal(weak.status, 400);
        assert.equal(attributeOf(weak.html, 'reset-new_password', 'aria-invalid'), 'true');
        const done = await client.post('/ui/reset_password', { token: resetToken, new_password: 'a brand new passphrase' }, { tokenFrom: form });
        assert.equal(done.status, 303, done.html);
        assert.match(done.location ?? '', /^\/ui\/login\?notice=password_reset/);
        assert.equal((await request(server, 'POST', '/sessions', { email, password: 'a brand new passphrase' })).status, 200);
        assert.equal((await client.get(`/ui/reset_password?token=${resetToken}`)).status, 403, 'used');
    });
    it('speaks French with ?lang=fr or Accept-Language, and a French sign-up gets French mail', async () => {
        const client = new PageClient(server);
        const page = await client.get('/ui/login?lang=fr');
        assert.match(page.html, /<html lang="fr">/);
        assert.match(page.html, /<h1>Connexion<\/h1>/);
        assert.match(page.html, /action="\/ui\/login\?lang=fr"/, 'the form keeps the language');
        assert.match(page.html, /href="\/ui\/register\?lang=fr"/);
        const negotiated = await client.get('/ui/register', { 'accept-language': 'fr-CA,fr;q=0.9,en;q=0.5' });
        assert.match(negotiated.html, /<html lang="fr">/);
        assert.match(negotiated.html, /Créer un compte/);
        assert.match((await client.get('/ui/register', { 'accept-language': 'de' })).html, /<html lang="en">/);
        const email = uniqueEmail('fr');
        const registered = await client.submit('/ui/register?lang=fr', '/ui/register?lang=fr', { email, password: 'court' });
        assert.equal(registered.status, 400);
        assert.match(registered.html, /Utilisez au moins 8 caractères\./);
        const created = await client.post('/ui/register?lang=fr', { email, password: PASSWORD }, { tokenFrom: registered });
        assert.equal(created.status, 303, created.html);
        assert.equal(created.location, '/ui/account?lang=fr&notice=welcome', 'signed up is signed in');
        await smtp.waitFor(email, /Confirmez votre adresse e-mail/);
        const welcome = await client.get(created.location ?? '');
        assert.ok(welcome.html.includes(escaped(translate('fr', 'notice.welcome'))), 'the welcome, in French');
        const account = await request(server, 'GET', '/account', undefined, { session: client.cookies.get('session_id') });
        assert.equal(account.body.language, 'fr');
    });
    it('the sign-in page shows a notice only for a key of its fixed list, in the page\'s language, never text from the query', async () => {
        const client = new PageClient(server);
        const noticeOfPage = (html) => /<div class="alert notice" role="status"><p>([^<]*)<\/p><\/div>/.exec(html)?.[1] ?? null;
        const unescape = (text) => text.replace(/&#39;/g, '\'').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
        // The keys the service itself redirects to the sign-in page with.
        for (const key of ['registered', 'registered_verify', 'signed_out', 'password_reset', 'account_deleted']) {
            for (const language of ['en', 'fr']) {
                const page = await client.get(`/ui/login?lang=${language}&notice=${key}&email=someone%40example.com`);
                assert.equal(page.status, 200);
                const shown = noticeOfPage(page.html);
                assert.equal(shown === null ? null : unescape(shown), translate(language, `notice.${key}`), `${key} in ${language}`);
                assert.doesNotMatch(shown ?? '', /someone@example\.com|\{/, 'no address and no placeholder in the text');
            }
        }
        const phishing = 'Your account is locked. Call +1 555 0100 to unlock it';
        for (const query of [
            `notice=${encodeURIComponent('<script>alert(1)</script>')}`,
            `notice=${encodeURIComponent(phishing)}`,
            'notice=__proto__', 'notice=toString', 'notice=reset_sent', 'notice=email_verified',
            // The one login notice that took the query's email into its text.
            `notice=email_changed&email=${encodeURIComponent(phishing)}`,
            `notice=registered&email=${encodeURIComponent(`<script>alert(1)</script> ${phishing}`)}`
        ]) {
            const page = await client.get(`/ui/login?${query}`);
            assert.equal(page.status, 200, query);
            assert.doesNotMatch(page.html, /<script>alert/, query);
            // The address may prefill the input (escaped), and appear nowhere else.
            const outsideInputs = page.html.replace(/<input[^>]*>/g, '');
            assert.ok(!outsideInputs.includes(phishing.slice(0, 24)), `${query}: the query's text is not on the page`);
            assert.ok(!outsideInputs.includes('alert(1)'), query);
            const shown = noticeOfPage(page.html);
            if (query.startsWith('notice=registered&'))
                assert.equal(shown, translate('en', 'notice.registered'));
            else
                assert.equal(shown, null, `${query}: no notice`);
        }
        // No notice of either list takes a value: nothing from a query can be put into one.
        for (const key of [...LOGIN_NOTICES, ...ACCOUNT_NOTICES]) {
            for (const language of ['en', 'fr'])
                assert.doesNotMatch(translate(language, `notice.${key}`), /\{/, `notice.${key} (${language})`);
        }
        const prefilled = await client.get(`/ui/login?notice=password_reset&email=${encodeURIComponent('"><b>x</b>@example.com')}`);
        assert.match(prefilled.html, /value="&quot;&gt;&lt;b&gt;x&lt;\/b&gt;@example\.com"/, 'the input is prefilled, escaped');
    });
    it('account forms: a refusal shows the page again with the error on its own form; success redirects with a notice', async () => {
        const email = await account();
        const client = new PageClient(server);
        await client.submit('/ui/login', '/ui/login', { email, password: PASSWORD });
        const page = await client.get('/ui/account');
        const wrong = await client.post('/ui/account/email', { new_email: uniqueEmail('moved'), current_password: 'not the password' }, { tokenFrom: page });
        assert.equal(wrong.status, 403);
        assert.equal(attributeOf(wrong.html, 'email-current_password', 'aria-invalid'), 'true');
        assert.equal(attributeOf(wrong.html, 'password-current_password', 'aria-invalid'), undefined, 'the other form with the same field is untouched');
        assert.match(wrong.html, /id="email-new_email"[^>]*value="moved-/, 'the new address is kept');
        const unknown = await client.post('/ui/account/language', { language: 'xx' }, { tokenFrom: page });
        assert.equal(unknown.status, 400);
        const french = await client.post('/ui/account/language', { language: 'fr' }, { tokenFrom: page });
        assert.equal(french.status, 303);
        assert.equal(french.location, '/ui/account?notice=language_saved');
        assert.equal((await request(server, 'GET', '/account', undefined, { session: client.cookies.get('session_id') })).body.language, 'fr');
        const gone = await client.post('/ui/account/sessions/revoke', { session: 'x'.repeat(22) }, { tokenFrom: page });
        assert.equal(gone.status, 404);
        assert.match(gone.html, /That device is already signed out/);
        // Signed out, a form post goes to the sign-in page and changes nothing.
        const signedOut = new PageClient(server);
        const form = await signedOut.get('/ui/login');
        const refused = await signedOut.post('/ui/account/language', { language: 'en' }, { tokenFrom: form });
        assert.equal(refused.status, 303);
        assert.equal(refused.location, '/ui/login?return_to=%2Fui%2Faccount');
    });
    it('signing up signs in: the API\'s session cookie, made by the login flow; POST /users keeps its v1 reply', async () => {
        const email = uniqueEmail('signup');
        const client = new PageClient(server);
        const created = await client.submit('/ui/register', '/ui/register', { email, password: PASSWORD });
        assert.equal(created.status, 303, created.html);
        assert.equal(created.location, '/ui/account?notice=welcome');
        assert.match(created.headers.getSetCookie().join('\n'), /session_id=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax/);
        const token = client.cookies.get('session_id') ?? '';
        const sessions = await request(server, 'GET', '/account/sessions', undefined, { session: token });
        assert.equal(sessions.status, 200);
        assert.deepEqual(sessions.body.sessions.map((s) => s.methods), [['password']], 'one session, proven by the password just set');
        const events = await request(server, 'GET', '/account/events', undefined, { session: token });
        assert.deepEqual(events.body.events.map((e) => e.type).sort(), ['email.verification_sent', 'login.succeeded', 'user.created']);
        const page = await client.get(created.location ?? '');
        assert.equal(page.status, 200);
        assert.ok(page.html.includes(escaped(translate('en', 'notice.welcome'))));
        await smtp.waitFor(email, /Confirm your email address/);
        // A return_to is followed after the sign-up as after a sign-in; a foreign one makes no account.
        const next = new PageClient(server);
        const target = `${TRUSTED}/welcome`;
        const form = await next.get(`/ui/register?return_to=${encodeURIComponent(target)}`);
        assert.equal(form.status, 200);
        const refused = await next.post(`/ui/register?return_to=${encodeURIComponent('https://evil.example/')}`, { email: uniqueEmail('evil'), password: PASSWORD }, { tokenFrom: form });
        assert.equal(refused.status, 400);
        assert.equal(next.cookies.has('session_id'), false);
        assert.equal((await next.get(`/ui/register?return_to=${encodeURIComponent('https://evil.example/')}`)).status, 400);
        const followed = await next.post(`/ui/register?return_to=${encodeURIComponent(target)}`, { email: uniqueEmail('return'), password: PASSWORD }, { tokenFrom: form });
        assert.equal(followed.status, 303);
        assert.equal(followed.location, target);
        assert.equal(next.cookies.has('session_id'), true);
        // The JSON sign-up is the v1 contract: its body, and no cookie.
        const json = await request(server, 'POST', '/users', { email: uniqueEmail('json'), password: PASSWORD }, { encoding: 'json' });
        assert.equal(json.status, 200);
        assert.deepEqual(Object.keys(json.body).sort(), ['email', 'message']);
        assert.equal(json.body.message, 'user created');
        assert.equal(json.headers.get('set-cookie'), null);
    });
    it('an empty form flags every required field, each error tied to its input, in English and French', async () => {
        const client = new PageClient(server);
        const cases = [
            { page: '/ui/register', form: 'register', fields: { email: 'field.email', password: 'field.password' } },
            { page: '/ui/login', form: 'login', fields: { email: 'field.email', password: 'field.password' } },
            { page: '/ui/forgot_password', form: 'forgot', fields: { email: 'field.email' } }
        ];
        for (const language of ['en', 'fr']) {
            for (const { page: path, form, fields } of cases) {
                const body = Object.fromEntries(Object.keys(fields).map(name => [name, '']));
                const page = await client.submit(`${path}?lang=${language}`, `${path}?lang=${language}`, body);
                assert.equal(page.status, 400, `${path} ${language}`);
                for (const [name, label] of Object.entries(fields)) {
                    const id = `${form}-${name}`;
                    const message = translate(language, 'issue.required', { field: translate(language, label).toLowerCase() });
                    assert.equal(attributeOf(page.html, id, 'aria-invalid'), 'true', `${id} ${language}`);
                    assert.match(attributeOf(page.html, id, 'aria-describedby') ?? '', new RegExp(`\\b${id}-error\\b`), `${id} ${language}`);
                    const shown = new RegExp(`<p class="field-error" id="${id}-error"><span class="visually-hidden">[^<]*</span>([^<]*)</p>`).exec(page.html)?.[1];
                    assert.equal(shown, escaped(message), `${id} ${language}`);
                    assert.ok(page.html.includes(`<a href="#${id}">`), `the summary links to ${id}`);
                }
            }
        }
        assert.equal(translate('fr', 'issue.required', { field: translate('fr', 'field.password').toLowerCase() }), 'Saisissez votre mot de passe.');
        // A field with a value is not flagged; an empty new password on the security page is.
        const partly = await client.submit('/ui/login', '/ui/login', { email: 'someone@example.com', password: '' });
        assert.equal(attributeOf(partly.html, 'login-email', 'aria-invalid'), undefined);
        assert.equal(attributeOf(partly.html, 'login-password', 'aria-invalid'), 'true');
        const email = await account();
        await client.submit('/ui/login', '/ui/login', { email, password: PASSWORD });
        const security = await client.get('/ui/account/security');
        const empty = await client.post('/ui/account/email', { new_email: ' ', current_password: '' }, { tokenFrom: security });
        assert.equal(empty.status, 400);
        assert.equal(attributeOf(empty.html, 'email-new_email', 'aria-invalid'), 'true');
    });
    it('a mail link that cannot work says so on its GET, with what to do next, and consumes nothing', async () => {
        const client = new PageClient(server);
        for (const [path, next] of [['/ui/verify_email', 'text.verify_link_next'], ['/ui/confirm_email', 'text.confirm_link_next'], ['/ui/reset_password', 'text.reset_link_next']]) {
            for (const token of ['bogus', 'A'.repeat(43), '']) {
                const page = await client.get(`${path}?token=${token}`);
                assert.equal(page.status, 403, `${path}?token=${token}`);
                assert.match(page.html, /This link is invalid, has expired, or was already used\./);
                assert.ok(page.html.includes(escaped(translate('en', next))), `${path}: what to do next`);
                assert.doesNotMatch(page.html, /<button|name="token"/, `${path}: no button that cannot work`);
            }
        }
        const french = await client.get('/ui/verify_email?token=bogus&lang=fr');
        assert.ok(french.html.includes(escaped(translate('fr', 'text.verify_link_next'))));
        // Signed out, the way on is the sign-in page, then the profile (where a new link is asked for).
        assert.match((await client.get('/ui/verify_email?token=bogus')).html, /href="\/ui\/login\?return_to=%2Fui%2Faccount"/);
        assert.match((await client.get('/ui/confirm_email?token=bogus')).html, /href="\/ui\/login\?return_to=%2Fui%2Faccount%2Fsecurity"/);
        // A live token: the GET shows the button and the address, and the token still works.
        const email = await account();
        const mail = await smtp.waitFor(email, /Confirm your email address/);
        const token = /verify_email\?token=([\w-]{43})/.exec(mail.text)?.[1] ?? '';
        for (let i = 0; i < 3; i++)
            assert.equal((await client.get(`/ui/verify_email?token=${token}`)).status, 200);
        const verified = await client.submit(`/ui/verify_email?token=${token}`, '/ui/verify_email', { token });
        assert.equal(verified.status, 200);
        // An expired one is as dead as an unknown one.
        const other = await account();
        const expiring = await smtp.waitFor(other, /Confirm your email address/);
        const old = /verify_email\?token=([\w-]{43})/.exec(expiring.text)?.[1] ?? '';
        await server.db.updateTable('one_time_tokens').set({ expires_at: Date.now() - 1000 }).where('purpose', '=', 'email_verification').where('expires_at', '>', Date.now()).where('user_id', '=', (await server.db.selectFrom('users').select('id').where('email', '=', other).executeTakeFirstOrThrow()).id).execute();
        assert.equal((await client.get(`/ui/verify_email?token=${old}`)).status, 403);
    });
    it('the account is four short pages with one navigation and "Sign out" in the header; old URLs and forms keep working', async () => {
        const email = await account();
        const client = new PageClient(server);
        const sections = { '/ui/account': 'Profile', '/ui/account/security': 'Security', '/ui/account/devices': 'Signed-in devices', '/ui/account/activity': 'Recent security activity' };
        for (const path of Object.keys(sections)) {
            const away = await client.get(path);
            assert.equal(away.status, 303, path);
            assert.equal(away.location, `/ui/login?return_to=${encodeURIComponent(path)}`, `${path}: back here after signing in`);
        }
        const signedIn = await client.submit('/ui/login?return_to=%2Fui%2Faccount%2Fdevices', '/ui/login?return_to=%2Fui%2Faccount%2Fdevices', { email, password: PASSWORD });
        assert.equal(signedIn.location, '/ui/account/devices');
        for (const [path, heading] of Object.entries(sections)) {
            const page = await client.get(path);
            assert.equal(page.status, 200, path);
            assertPageHeaders(page.headers, path);
            assert.ok(page.html.includes(`<h1>${heading}</h1>`), path);
            const header = /<header[\s\S]*?<\/header>/.exec(page.html)?.[0] ?? '';
            assert.match(header, /<form method="post" action="\/ui\/logout" class="sign-out">[\s\S]*name="_csrf"[\s\S]*>Sign out<\/button>/, `${path}: Sign out in the header`);
            const links = [...header.matchAll(/<li><a href="([^"]+)"( aria-current="page")?>/g)];
            assert.deepEqual(links.map(link => link[1]), Object.keys(sections), `${path}: the navigation`);
            assert.deepEqual(links.filter(link => link[2] !== undefined).map(link => link[1]), [path], `${path}: marks itself`);
        }
        const profile = await client.get('/ui/account');
        const security = await client.get('/ui/account/security');
        assert.ok(profile.html.includes(email) && profile.html.includes('action="/ui/account/language"') && profile.html.includes('action="/ui/account/delete"'));
        assert.ok(!profile.html.includes('action="/ui/account/password"'), 'the profile has no security forms');
        for (const form of ['password', 'email'])
            assert.ok(security.html.includes(`action="/ui/account/${form}"`), form);
        // Each form goes back to its own page, the language kept.
        const french = await client.get('/ui/account/security?lang=fr');
        assert.match(french.html, /<h1>Sécurité<\/h1>/);
        const changed = await client.post('/ui/account/password?lang=fr', { current_password: PASSWORD, new_password: 'another long passphrase' }, { tokenFrom: french });
        assert.equal(changed.status, 303, changed.html);
        assert.equal(changed.location, '/ui/account/security?lang=fr&notice=password_changed');
        const saved = await client.post('/ui/account/language', { language: 'en' }, { tokenFrom: security });
        assert.equal(saved.location, '/ui/account?notice=language_saved');
        const others = await client.post('/ui/account/sessions/revoke_others', {}, { tokenFrom: security });
        assert.equal(others.location, '/ui/account/devices?notice=sessions_revoked');
        // A stale session is asked to confirm it is you, then comes back to the page it was on.
        await server.db.updateTable('sessions').set({ authenticated_at: Date.now() - 3600_000 }).execute();
        const stale = await client.post('/ui/account/email', { new_email: uniqueEmail('moved'), current_password: '' }, { tokenFrom: security });
        assert.equal(stale.location, '/ui/reauthenticate?return_to=%2Fui%2Faccount%2Fsecurity');
        const confirm = await client.get(stale.location ?? '');
        assert.match(confirm.html, /href="\/ui\/account\/security">Go to your account/);
        const back = await client.post(stale.location ?? '', { password: 'another long passphrase' }, { tokenFrom: confirm });
        assert.equal(back.location, '/ui/account/security?notice=reauthenticated');
        const older = await client.post('/ui/reauthenticate?return_to=%2Fui%2Faccount', { password: 'another long passphrase' }, { tokenFrom: confirm });
        assert.equal(older.location, '/ui/account?notice=reauthenticated', 'a return_to of before the sections still works');
        assert.equal((await client.get('/ui/account/activity?before=x')).status, 400);
    });
    it('devices are named from their user agent, the current one marked, each sign-out button named apart', async () => {
        const email = await account();
        const firefox = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
        const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1';
        for (const agent of [iphone, firefox, firefox, 'curl/8.5.0']) {
            assert.equal((await request(server, 'POST', '/sessions', { email, password: PASSWORD }, { headers: { 'user-agent': agent } })).status, 200);
        }
        const client = new PageClient(server);
        const form = await client.get('/ui/login', { 'user-agent': firefox });
        await client.post('/ui/login', { email, password: PASSWORD }, { tokenFrom: form, headers: { 'user-agent': firefox } });
        const names = (html) => [...html.matchAll(/<h3 class="device-name">([^<]*)/g)].map(match => match[1]?.trim() ?? '');
        const buttons = (html) => [...html.matchAll(/<button type="submit" class="secondary">([^<]*)<span class="visually-hidden">([^<]*)<\/span><\/button>/g)].map(match => `${match[1] ?? ''}${match[2] ?? ''}`);
        const page = await client.get('/ui/account/devices', { 'user-agent': firefox });
        assert.deepEqual(names(page.html), ['Firefox on Windows', 'curl/8.5.0', 'Firefox on Windows', 'Firefox on Windows', 'Safari on iPhone']);
        assert.match(page.html, /<h3 class="device-name">Firefox on Windows <span class="badge ok">This device<\/span><\/h3>/, 'the newest, this one, is marked');
        assert.equal((page.html.match(/This device/g) ?? []).length, 1);
        assert.match(page.html, /IP address 127\.0\.0\.1 · Signed in /);
        const labels = buttons(page.html);
        assert.equal(labels.length, 5);
        assert.equal(new Set(labels).size, 5, `every button has its own name: ${labels.join(' | ')}`);
        assert.equal(labels[0], 'Sign out Firefox on Windows (this device)');
        assert.equal(labels[4], 'Sign out Safari on iPhone');
        // Same browser, same address: the time last seen, and (the same minute) their place in the list.
        for (const label of labels.slice(2, 4))
            assert.match(label, /^Sign out Firefox on Windows, 127\.0\.0\.1, last active .*UTC( \([12]\))?$/);
        assert.doesNotMatch(page.html, /Mozilla\/5\.0/, 'no raw user agent on the page');
        const french = await client.get('/ui/account/devices?lang=fr');
        assert.deepEqual(names(french.html).slice(-1), ['Safari sur iPhone']);
        assert.equal(buttons(french.html)[0], 'Déconnecter Firefox sur Windows (cet appareil)');
        // The activity page names devices the same way.
        const activity = await client.get('/ui/account/activity');
        assert.match(activity.html, /Signed in<\/span> <span class="meta"><time[^>]*>[^<]*<\/time> · Firefox on Windows · 127\.0\.0\.1/);
    });
    it('every page links the icon; /ui/assets serves it for good and /favicon.ico answers with it', async () => {
        const page = await new PageClient(server).get('/ui/login');
        const href = /<link rel="icon" href="(\/ui\/assets\/favicon\.svg\?v=[\w-]+)" type="image\/svg\+xml">/.exec(page.html)?.[1];
        assert.ok(href !== undefined, 'the icon link');
        const icon = await fetch(server.url + href);
        assert.equal(icon.status, 200);
        assert.equal(icon.headers.get('content-type'), 'image/svg+xml');
        assert.equal(icon.headers.get('cache-control'), 'public, max-age=31536000, immutable');
        const svg = await icon.text();
        assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
        assert.doesNotMatch(svg, /<script|href=/i);
        const root = await fetch(`${server.url}/favicon.ico`);
        assert.equal(root.status, 200);
        assert.equal(root.headers.get('content-type'), 'image/svg+xml');
        assert.equal(root.headers.get('cache-control'), 'public, max-age=86400');
        assert.equal(await root.text(), svg);
    });
    it('malformed posts get an HTML error page, never JSON or a 500', async () => {
        const client = new PageClient(server);
        const form = await client.get('/ui/login');
        const missing = await client.post('/ui/login', {}, { tokenFrom: form });
        assert.equal(missing.status, 400);
        assertPageHeaders(missing.headers, 'missing fields');
        const text = await fetch(`${server.url}/ui/login`, { method: 'POST', headers: { 'content-type': 'text/plain', origin: 'https://auth.example.com' }, body: 'x' });
        assert.equal(text.status, 415);
        assert.match(text.headers.get('content-type') ?? '', /^text\/html/);
        const huge = await client.post('/ui/login', { email: 'a@b.example', password: 'x'.repeat(70_000) }, { tokenFrom: form });
        assert.equal(huge.status, 413);
        assert.match(huge.headers.get('content-type') ?? '', /^text\/html/);
    });
});
describe(`hosted pages share the JSON API's limits on ${TEST_DIALECT}`, () => {
    let server;
    before(async () => { server = await startServer({ RATE_LIMIT_LOGIN: '3', RATE_LIMIT_WINDOW: '60' }); });
    after(async () => { await server.close(); });
    it('the per-IP sign-in budget is one for POST /sessions and the login page', async () => {
        for (let i = 0; i < 2; i++)
            assert.equal((await request(server, 'POST', '/sessions', { email: 'nobody@example.com', password: 'wrong password' })).status, 401);
        const client = new PageClient(server);
        const third = await client.submit('/ui/login', '/ui/login', { email: 'nobody@example.com', password: 'wrong password' });
        assert.equal(third.status, 401);
        const fourth = await client.submit('/ui/login', '/ui/login', { email: 'nobody@example.com', password: 'wrong password' });
        assert.equal(fourth.status, 429);
        assert.match(fourth.headers.get('content-type') ?? '', /^text\/html/);
        assert.match(fourth.headers.get('retry-after') ?? '', /^\d+$/);
        assert.match(fourth.html, /Too many requests from your network/);
        assert.equal((await request(server, 'POST', '/sessions', { email: 'nobody@example.com', password: 'wrong password' })).status, 429);
    });
    it('the passkey options a login page asks for as it loads do not use up the sign-in budget', async () => {
        const other = await startServer({ RATE_LIMIT_LOGIN: '3', RATE_LIMIT_WINDOW: '60' });
        try {
            for (let i = 0; i < 6; i++)
                assert.equal((await request(other, 'POST', '/sessions/passkey/options')).status, 200, `page view ${i + 1}`);
            assert.equal((await request(other, 'POST', '/sessions/passkey/options')).status, 429, 'a budget of their own: twice RATE_LIMIT_LOGIN');
            for (let i = 0; i < 3; i++)
                assert.equal((await request(other, 'POST', '/sessions', { email: 'nobody@example.com', password: 'wrong password' })).status, 401, `sign-in ${i + 1}`);
            assert.equal((await request(other, 'POST', '/sessions', { email: 'nobody@example.com', password: 'wrong password' })).status, 429);
        }
        finally {
            await other.close();
        }
    });
});
describe(`hosted pages without PUBLIC_URL on ${TEST_DIALECT}`, () => {
    let server;
    let port;
    before(async () => {
        port = await freePort();
        server = await startServer({ PORT: String(port) }, { port });
    });
    after(async () => { await server.close(); });
    it('take localhost, 127.0.0.1 and [::1] on its port as this service (a browser may use any), nothing else', async () => {
        const email = uniqueEmail('local');
        assert.equal((await request(server, 'POST', '/users', { email, password: PASSWORD })).status, 200);
        for (const origin of [`http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://[::1]:${port}`]) {
            const client = new PageClient(server, origin);
            const signedIn = await client.submit('/ui/login', '/ui/login', { email, password: PASSWORD });
            assert.equal(signedIn.status, 303, origin);
        }
        for (const origin of [`http://localhost:${port + 1}`, `https://localhost:${port}`, 'http://localhost']) {
            const client = new PageClient(server, origin);
            assert.equal((await client.submit('/ui/login', '/ui/login', { email, password: PASSWORD })).status, 403, origin);
        }
    });
});
describe(`hosted pages' branding on ${TEST_DIALECT}`, () => {
    let server;
    before(async () => { server = await startServer({ BRAND_NAME: 'Example <Co>', BRAND_LOGO_URL: 'https://cdn.example.net/logo.svg' }); });
    after(async () => { await server.close(); });
    it('shows BRAND_NAME (escaped) and the logo, whose host alone joins img-src', async () => {
        const page = await new PageClient(server).get('/ui/login');
        assert.match(page.html, /<title>Sign in · Example &lt;Co&gt;<\/title>/);
        assert.match(page.html, /<span class="brand-name">Example &lt;Co&gt;<\/span>/);
        assert.match(page.html, /<img src="https:\/\/cdn\.example\.net\/logo\.svg" alt="" class="logo">/);
        assert.match(page.headers.get('content-security-policy') ?? '', /img-src 'self' data: https:\/\/cdn\.example\.net;/);
        assert.doesNotMatch(page.headers.get('content-security-policy') ?? '', /(style|form-action|default)-src[^;]*cdn/);
    });
});
describe(`signing up from the page with REQUIRE_EMAIL_VERIFICATION on ${TEST_DIALECT}`, () => {
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
    it('signs nobody in: the page says to check the mail, in the page\'s language', async () => {
        for (const language of ['en', 'fr']) {
            const email = uniqueEmail(`verify-${language}`);
            const client = new PageClient(server);
            const page = await client.submit(`/ui/register?lang=${language}`, `/ui/register?lang=${language}`, { email, password: PASSWORD });
            assert.equal(page.status, 200, page.html);
            assert.equal(client.cookies.has('session_id'), false, 'no session before the address is proven');
            assert.ok(page.html.includes(`<h1>${translate(language, 'page.check_email')}</h1>`), language);
            assert.ok(page.html.includes(escaped(translate(language, 'text.check_email', { email }))), language);
            assert.ok(page.html.includes(`href="/ui/login?lang=${language}&amp;email=${encodeURIComponent(email)}"`), 'the sign-in page, the address filled in');
            await smtp.waitFor(email, language === 'en' ? /Confirm your email address/ : /Confirmez votre adresse e-mail/);
            const events = await server.db.selectFrom('audit_events').select('type').where('type', '=', 'login.succeeded').where('user_id', '=', (await server.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id).execute();
            assert.deepEqual(events, []);
        }
    });
});
