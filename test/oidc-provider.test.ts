// The OpenID Connect provider, driven by openid-client (panva's certified relying party)
// as a client application would, over HTTP against the real server; the person's browser
// is a form client (support/pages.ts) that signs in on the hosted pages.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import * as client from 'openid-client'
import { runCli } from './support/cli.js'
import { createTestClock } from './support/clock.js'
import { asPage, authorizationUrl, authorize, browse, nextOf, REDIRECT_URI, type RegisteredClient, registerClient as registerClientIn } from './support/oidc.js'
import { PageClient } from './support/pages.js'
import { freePort } from './support/service.js'
import { PASSWORD, signUpVerified, startServer, type TestServer } from './support/server.js'
import { TEST_DIALECT } from './support/database.js'

const registerClient = async (server: TestServer, options: { firstParty?: boolean, public?: boolean } = {}): Promise<RegisteredClient> => await registerClientIn(server.databaseUrl, options)

describe(`the OpenID Connect provider on ${TEST_DIALECT}`, () => {
  let server: TestServer
  let issuer: string

  before(async () => {
    const port = await freePort()
    issuer = `http://127.0.0.1:${port}`
    server = await startServer({ PUBLIC_URL: issuer }, { port })
  })
  after(async () => { await server.close() })

  async function eventsOf (userId: number): Promise<Array<{ type: string, outcome: string, details: Record<string, unknown> }>> {
    const { stdout } = await runCli(['events', '--user', String(userId), '--json'], { DATABASE_URL: server.databaseUrl })
    return (JSON.parse(stdout) as { events: Array<{ type: string, outcome: string, details: Record<string, unknown> }> }).events
  }

  async function configFor (registered: RegisteredClient): Promise<client.Configuration> {
    // The test server speaks plain HTTP on loopback; a real client refuses that.
    // oxlint-disable-next-line typescript/no-deprecated -- deprecated to stand out, as its own documentation says: for tests and development
    return await client.discovery(new URL(issuer), registered.id, registered.secret, registered.secret === undefined ? client.None() : undefined, { execute: [client.allowInsecureRequests] })
  }

  it('publishes discovery at the issuer, with the endpoints under /oidc and the contract\'s scopes', async () => {
    const response = await fetch(`${issuer}/.well-known/openid-configuration`)
    assert.equal(response.status, 200)
    const metadata = await response.json() as Record<string, unknown>
    assert.equal(metadata.issuer, issuer)
    assert.equal(metadata.authorization_endpoint, `${issuer}/oidc/auth`)
    assert.equal(metadata.token_endpoint, `${issuer}/oidc/token`)
    assert.equal(metadata.jwks_uri, `${issuer}/oidc/jwks`)
    assert.equal(metadata.end_session_endpoint, `${issuer}/oidc/session/end`)
    assert.deepEqual(metadata.response_types_supported, ['code'])
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256'])
    for (const scope of ['openid', 'email', 'profile', 'offline_access']) assert.ok((metadata.scopes_supported as string[]).includes(scope), scope)
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff')
  })

  it('publishes RS256 and ES256 public keys, never a private part', async () => {
    const { keys } = await (await fetch(`${issuer}/oidc/jwks`)).json() as { keys: Array<Record<string, unknown>> }
    assert.deepEqual(keys.map(key => String(key.alg)).sort((a, b) => a.localeCompare(b)), ['ES256', 'RS256'])
    for (const key of keys) for (const part of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(key[part], undefined)
  })

  it('signs a person in with the authorization code and PKCE: login page, consent of a third-party client, ID token and userinfo claims', async () => {
    const user = await signUpVerified(server)
    const registered = await registerClient(server)
    const config = await configFor(registered)
    const request = await authorizationUrl(config)
    const browser = new PageClient(server)
    const landing = await browse(browser, request.url)
    assert.match(landing.url, /\/ui\/login\?return_to=%2Fui%2Fauthorize%2F/)
    const returnTo = new URL(landing.url).searchParams.get('return_to') ?? ''
    const signedIn = await browser.post(`/ui/login?return_to=${encodeURIComponent(returnTo)}`, { email: user.email, password: PASSWORD }, { tokenFrom: { status: 200, headers: new Headers(), html: landing.html, location: null } })
    assert.equal(signedIn.status, 303)
    const consent = await browse(browser, new URL(signedIn.location ?? '', issuer).toString())
    assert.match(consent.html, /Test app/)
    const consentUrl = new URL(consent.url)
    const answered = await browser.post(consentUrl.pathname, { decision: 'allow' }, { tokenFrom: { status: 200, headers: new Headers(), html: consent.html, location: null } })
    assert.equal(answered.status, 200, 'a page of its own after the form: a redirect to the application would break the form\'s CSP form-action')
    const callback = await browse(browser, new URL(nextOf(answered) ?? '', issuer).toString())
    assert.ok(callback.url.startsWith(REDIRECT_URI), callback.url)

    const tokens = await client.authorizationCodeGrant(config, new URL(callback.url), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce })
    const claims = tokens.claims()
    assert.ok(claims !== undefined)
    assert.equal(claims.email, user.email)
    assert.equal(claims.email_verified, true)
    assert.equal(claims.nonce, request.nonce)
    assert.deepEqual(claims.amr, ['pwd'])
    assert.equal(typeof claims.auth_time, 'number')
    assert.equal(typeof claims.sid, 'string')
    assert.notEqual(claims.sub, String(user.id))
    assert.ok(!claims.sub.includes('@'))
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub)
    assert.equal(info.email, user.email)
  })

  it('skips consent for a first-party client, and reuses the session for the next sign-in (single sign-on)', async () => {
    const user = await signUpVerified(server)
    const config = await configFor(await registerClient(server, { firstParty: true }))
    const browser = new PageClient(server)
    const first = await authorize(browser, (await authorizationUrl(config)).url, user)
    assert.deepEqual(first.pages, ['/ui/login'])
    assert.ok(first.callback.searchParams.get('code'))
    const second = await authorize(browser, (await authorizationUrl(config)).url, user)
    assert.deepEqual(second.pages, [], 'signed in without a page')
    assert.ok(second.callback.searchParams.get('code'))
  })

  it('remembers a third-party client\'s consent: within the session, and in another browser; not after the grant is revoked', async () => {
    const user = await signUpVerified(server)
    const config = await configFor(await registerClient(server))
    const browser = new PageClient(server)
    const request = await authorizationUrl(config, { scope: 'openid email offline_access', prompt: 'consent' })
    const first = await authorize(browser, request.url, user)
    assert.equal(first.pages.length, 2)
    assert.ok(first.pages[1]?.startsWith('/ui/authorize/'))
    const second = await authorize(browser, (await authorizationUrl(config)).url, user)
    assert.deepEqual(second.pages, [])
    const elsewhere = await authorize(new PageClient(server), (await authorizationUrl(config)).url, user)
    assert.deepEqual(elsewhere.pages, ['/ui/login'], 'signed in; no consent asked again')
    // Revoking the refresh token revokes the grant, and the consent with it.
    const tokens = await client.authorizationCodeGrant(config, first.callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce })
    assert.ok(tokens.refresh_token !== undefined)
    await client.tokenRevocation(config, tokens.refresh_token)
    const afterRevocation = await authorize(new PageClient(server), (await authorizationUrl(config)).url, user)
    assert.equal(afterRevocation.pages.length, 2)
    assert.ok(afterRevocation.pages[1]?.startsWith('/ui/authorize/'), 'consent asked again')
  })

  it('a new session here is a new sign-in for the application: a new sid and auth_time, the third-party consent still remembered', async () => {
    const user = await signUpVerified(server)
    const config = await configFor(await registerClient(server))
    const browser = new PageClient(server)
    const signIn = async (): Promise<{ pages: string[], sid: unknown, authTime: unknown }> => {
      const request = await authorizationUrl(config)
      const { callback, pages } = await authorize(browser, request.url, user)
      const claims = (await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce })).claims()
      return { pages, sid: claims?.sid, authTime: claims?.auth_time }
    }
    const first = await signIn()
    assert.equal(first.pages.length, 2, 'the login page, then consent')
    const out = await fetch(`${server.url}/sessions`, { method: 'DELETE', headers: { 'x-session-id': browser.cookies.get('session_id') ?? '' } })
    assert.equal(out.status, 200)
    // auth_time counts seconds: the next sign-in is in a later one.
    await new Promise(resolve => setTimeout(resolve, 1100))
    const second = await signIn()
    assert.deepEqual(second.pages, ['/ui/login'], 'signed in again; the consent given before is remembered')
    assert.notEqual(second.sid, first.sid, 'the ended session\'s sid (its logout token named it) is not handed out again')
    assert.ok(Number(second.authTime) > Number(first.authTime), `auth_time ${String(second.authTime)} is the new sign-in's, after ${String(first.authTime)}`)
    const third = await signIn()
    assert.deepEqual(third.pages, [], 'single sign-on within the session')
    assert.equal(third.sid, second.sid, 'one sid per session and client')
    assert.equal(third.authTime, second.authTime)

    // Signed out, then in again on the sign-in page itself (no application asking): the
    // next authorization finds the library's session bound to the ended session.
    await fetch(`${server.url}/sessions`, { method: 'DELETE', headers: { 'x-session-id': browser.cookies.get('session_id') ?? '' } })
    await new Promise(resolve => setTimeout(resolve, 1100))
    assert.equal((await browser.submit('/ui/login', '/ui/login', { email: user.email, password: PASSWORD })).status, 303)
    const fourth = await signIn()
    assert.deepEqual(fourth.pages, [], 'the session here answers; no page')
    assert.notEqual(fourth.sid, second.sid)
    assert.ok(Number(fourth.authTime) > Number(second.authTime))
  })

  it('after the session here ends, an application cannot sign the browser in silently: prompt=none gets login_required', async () => {
    const user = await signUpVerified(server)
    const config = await configFor(await registerClient(server, { firstParty: true }))
    const browser = new PageClient(server)
    await authorize(browser, (await authorizationUrl(config)).url, user)
    const out = await fetch(`${server.url}/sessions`, { method: 'DELETE', headers: { 'x-session-id': browser.cookies.get('session_id') ?? '' } })
    assert.equal(out.status, 200)
    const request = await authorizationUrl(config, { prompt: 'none' })
    const silent = await browse(browser, request.url)
    const answer = new URL(silent.url)
    assert.equal(answer.searchParams.get('error'), 'login_required')
    assert.equal(answer.searchParams.get('state'), request.state)
    const again = await authorize(browser, (await authorizationUrl(config)).url, user)
    assert.deepEqual(again.pages, ['/ui/login'])
  })

  it('prompt=login and an exceeded max_age make the person authenticate again', async () => {
    const user = await signUpVerified(server)
    const config = await configFor(await registerClient(server, { firstParty: true }))
    const browser = new PageClient(server)
    await authorize(browser, (await authorizationUrl(config)).url, user)
    const forced = await authorize(browser, (await authorizationUrl(config, { prompt: 'login' })).url, user)
    assert.deepEqual(forced.pages, ['/ui/reauthenticate'])
    await new Promise(resolve => setTimeout(resolve, 1100))
    const aged = await authorize(browser, (await authorizationUrl(config, { max_age: '0' })).url, user)
    assert.deepEqual(aged.pages, ['/ui/reauthenticate'])
    const request = await authorizationUrl(config, { max_age: '0' })
    const { callback } = await authorize(browser, request.url, user)
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce, maxAge: 60 })
    assert.ok(Math.abs((tokens.claims()?.auth_time ?? 0) - Date.now() / 1000) < 5)
  })

  it('refuses an unregistered redirect URI with a page, never a redirect to it', async () => {
    const config = await configFor(await registerClient(server))
    const request = client.buildAuthorizationUrl(config, { redirect_uri: 'http://127.0.0.1:9/elsewhere', scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })
    const response = await fetch(request, { redirect: 'manual' })
    assert.equal(response.status, 400)
    assert.equal(response.headers.get('location'), null)
    assert.match(await response.text(), /redirect_uri/)
  })

  it('refuses a public client without PKCE, a callback with another state, and a code redeemed with the wrong verifier or twice', async () => {
    const user = await signUpVerified(server)
    const publicConfig = await configFor(await registerClient(server, { public: true, firstParty: true }))
    const withoutPkce = client.buildAuthorizationUrl(publicConfig, { redirect_uri: REDIRECT_URI, scope: 'openid', state: 'abc' })
    const browser = new PageClient(server)
    const refused = new URL((await browse(browser, withoutPkce.toString())).url)
    assert.equal(refused.searchParams.get('error'), 'invalid_request')
    assert.equal(refused.searchParams.get('state'), 'abc')
    const request = await authorizationUrl(publicConfig)
    const { callback } = await authorize(browser, request.url, user)
    await assert.rejects(client.authorizationCodeGrant(publicConfig, callback, { pkceCodeVerifier: request.verifier, expectedState: 'another state', expectedNonce: request.nonce }), (error: Error & { cause?: Error }) => /state/.test(error.cause?.message ?? ''), 'a callback with another state is refused by the client, before it spends the code')
    await assert.rejects(client.authorizationCodeGrant(publicConfig, callback, { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: request.state, expectedNonce: request.nonce }), (error: Error & { error?: string }) => error.error === 'invalid_grant')
    // A wrong verifier does not lock the rightful client out (a verifier cannot be guessed); the code is still single use.
    await client.authorizationCodeGrant(publicConfig, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce })
    await assert.rejects(client.authorizationCodeGrant(publicConfig, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce }), (error: Error & { error?: string }) => error.error === 'invalid_grant', 'a code is good once')
  })

  it('a denied consent returns access_denied with the state', async () => {
    const user = await signUpVerified(server)
    const config = await configFor(await registerClient(server))
    const browser = new PageClient(server)
    const request = await authorizationUrl(config)
    const login = await browse(browser, request.url)
    const signedIn = await browser.post(`/ui/login${new URL(login.url).search}`, { email: user.email, password: PASSWORD }, { tokenFrom: asPage(login.html) })
    const consent = await browse(browser, new URL(signedIn.location ?? '', issuer).toString())
    const denied = await browser.post(new URL(consent.url).pathname, { decision: 'deny' }, { tokenFrom: asPage(consent.html) })
    const answer = new URL((await browse(browser, new URL(nextOf(denied) ?? '', issuer).toString())).url)
    assert.equal(answer.searchParams.get('error'), 'access_denied')
    assert.equal(answer.searchParams.get('state'), request.state)
  })

  it('rotates refresh tokens, and reusing an old one revokes the grant', async () => {
    const user = await signUpVerified(server)
    const config = await configFor(await registerClient(server))
    const browser = new PageClient(server)
    const request = await authorizationUrl(config, { scope: 'openid offline_access', prompt: 'consent' })
    const { callback } = await authorize(browser, request.url, user)
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce })
    assert.ok(tokens.refresh_token !== undefined)
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token)
    assert.ok(refreshed.refresh_token !== undefined && refreshed.refresh_token !== tokens.refresh_token)
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token), (error: Error & { error?: string }) => error.error === 'invalid_grant')
    await assert.rejects(client.refreshTokenGrant(config, refreshed.refresh_token), (error: Error & { error?: string }) => error.error === 'invalid_grant', 'the whole grant is revoked')
    const events = await eventsOf(user.id)
    assert.deepEqual(events.filter(event => event.type.startsWith('oidc.')).map(event => event.type).reverse(), ['oidc.consent_granted', 'oidc.token_issued', 'oidc.token_issued', 'oidc.refresh_reused'])
    const reused = events.find(event => event.type === 'oidc.refresh_reused')
    assert.equal(reused?.outcome, 'failure')
    assert.equal(reused?.details.client_id, config.clientMetadata().client_id)
    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    assert.match(metrics, /authsvc_oidc_events_total\{event="oidc.refresh_reused"\} [1-9]/)
  })

  it('a disabled account: its refresh token stops working, and the sign-in page refuses it as a password sign-in would', async () => {
    const user = await signUpVerified(server)
    const config = await configFor(await registerClient(server, { firstParty: true }))
    const browser = new PageClient(server)
    const request = await authorizationUrl(config, { scope: 'openid offline_access', prompt: 'consent' })
    const { callback } = await authorize(browser, request.url, user)
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce })
    const disabled = await runCli(['users', 'disable', String(user.id)], { DATABASE_URL: server.databaseUrl })
    assert.equal(disabled.code, 0, disabled.stderr)
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token ?? ''), (error: Error & { error?: string }) => error.error === 'invalid_grant')
    const again = await browse(browser, (await authorizationUrl(config)).url)
    assert.match(new URL(again.url).pathname, /^\/ui\/login/, 'the session ended: sign in again')
    const refused = await browser.post(`/ui/login${new URL(again.url).search}`, { email: user.email, password: PASSWORD }, { tokenFrom: asPage(again.html) })
    assert.equal(refused.status, 403)
    assert.equal(refused.location, null)
  })

  it('introspects and revokes tokens for a confidential client', async () => {
    const user = await signUpVerified(server)
    const config = await configFor(await registerClient(server, { firstParty: true }))
    const request = await authorizationUrl(config)
    const { callback } = await authorize(new PageClient(server), request.url, user)
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce })
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, true)
    await client.tokenRevocation(config, tokens.access_token)
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, false)
  })

  it('RP-initiated logout asks, ends the session here and returns to the client with its state', async () => {
    const user = await signUpVerified(server)
    const config = await configFor(await registerClient(server, { firstParty: true }))
    const browser = new PageClient(server)
    const request = await authorizationUrl(config)
    const { callback } = await authorize(browser, request.url, user)
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce })
    const session = browser.cookies.get('session_id') ?? ''
    const logout = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token ?? '', post_logout_redirect_uri: 'http://127.0.0.1:9/signed-out', state: 'bye' })
    const question = await browse(browser, logout.toString())
    assert.match(question.html, /op\.logoutForm/)
    const action = /action="([^"]+)"/.exec(question.html)?.[1] ?? ''
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(question.html)?.[1] ?? ''
    const confirmed = await browser.post(new URL(action, issuer).pathname, { xsrf, logout: 'yes' })
    const back = new URL(confirmed.location ?? '')
    assert.equal(back.origin + back.pathname, 'http://127.0.0.1:9/signed-out')
    assert.equal(back.searchParams.get('state'), 'bye')
    const profile = await fetch(`${server.url}/profile`, { headers: { 'x-session-id': session } })
    assert.equal(profile.status, 403, 'the session here has ended')
    const types = (await eventsOf(user.id)).map(event => event.type)
    assert.deepEqual(types.slice(0, 2), ['oidc.logout', 'logout'])
  })
})

describe(`the provider's signing keys on ${TEST_DIALECT}`, () => {
  let server: TestServer
  let issuer: string
  const clock = createTestClock()
  /** Brings the service's clock to real time (the CLI's), then `ms` further. */
  const catchUp = (ms: number): void => { clock.advance(Math.max(0, Date.now() - clock.now()) + ms) }

  before(async () => {
    const port = await freePort()
    issuer = `http://127.0.0.1:${port}`
    server = await startServer({ PUBLIC_URL: issuer, KEY_ROTATION_DELAY: '60' }, { port, now: clock.now })
  })
  after(async () => { await server.close() })

  async function idTokenHeaderAndToken (config: client.Configuration, user: { email: string }): Promise<{ kid: string | undefined, idToken: string }> {
    const request = await authorizationUrl(config)
    const { callback } = await authorize(new PageClient(server), request.url, user)
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce })
    const idToken = tokens.id_token ?? ''
    return { kid: decodeProtectedHeader(idToken).kid, idToken }
  }

  it('a rotation is published within 5 s, signs after KEY_ROTATION_DELAY, and ID tokens signed before still verify', async () => {
    const user = await signUpVerified(server)
    const registered = await registerClient(server, { firstParty: true })
    // oxlint-disable-next-line typescript/no-deprecated -- plain HTTP on loopback, for the test
    const config = await client.discovery(new URL(issuer), registered.id, registered.secret, undefined, { execute: [client.allowInsecureRequests] })
    const before = await idTokenHeaderAndToken(config, user)
    const rotated = await runCli(['keys', 'rotate', '--json'], { DATABASE_URL: server.databaseUrl, KEY_ROTATION_DELAY: '60' })
    assert.equal(rotated.code, 0, rotated.stderr)
    const newKids = (JSON.parse(rotated.stdout) as { keys: Array<{ kid: string, alg: string }> }).keys
    const newRsa = newKids.find(key => key.alg === 'RS256')?.kid

    catchUp(5000)
    const published = await (await fetch(`${issuer}/oidc/jwks`)).json() as { keys: Array<{ kid: string }> }
    for (const { kid } of newKids) assert.ok(published.keys.some(key => key.kid === kid), `${kid} is published`)
    assert.equal((await idTokenHeaderAndToken(config, user)).kid, before.kid, 'the old key signs until the delay has passed')

    catchUp(61_000)
    const after = await idTokenHeaderAndToken(config, user)
    assert.equal(after.kid, newRsa, 'the new key signs')
    const jwks = createLocalJWKSet(await (await fetch(`${issuer}/oidc/jwks`)).json() as { keys: [] })
    const verified = await jwtVerify(before.idToken, jwks, { issuer, audience: registered.id })
    assert.equal(verified.protectedHeader.kid, before.kid)
  })
})

describe(`dynamic client registration on ${TEST_DIALECT}`, () => {
  it('is off by default: the registration endpoint is not in discovery and answers no client', async () => {
    const port = await freePort()
    const server = await startServer({ PUBLIC_URL: `http://127.0.0.1:${port}` }, { port })
    try {
      const metadata = await (await fetch(`${server.url}/.well-known/openid-configuration`)).json() as Record<string, unknown>
      assert.equal(metadata.registration_endpoint, undefined)
      const refused = await fetch(`${server.url}/oidc/reg`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: [REDIRECT_URI] }) })
      assert.equal(refused.status, 404)
    } finally {
      await server.close()
    }
  })

  it('with OIDC_DYNAMIC_REGISTRATION=true, a client registered at the endpoint signs a person in', async () => {
    const port = await freePort()
    const issuer = `http://127.0.0.1:${port}`
    const server = await startServer({ PUBLIC_URL: issuer, OIDC_DYNAMIC_REGISTRATION: 'true' }, { port })
    try {
      // oxlint-disable-next-line typescript/no-deprecated -- plain HTTP on loopback, for the test
      const config = await client.dynamicClientRegistration(new URL(issuer), { redirect_uris: [REDIRECT_URI], client_name: 'Registered by itself' }, undefined, { execute: [client.allowInsecureRequests] })
      const user = await signUpVerified(server)
      const request = await authorizationUrl(config)
      const { callback, pages } = await authorize(new PageClient(server), request.url, user)
      assert.equal(pages.length, 2, 'sign-in and consent: a self-registered client is never first party')
      const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce })
      assert.equal(tokens.claims()?.email, user.email)
      const secret = String(config.clientMetadata().client_secret)
      const stored = await server.db.selectFrom('oidc_records').select('payload').where('model', '=', 'Client').execute()
      assert.equal(stored.length, 1)
      assert.ok(!stored[0]?.payload.includes(secret), 'the secret is stored as its SHA-256 only')
    } finally {
      await server.close()
    }
  })
})
