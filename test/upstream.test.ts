// Sign in with another identity provider, against real providers on loopback: an OpenID
// Connect provider (oidc-provider, the upstream's claims set per test) and a GitHub-shaped
// OAuth 2 server (test/support/upstream.ts). The browser is a form client with a cookie
// jar; the service is the real one over HTTP. The presets' own shapes have their own
// servers below: Apple (a client secret the service signs, form_post) and Microsoft (a
// tenant's issuer, another tenant's answer refused).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { decodeJwt, decodeProtectedHeader, exportPKCS8, generateKeyPair } from 'jose'
import { Secret, TOTP } from 'otpauth'
import { runCli } from './support/cli.js'
import { TEST_DIALECT } from './support/database.js'
import { PageClient } from './support/pages.js'
import { freePort } from './support/service.js'
import { PASSWORD, request, signUp, signUpVerified, startServer, type TestServer, uniqueEmail } from './support/server.js'
import { freshStep } from './support/totp.js'
import { type FakeGitHub, startFakeGitHub, startUpstreamOidc, type UpstreamAnswer, type UpstreamOidc } from './support/upstream.js'

const sessionOf = (browser: PageClient): string => browser.cookies.get('session_id') ?? ''
/** The first account with this address, or undefined. */
const userIdOf = async (server: TestServer, email: string): Promise<number | undefined> =>
  (await server.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst())?.id

describe(`sign in with another identity provider on ${TEST_DIALECT}`, () => {
  let server: TestServer
  let upstream: UpstreamOidc
  let github: FakeGitHub
  let subjects = 0
  const nextSubject = (): string => `upstream-${process.pid}-${++subjects}`

  before(async () => {
    upstream = await startUpstreamOidc()
    github = await startFakeGitHub()
    const port = await freePort()
    const publicUrl = `http://127.0.0.1:${port}`
    await upstream.registerClient({ clientId: 'authsvc', clientSecret: 'authsvc-secret', redirectUris: [`${publicUrl}/ui/oidc/acme/callback`] })
    github.registerClient('gh-client', 'gh-secret')
    server = await startServer({
      PUBLIC_URL: publicUrl,
      OIDC_PROVIDERS: 'acme,github',
      OIDC_ACME_ISSUER: upstream.issuer,
      OIDC_ACME_CLIENT_ID: 'authsvc',
      OIDC_ACME_CLIENT_SECRET: 'authsvc-secret',
      OIDC_GITHUB_CLIENT_ID: 'gh-client',
      OIDC_GITHUB_CLIENT_SECRET: 'gh-secret',
      OIDC_GITHUB_URL: github.url,
      OIDC_GITHUB_API_URL: github.url
    }, { port })
  })
  after(async () => {
    await server.close()
    await upstream.close()
    await github.close()
  })

  /** The browser starts at GET /sessions/oidc/<provider>; the provider signs in whoever the
   *  test set; returns the callback URL (on the service) and the browser. */
  async function atProvider (provider: 'acme' | 'github', browser = new PageClient(server), query = ''): Promise<{ browser: PageClient, callback: string }> {
    const start = await browser.get(`/sessions/oidc/${provider}${query}`)
    assert.equal(start.status, 302, start.html)
    const answer: UpstreamAnswer = await (provider === 'acme' ? upstream : github).authorize(start.location ?? '')
    assert.equal(answer.kind, 'redirect', JSON.stringify(answer))
    const location = (answer as { location: URL }).location
    return { browser, callback: location.pathname + location.search }
  }

  /** Through the provider and back: the callback's answer. */
  async function signInWith (provider: 'acme' | 'github', browser = new PageClient(server)): Promise<{ browser: PageClient, answer: Awaited<ReturnType<PageClient['get']>> }> {
    const { callback } = await atProvider(provider, browser)
    return { browser, answer: await browser.get(callback) }
  }

  async function profileOf (browser: PageClient): Promise<{ id: number, email: string, email_verified: boolean }> {
    const reply = await request(server, 'GET', '/account', undefined, { session: sessionOf(browser) })
    assert.equal(reply.status, 200, reply.text)
    return reply.body
  }
  const mailKinds = async (email: string): Promise<string[]> =>
    (await server.db.selectFrom('outbox').select('kind').where('recipient', '=', email).orderBy('id').execute()).map(row => row.kind)

  it('a first sign-in makes an account, its address verified as the provider says, and the session records oidc:acme; the next one signs in to it', async () => {
    const email = uniqueEmail('upstream-new')
    upstream.nextAccount = { sub: nextSubject(), email, email_verified: true }
    const { browser, answer } = await signInWith('acme')
    assert.equal(answer.status, 303, answer.html)
    assert.equal(answer.location, '/ui/account')
    const profile = await profileOf(browser)
    assert.deepEqual([profile.email, profile.email_verified], [email, true])
    const sessions = await request(server, 'GET', '/account/sessions', undefined, { session: sessionOf(browser) })
    assert.deepEqual(sessions.body.sessions[0].methods, ['oidc:acme'])
    const again = await signInWith('acme')
    assert.equal(again.answer.status, 303)
    assert.equal((await profileOf(again.browser)).id, profile.id)
    const identities = await request(server, 'GET', '/account/identities', undefined, { session: sessionOf(browser) })
    assert.deepEqual(identities.body.identities.map((entry: { provider: string, label: string, email: string }) => [entry.provider, entry.label, entry.email]), [['acme', 'Acme', email]])
    assert.deepEqual(await mailKinds(email), [], 'a verified address needs no verification mail')
    const shown = await runCli(['users', 'show', email], { DATABASE_URL: server.databaseUrl })
    assert.match(shown.stdout, new RegExp(`linked: +acme \\(${email.replace(/[.+]/g, '\\$&')}\\)`))
    const json = JSON.parse((await runCli(['users', 'show', email, '--json'], { DATABASE_URL: server.databaseUrl })).stdout) as { identities: Array<{ provider: string, issuer: string }> }
    assert.deepEqual(json.identities.map(identity => [identity.provider, identity.issuer]), [['acme', upstream.issuer]])
  })

  it('email_verified false: a new account with its address unverified (a verification mail); it never links to an account that has the address', async () => {
    const email = uniqueEmail('upstream-unverified')
    upstream.nextAccount = { sub: nextSubject(), email, email_verified: false }
    const { browser, answer } = await signInWith('acme')
    assert.equal(answer.status, 303, answer.html)
    assert.equal((await profileOf(browser)).email_verified, false)
    assert.deepEqual(await mailKinds(email), ['email_verification'])

    const owner = await signUpVerified(server)
    upstream.nextAccount = { sub: nextSubject(), email: owner.email, email_verified: false }
    const refused = await signInWith('acme')
    assert.equal(refused.answer.status, 403)
    assert.match(refused.answer.html, /already uses this email address/)
    assert.equal(refused.browser.cookies.get('session_id'), undefined)
    assert.equal((await server.db.selectFrom('identities').select('id').where('user_id', '=', owner.id).execute()).length, 0)
  })

  it('a provider-verified address that is a verified account\'s links to it, with a notice mail; an unverified account is not linked and not signed in', async () => {
    const owner = await signUpVerified(server)
    upstream.nextAccount = { sub: nextSubject(), email: owner.email, email_verified: true }
    const linked = await signInWith('acme')
    assert.equal(linked.answer.status, 303, linked.answer.html)
    assert.equal((await profileOf(linked.browser)).id, owner.id)
    assert.ok((await mailKinds(owner.email)).includes('identity_linked'))
    const events = await runCli(['events', '--user', String(owner.id), '--json'], { DATABASE_URL: server.databaseUrl })
    assert.ok((JSON.parse(events.stdout) as { events: Array<{ type: string }> }).events.some(event => event.type === 'identity.linked'))

    const unverified = await signUp(server)
    upstream.nextAccount = { sub: nextSubject(), email: unverified.email, email_verified: true }
    const refused = await signInWith('acme')
    assert.equal(refused.answer.status, 403)
    assert.match(refused.answer.html, /already uses this email address/)
    assert.equal(refused.browser.cookies.get('session_id'), undefined)
  })

  it('a changed email at the provider does not move the link: the subject decides', async () => {
    const subject = nextSubject()
    const first = uniqueEmail('upstream-moves')
    upstream.nextAccount = { sub: subject, email: first, email_verified: true }
    const { browser } = await signInWith('acme')
    const id = (await profileOf(browser)).id
    const other = await signUpVerified(server)
    upstream.nextAccount = { sub: subject, email: other.email, email_verified: true }
    const again = await signInWith('acme')
    assert.equal(again.answer.status, 303)
    assert.equal((await profileOf(again.browser)).id, id, 'still the first account, not the one with the new address')
  })

  it('with TOTP on the account, the second factor is still asked', async () => {
    const owner = await signUpVerified(server)
    const started = await request(server, 'POST', '/account/totp', { current_password: PASSWORD }, { session: owner.token })
    const totp = new TOTP({ secret: Secret.fromBase32(started.body.secret as string), digits: 6, period: 30, algorithm: 'SHA1' })
    await freshStep()
    const confirmed = await request(server, 'POST', '/account/totp/confirm', { code: totp.generate() }, { session: owner.token })
    assert.equal(confirmed.status, 200)
    upstream.nextAccount = { sub: nextSubject(), email: owner.email, email_verified: true }
    const { browser, answer } = await signInWith('acme')
    assert.equal(answer.status, 200)
    assert.match(answer.html, /name="mfa_token"/)
    assert.equal(browser.cookies.get('session_id'), undefined, 'no session before the code')
    const mfaToken = /name="mfa_token" value="([^"]+)"/.exec(answer.html)?.[1] ?? ''
    // The code of this 30-second step was spent on the confirmation: a recovery code, then.
    const done = await browser.post('/ui/login/mfa', { mfa_token: mfaToken, code: confirmed.body.recovery_codes[0] as string }, { tokenFrom: answer })
    assert.equal(done.status, 303, done.html)
    const sessions = await request(server, 'GET', '/account/sessions', undefined, { session: sessionOf(browser) })
    assert.deepEqual(sessions.body.sessions.find((entry: { current: boolean }) => entry.current).methods, ['oidc:acme', 'recovery_code'])
  })

  it('a callback with another state, one replayed, one carried to another browser, and one without a flow are refused with a page', async () => {
    upstream.nextAccount = { sub: nextSubject(), email: uniqueEmail('upstream-bad'), email_verified: true }
    const { browser, callback } = await atProvider('acme')
    const tampered = callback.replace(/state=[^&]+/, 'state=another-state')
    const wrongState = await browser.get(tampered)
    assert.equal(wrongState.status, 400)
    assert.match(wrongState.html, /could not be completed/)
    assert.equal(browser.cookies.get('session_id'), undefined)

    const second = await atProvider('acme')
    const elsewhere = await new PageClient(server).get(second.callback)
    assert.equal(elsewhere.status, 400, 'another browser has no flow cookie')
    const good = await atProvider('acme')
    assert.equal((await good.browser.get(good.callback)).status, 303)
    const replayed = await good.browser.get(good.callback)
    assert.equal(replayed.status, 400, 'the flow is used up')
    const unknown = await new PageClient(server).get('/ui/oidc/nobody/callback?code=x&state=y')
    assert.equal(unknown.status, 404)
  })

  it('a nonce, a PKCE verifier or a code that does not match is refused at the callback', async () => {
    for (const spoil of ['nonce', 'code_verifier', 'code'] as const) {
      upstream.nextAccount = { sub: nextSubject(), email: uniqueEmail(`upstream-${spoil}`), email_verified: true }
      const { browser, callback } = await atProvider('acme')
      // What the flow holds is changed behind the service (as if the provider had been handed another one).
      if (spoil !== 'code') await server.db.updateTable('upstream_flows').set({ [spoil]: 'x'.repeat(43) }).execute()
      const answer = await browser.get(spoil === 'code' ? callback.replace(/code=[^&]+/, 'code=made-up') : callback)
      assert.equal(answer.status, 400, `${spoil}: ${answer.status}`)
      assert.equal(browser.cookies.get('session_id'), undefined)
    }
  })

  it('starts and callbacks count in the per-IP sign-in limit (RATE_LIMIT_LOGIN), as password sign-ins do', async () => {
    const port = await freePort()
    const limited = await startServer({ PUBLIC_URL: `http://127.0.0.1:${port}`, RATE_LIMIT_LOGIN: '3', OIDC_PROVIDERS: 'acme', OIDC_ACME_ISSUER: upstream.issuer, OIDC_ACME_CLIENT_ID: 'authsvc', OIDC_ACME_CLIENT_SECRET: 'authsvc-secret' }, { port })
    try {
      const browser = new PageClient(limited)
      assert.equal((await browser.get('/sessions/oidc/acme')).status, 302)
      assert.equal((await browser.get('/ui/oidc/acme/callback?code=x&state=y')).status, 400)
      assert.equal((await request(limited, 'POST', '/sessions', { email: uniqueEmail('limit'), password: PASSWORD })).status, 401)
      const over = await request(limited, 'GET', '/sessions/oidc/acme')
      assert.equal(over.status, 429)
      assert.equal(over.body.code, 'rate_limited')
      assert.equal((await browser.get('/ui/oidc/acme/callback?code=x&state=y')).status, 429)
    } finally {
      await limited.close()
    }
  })

  it('an expired flow is refused', async () => {
    upstream.nextAccount = { sub: nextSubject(), email: uniqueEmail('upstream-late'), email_verified: true }
    const { browser, callback } = await atProvider('acme')
    await server.db.updateTable('upstream_flows').set({ expires_at: Date.now() - 1 }).execute()
    assert.equal((await browser.get(callback)).status, 400)
  })

  it('a disabled account is refused the same way as by password', async () => {
    const owner = await signUpVerified(server)
    upstream.nextAccount = { sub: nextSubject(), email: owner.email, email_verified: true }
    assert.equal((await signInWith('acme')).answer.status, 303)
    assert.equal((await runCli(['users', 'disable', owner.email], { DATABASE_URL: server.databaseUrl })).code, 0)
    const refused = await signInWith('acme')
    assert.equal(refused.answer.status, 403)
    assert.match(refused.answer.html, /disabled/)
    // An account disabled before any link: refused the same way, and nothing is linked to it.
    const untouched = await signUpVerified(server)
    assert.equal((await runCli(['users', 'disable', untouched.email], { DATABASE_URL: server.databaseUrl })).code, 0)
    upstream.nextAccount = { sub: nextSubject(), email: untouched.email, email_verified: true }
    assert.equal((await signInWith('acme')).answer.status, 403)
    assert.deepEqual(await server.db.selectFrom('identities').select('id').where('user_id', '=', untouched.id).execute(), [])
    const byPassword = await request(server, 'POST', '/sessions', { email: owner.email, password: PASSWORD })
    assert.equal(byPassword.status, 403)
    assert.equal(byPassword.body.code, 'account_disabled')
  })

  it('GitHub (OAuth 2): the primary address and its verified flag from the emails API; the numeric id is the subject', async () => {
    const email = uniqueEmail('upstream-github')
    github.nextAccount = { id: 4000 + subjects++, login: 'octo', emails: [{ email: 'old@example.com', primary: false, verified: true }, { email, primary: true, verified: true }] }
    const { browser, answer } = await signInWith('github')
    assert.equal(answer.status, 303, answer.html)
    const profile = await profileOf(browser)
    assert.deepEqual([profile.email, profile.email_verified], [email, true])
    const row = await server.db.selectFrom('identities').select(['issuer', 'subject', 'provider']).where('user_id', '=', profile.id).executeTakeFirst()
    assert.deepEqual(row, { issuer: github.url, subject: String(github.nextAccount.id), provider: 'github' })
  })

  it('links from the account page with a fresh session, and unlinks; the last way in cannot be removed', async () => {
    const owner = await signUpVerified(server)
    const browser = new PageClient(server)
    browser.cookies.set('session_id', owner.token)
    const begun = await request(server, 'POST', '/account/identities/acme', {}, { session: owner.token })
    assert.equal(begun.status, 200, begun.text)
    // The flow's cookie comes with the answer; the browser keeps it.
    const flowCookie = /authsvc_upstream=([^;]+)/.exec(begun.headers.get('set-cookie') ?? '')?.[1] ?? ''
    browser.cookies.set('authsvc_upstream', flowCookie)
    upstream.nextAccount = { sub: nextSubject(), email: uniqueEmail('upstream-other-address'), email_verified: false }
    const answer = await upstream.authorize(begun.body.authorization_url as string)
    const location = (answer as { location: URL }).location
    const back = await browser.get(location.pathname + location.search)
    assert.equal(back.status, 303, back.html)
    assert.equal(back.location, '/ui/account/security?notice=identity_linked')
    const listed = await request(server, 'GET', '/account/identities', undefined, { session: owner.token })
    assert.equal(listed.body.identities.length, 1)
    assert.ok((await mailKinds(owner.email)).includes('identity_linked'))
    const id = listed.body.identities[0].id as string
    const unlinked = await request(server, 'DELETE', `/account/identities/${id}`, undefined, { session: owner.token })
    assert.equal(unlinked.status, 200, unlinked.text)
    assert.ok((await mailKinds(owner.email)).includes('identity_unlinked'))

    // An account made by a provider has no password: its one identity is its last way in.
    const email = uniqueEmail('upstream-only')
    upstream.nextAccount = { sub: nextSubject(), email, email_verified: true }
    const made = await signInWith('acme')
    const only = await request(server, 'GET', '/account/identities', undefined, { session: sessionOf(made.browser) })
    const last = await request(server, 'DELETE', `/account/identities/${only.body.identities[0].id as string}`, undefined, { session: sessionOf(made.browser) })
    assert.equal(last.status, 409)
    assert.equal(last.body.code, 'last_sign_in_method')
    assert.ok(await userIdOf(server, email))
  })

  it('a link asks for a fresh session and a verified address; an unknown provider is 404', async () => {
    const unverified = await signUp(server)
    const refused = await request(server, 'POST', '/account/identities/acme', {}, { session: unverified.token })
    assert.equal(refused.status, 403)
    assert.equal(refused.body.code, 'email_not_verified')
    const owner = await signUpVerified(server)
    assert.equal((await request(server, 'POST', '/account/identities/nope', {}, { session: owner.token })).status, 404)
    assert.equal((await request(server, 'GET', '/sessions/oidc/nope')).status, 404)
    const stale = await request(server, 'POST', '/account/identities/acme', {}, { session: owner.token, headers: {} })
    assert.equal(stale.status, 200, 'just signed in: fresh')
  })

  it('the hosted pages: a button per provider on sign-in and sign-up (return_to kept); link and unlink from the security page', async () => {
    const login = await new PageClient(server).get('/ui/login?return_to=%2Fui%2Faccount%2Fdevices')
    assert.match(login.html, /href="\/sessions\/oidc\/acme\?return_to=%2Fui%2Faccount%2Fdevices">Continue with Acme</)
    assert.match(login.html, />Continue with GitHub</)
    assert.match((await new PageClient(server).get('/ui/register')).html, /href="\/sessions\/oidc\/acme">Continue with Acme</)

    const owner = await signUpVerified(server)
    const browser = new PageClient(server)
    const signIn = await browser.submit('/ui/login', '/ui/login', { email: owner.email, password: PASSWORD })
    assert.equal(signIn.status, 303)
    const security = await browser.get('/ui/account/security')
    assert.match(security.html, /Linked accounts/)
    assert.match(security.html, /No account at another provider is linked/)
    const begun = await browser.post('/ui/account/identities/link', { provider: 'acme' }, { tokenFrom: security })
    assert.equal(begun.status, 200, begun.html)
    const to = /^0;url=(.+)$/.exec(begun.headers.get('refresh') ?? '')?.[1] ?? ''
    assert.ok(to.startsWith(upstream.issuer), to)
    upstream.nextAccount = { sub: nextSubject(), email: uniqueEmail('upstream-page-link'), email_verified: true }
    const answer = await upstream.authorize(to)
    const location = (answer as { location: URL }).location
    const back = await browser.get(location.pathname + location.search)
    assert.equal(back.location, '/ui/account/security?notice=identity_linked')
    const linked = await browser.get(back.location)
    assert.match(linked.html, /The account at the provider is linked/)
    assert.match(linked.html, /<strong>Acme<\/strong>/)
    const identity = /name="identity" value="([^"]+)"/.exec(linked.html)?.[1] ?? ''
    const unlinked = await browser.post('/ui/account/identities/unlink', { identity }, { tokenFrom: linked })
    assert.equal(unlinked.location, '/ui/account/security?notice=identity_unlinked')
    assert.deepEqual(await server.db.selectFrom('identities').select('id').where('user_id', '=', owner.id).execute(), [])
  })

  it('keeps no provider token by default; with OIDC_<NAME>_KEEP_TOKENS=true they are kept sealed, never as they were', async () => {
    upstream.nextAccount = { sub: nextSubject(), email: uniqueEmail('upstream-no-tokens'), email_verified: true }
    const { browser } = await signInWith('acme')
    const id = (await profileOf(browser)).id
    assert.deepEqual(await server.db.selectFrom('identities').select('tokens').where('user_id', '=', id).execute(), [{ tokens: null }])

    const port = await freePort()
    const publicUrl = `http://127.0.0.1:${port}`
    await upstream.registerClient({ clientId: 'keeper', clientSecret: 'keeper-secret', redirectUris: [`${publicUrl}/ui/oidc/acme/callback`] })
    const keeper = await startServer({ PUBLIC_URL: publicUrl, OIDC_PROVIDERS: 'acme', OIDC_ACME_ISSUER: upstream.issuer, OIDC_ACME_CLIENT_ID: 'keeper', OIDC_ACME_CLIENT_SECRET: 'keeper-secret', OIDC_ACME_KEEP_TOKENS: 'true' }, { port })
    try {
      const email = uniqueEmail('upstream-tokens')
      upstream.nextAccount = { sub: nextSubject(), email, email_verified: true }
      const other = new PageClient(keeper)
      const start = await other.get('/sessions/oidc/acme')
      const answer = await upstream.authorize(start.location ?? '')
      const location = (answer as { location: URL }).location
      assert.equal((await other.get(location.pathname + location.search)).status, 303)
      const row = await keeper.db.selectFrom('identities').innerJoin('users', 'users.id', 'identities.user_id').select('identities.tokens').where('users.email', '=', email).executeTakeFirst()
      const sealed = JSON.parse(row?.tokens ?? 'null') as { box: string, keyId: string } | null
      assert.ok(sealed !== null && typeof sealed.box === 'string' && typeof sealed.keyId === 'string', String(row?.tokens))
      assert.doesNotMatch(row?.tokens ?? '', /access_token|eyJ/, 'sealed, not the tokens themselves')
    } finally {
      await keeper.close()
    }
  })
})

describe(`sign in with Apple: form_post, a client secret signed with the key, on ${TEST_DIALECT}`, () => {
  const keyId = 'KEY4TESTS1'
  const teamId = 'TEAM4TESTS'
  const clientId = 'com.example.authsvc'
  let apple: UpstreamOidc
  let server: TestServer
  /** The same settings but another private key than the one registered with Apple. */
  let impostor: TestServer
  let subjects = 0
  const nextSubject = (): string => `001234.apple-${process.pid}-${++subjects}`

  before(async () => {
    const registered = await generateKeyPair('ES256', { extractable: true })
    const other = await generateKeyPair('ES256', { extractable: true })
    apple = await startUpstreamOidc({ apple: { publicKey: registered.publicKey, keyId, teamId } })
    const [port, impostorPort] = [await freePort(), await freePort()]
    await apple.registerClient({ clientId, redirectUris: [port, impostorPort].map(at => `http://127.0.0.1:${at}/ui/oidc/apple/callback`) })
    // As an operator puts a .p8 file in one environment line: its line breaks as \n.
    const settings = async (key: CryptoKey): Promise<Record<string, string>> => ({
      OIDC_PROVIDERS: 'apple',
      OIDC_APPLE_ISSUER: apple.issuer,
      OIDC_APPLE_CLIENT_ID: clientId,
      OIDC_APPLE_TEAM_ID: teamId,
      OIDC_APPLE_KEY_ID: keyId,
      OIDC_APPLE_PRIVATE_KEY: (await exportPKCS8(key)).trim().replaceAll('\n', '\\n')
    })
    server = await startServer({ PUBLIC_URL: `http://127.0.0.1:${port}`, ...await settings(registered.privateKey) }, { port })
    impostor = await startServer({ PUBLIC_URL: `http://127.0.0.1:${impostorPort}`, ...await settings(other.privateKey) }, { port: impostorPort })
  })
  after(async () => {
    await server.close()
    await impostor.close()
    await apple.close()
  })

  /** From GET /sessions/oidc/apple to Apple's page that posts back: its action and fields. */
  async function atApple (on: TestServer, browser: PageClient): Promise<{ action: string, fields: Record<string, string> }> {
    const start = await browser.get('/sessions/oidc/apple')
    assert.equal(start.status, 302, start.html)
    const answer = await apple.authorize(start.location ?? '')
    if (answer.kind !== 'form_post') assert.fail(`not a form_post answer: ${JSON.stringify(answer)}`)
    const { action, fields } = answer
    assert.equal(action, `${on.config.publicUrl}/ui/oidc/apple/callback`)
    return { action: new URL(action).pathname, fields: { ...fields } }
  }
  /** The browser submits Apple's page: a POST from Apple's origin, with Apple's `user` field (first time only). */
  const postBack = async (browser: PageClient, { action, fields }: { action: string, fields: Record<string, string> }, user?: object): Promise<Awaited<ReturnType<PageClient['post']>>> =>
    await browser.post(action, { ...fields, ...(user === undefined ? {} : { user: JSON.stringify(user) }) }, { headers: { origin: new URL(apple.issuer).origin } })

  it('asks for form_post (Apple refuses scopes without it), takes the posted callback, and makes the account; the address verified by Apple\'s "true"', async () => {
    const email = uniqueEmail('apple-new')
    const subject = nextSubject()
    apple.nextAccount = { sub: subject, email, email_verified: 'true' }
    const browser = new PageClient(server)
    const start = await browser.get('/sessions/oidc/apple')
    const asked = new URL(start.location ?? '')
    assert.equal(asked.searchParams.get('response_mode'), 'form_post')
    assert.equal(asked.searchParams.get('scope'), 'openid email')
    asked.searchParams.delete('response_mode')
    const withoutFormPost = await apple.authorize(asked)
    assert.equal(withoutFormPost.kind === 'page' ? withoutFormPost.status : withoutFormPost.kind, 400, 'the fake refuses it as Apple does')

    const back = await postBack(browser, await atApple(server, browser), { name: { firstName: 'Ada', lastName: 'Lovelace' }, email })
    assert.equal(back.status, 303, back.html)
    assert.equal(back.location, '/ui/account')
    const profile = await request(server, 'GET', '/account', undefined, { session: sessionOf(browser) })
    assert.deepEqual([profile.body.email, profile.body.email_verified], [email, true])
    const row = await server.db.selectFrom('identities').select(['issuer', 'subject', 'provider']).where('user_id', '=', profile.body.id as number).executeTakeFirst()
    assert.deepEqual(row, { issuer: apple.issuer, subject, provider: 'apple' })
    const sessions = await request(server, 'GET', '/account/sessions', undefined, { session: sessionOf(browser) })
    assert.deepEqual(sessions.body.sessions[0].methods, ['oidc:apple'])
  })

  it('the client secret is an ES256 JWT: kid the key id, iss the team, sub the client id, aud the issuer, an hour long, kept for the next sign-in', async () => {
    const email = uniqueEmail('apple-secret')
    apple.nextAccount = { sub: nextSubject(), email, email_verified: true }
    const seen = apple.clientSecrets.length
    const first = new PageClient(server)
    assert.equal((await postBack(first, await atApple(server, first))).status, 303)
    const second = new PageClient(server)
    assert.equal((await postBack(second, await atApple(server, second))).status, 303)
    const presented = apple.clientSecrets.slice(seen)
    assert.deepEqual(presented.map(secret => [secret.clientId, secret.refused]), [[clientId, null], [clientId, null]])
    const jwt = presented[0]?.jwt ?? ''
    assert.equal(presented[1]?.jwt, jwt, 'one signature serves until it nears its end')
    assert.deepEqual(decodeProtectedHeader(jwt), { alg: 'ES256', kid: keyId })
    const claims = decodeJwt(jwt)
    assert.deepEqual([claims.iss, claims.sub, claims.aud], [teamId, clientId, apple.issuer])
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 3600)
    assert.ok(Math.abs((claims.iat ?? 0) - Date.now() / 1000) < 3600)
  })

  it('a later sign-in without the address (Apple sends it once) signs in to the same account by its subject', async () => {
    const subject = nextSubject()
    apple.nextAccount = { sub: subject, email: uniqueEmail('apple-later'), email_verified: 'true' }
    const first = new PageClient(server)
    assert.equal((await postBack(first, await atApple(server, first))).status, 303)
    apple.nextAccount = { sub: subject }
    const later = new PageClient(server)
    const back = await postBack(later, await atApple(server, later))
    assert.equal(back.status, 303, back.html)
    const ids = await Promise.all([first, later].map(async browser => (await request(server, 'GET', '/account', undefined, { session: sessionOf(browser) })).body.id as number))
    assert.equal(ids[1], ids[0])
  })

  it('a client secret signed with another key is refused by Apple: the callback page says so and no account or session is made', async () => {
    const email = uniqueEmail('apple-impostor')
    apple.nextAccount = { sub: nextSubject(), email, email_verified: true }
    const browser = new PageClient(impostor)
    const back = await postBack(browser, await atApple(impostor, browser))
    assert.equal(back.status, 400)
    assert.match(back.html, /could not be completed/)
    assert.equal(browser.cookies.get('session_id'), undefined)
    assert.equal(await userIdOf(impostor, email), undefined)
    const refusal = apple.clientSecrets.at(-1)?.refused ?? ''
    assert.match(refusal, /signature verification failed/, 'refused for its signature, nothing else')
  })

  it('a posted callback that is not this browser\'s flow is refused', async () => {
    apple.nextAccount = { sub: nextSubject(), email: uniqueEmail('apple-elsewhere'), email_verified: true }
    const browser = new PageClient(server)
    const posted = await atApple(server, browser)
    const elsewhere = await postBack(new PageClient(server), posted)
    assert.equal(elsewhere.status, 400)
    const replayed = { ...posted, fields: { ...posted.fields, state: 'another-state' } }
    assert.equal((await postBack(browser, replayed)).status, 400)
  })
})

describe(`sign in with Microsoft: one tenant's issuer, on ${TEST_DIALECT}`, () => {
  let tenantA: UpstreamOidc
  let tenantB: UpstreamOidc
  let server: TestServer
  let subjects = 0
  const nextSubject = (): string => `ms-${process.pid}-${++subjects}`

  before(async () => {
    tenantA = await startUpstreamOidc({ tenant: 'tenant-a' })
    tenantB = await startUpstreamOidc({ tenant: 'tenant-b' })
    const port = await freePort()
    const publicUrl = `http://127.0.0.1:${port}`
    // The same application registered in both tenants, as a multi-tenant app is.
    for (const tenant of [tenantA, tenantB]) await tenant.registerClient({ clientId: 'ms-client', clientSecret: 'ms-secret', redirectUris: [`${publicUrl}/ui/oidc/microsoft/callback`] })
    server = await startServer({
      PUBLIC_URL: publicUrl,
      OIDC_PROVIDERS: 'microsoft',
      OIDC_MICROSOFT_ISSUER: tenantA.issuer,
      OIDC_MICROSOFT_CLIENT_ID: 'ms-client',
      OIDC_MICROSOFT_CLIENT_SECRET: 'ms-secret'
    }, { port })
  })
  after(async () => {
    await server.close()
    await tenantA.close()
    await tenantB.close()
  })

  it('signs in with the tenant\'s issuer: the identity is keyed by it; no email_verified (Microsoft sends none) leaves the address unverified', async () => {
    const email = uniqueEmail('ms-new')
    const subject = nextSubject()
    tenantA.nextAccount = { sub: subject, email }
    const browser = new PageClient(server)
    const start = await browser.get('/sessions/oidc/microsoft')
    assert.equal(start.status, 302, start.html)
    assert.ok(start.location?.startsWith(`${tenantA.issuer}/`), start.location ?? '')
    const answer = await tenantA.authorize(start.location ?? '')
    const location = (answer as { location: URL }).location
    const back = await browser.get(location.pathname + location.search)
    assert.equal(back.status, 303, back.html)
    const profile = await request(server, 'GET', '/account', undefined, { session: sessionOf(browser) })
    assert.deepEqual([profile.body.email, profile.body.email_verified], [email, false])
    const row = await server.db.selectFrom('identities').select(['issuer', 'subject']).where('user_id', '=', profile.body.id as number).executeTakeFirst()
    assert.deepEqual(row, { issuer: tenantA.issuer, subject })
    assert.match(tenantA.issuer, /\/tenant-a\/v2\.0$/)
  })

  it('another tenant\'s answer is refused with a page and makes no session: its iss, no iss, or its code under this tenant\'s iss', async () => {
    const cases: Array<[string, (query: URLSearchParams) => void, number]> = [
      // The tenant's iss is not this provider's: refused before any code is exchanged.
      ['its own iss', () => {}, 0],
      // This tenant's metadata promises iss: an answer without it is not this tenant's.
      ['without iss', query => { query.delete('iss') }, 0],
      // Dressed as this tenant's: the code means nothing here.
      ['this tenant\'s iss', query => { query.set('iss', tenantA.issuer) }, 1]
    ]
    for (const [label, change, exchanges] of cases) {
      const email = uniqueEmail('ms-other-tenant')
      tenantB.nextAccount = { sub: nextSubject(), email, email_verified: true }
      const browser = new PageClient(server)
      const start = await browser.get('/sessions/oidc/microsoft')
      // The browser taken to the other tenant with this flow's request (state, nonce, PKCE).
      const answer = await tenantB.authorize((start.location ?? '').replace(tenantA.issuer, tenantB.issuer))
      const location = (answer as { location: URL }).location
      assert.equal(location.searchParams.get('iss'), tenantB.issuer, label)
      assert.ok(location.searchParams.has('code'), label)
      change(location.searchParams)
      const tokenRequests = tenantA.tokenRequests
      const refused = await browser.get(location.pathname + location.search)
      assert.equal(refused.status, 400, `${label}: ${refused.html}`)
      assert.match(refused.html, /could not be completed/, label)
      assert.equal(browser.cookies.get('session_id'), undefined, label)
      assert.equal(await userIdOf(server, email), undefined, label)
      assert.equal(tenantA.tokenRequests - tokenRequests, exchanges, `${label}: code exchanges at this tenant`)
    }
  })
})
