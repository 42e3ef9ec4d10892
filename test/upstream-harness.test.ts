// The fake upstream identity providers of test/support/upstream.ts, checked on their own
// with a real relying party (openid-client) and plain fetch calls, so that the tests of
// "sign in with another identity provider" can trust them. No database, no service.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { generateKeyPair, SignJWT } from 'jose'
import * as client from 'openid-client'
import { type FakeGitHub, formPostFields, startFakeGitHub, startUpstreamOidc, type UpstreamAnswer, type UpstreamOidc } from './support/upstream.js'

const REDIRECT_URI = 'http://127.0.0.1:9/callback'
// oxlint-disable-next-line typescript/no-deprecated -- plain HTTP on loopback, for the test
const insecure = { execute: [client.allowInsecureRequests] }

async function discover (upstream: UpstreamOidc, clientId: string, secret?: string): Promise<client.Configuration> {
  return await client.discovery(new URL(upstream.issuer), clientId, secret, secret === undefined ? client.None() : undefined, insecure)
}

/** An authorization URL with state, nonce and (unless `pkce` is false) PKCE S256. */
async function begin (config: client.Configuration, extra: Record<string, string> = {}, pkce = true): Promise<{ url: URL, verifier: string, state: string, nonce: string }> {
  const verifier = client.randomPKCECodeVerifier()
  const state = client.randomState()
  const nonce = client.randomNonce()
  const challenge: Record<string, string> = pkce ? { code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' } : {}
  const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid email profile', state, nonce, ...challenge, ...extra })
  return { url, verifier, state, nonce }
}

function redirectOf (answer: UpstreamAnswer): URL {
  assert.equal(answer.kind, 'redirect', JSON.stringify(answer))
  return (answer as { location: URL }).location
}

describe('the fake OpenID Connect upstream (oidc-provider on loopback)', () => {
  let upstream: UpstreamOidc
  let config: client.Configuration

  before(async () => {
    upstream = await startUpstreamOidc()
    await upstream.registerClient({ clientId: 'app', clientSecret: 'app-secret', redirectUris: [REDIRECT_URI] })
    await upstream.registerClient({ clientId: 'native', redirectUris: [REDIRECT_URI] })
    config = await discover(upstream, 'app', 'app-secret')
  })
  after(async () => { await upstream.close() })

  it('signs in the account the test set at once and sends code, state and iss back; the ID token carries its claims and the nonce', async () => {
    upstream.nextAccount = { sub: 'google-1', email: 'ada@example.com', email_verified: true, name: 'Ada' }
    const flow = await begin(config)
    const callback = redirectOf(await upstream.authorize(flow.url))
    assert.equal(callback.origin + callback.pathname, REDIRECT_URI)
    assert.deepEqual([callback.searchParams.get('state'), callback.searchParams.get('iss')], [flow.state, upstream.issuer])
    const before = upstream.tokenRequests
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce })
    assert.equal(upstream.tokenRequests, before + 1)
    const claims = tokens.claims()
    assert.deepEqual([claims?.iss, claims?.sub, claims?.email, claims?.email_verified, claims?.name, claims?.nonce],
      [upstream.issuer, 'google-1', 'ada@example.com', true, 'Ada', flow.nonce])
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, 'google-1')
    assert.deepEqual([userinfo.email, userinfo.email_verified], ['ada@example.com', true])
  })

  it('gives email_verified false when set so, leaves it out when not set, and gives no email without the email scope', async () => {
    const signIn = async (account: UpstreamOidc['nextAccount'], scope: string): Promise<client.IDToken | undefined> => {
      upstream.nextAccount = account
      const flow = await begin(config, { scope })
      const callback = redirectOf(await upstream.authorize(flow.url))
      return (await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce })).claims()
    }
    const unverified = await signIn({ sub: 'u-2', email: 'bob@example.com', email_verified: false }, 'openid email')
    assert.deepEqual([unverified?.email, unverified?.email_verified], ['bob@example.com', false])
    const silent = await signIn({ sub: 'u-3', email: 'cy@example.com' }, 'openid email')
    assert.deepEqual([silent?.email, 'email_verified' in (silent ?? {})], ['cy@example.com', false])
    const bare = await signIn({ sub: 'u-4', email: 'di@example.com', email_verified: true }, 'openid')
    assert.deepEqual([bare?.sub, bare?.email, bare?.email_verified], ['u-4', undefined, undefined])
  })

  it('refuses a code used twice; failNextToken fails one token request and leaves the code usable', async () => {
    upstream.nextAccount = { sub: 'u-5', email: 'ed@example.com', email_verified: true }
    const flow = await begin(config)
    const callback = redirectOf(await upstream.authorize(flow.url))
    const checks = { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce }
    upstream.failNextToken = true
    // openid-client reads no error body from a 5xx: the Response is the cause.
    await assert.rejects(client.authorizationCodeGrant(config, callback, checks), (error: client.ClientError) => error.cause instanceof Response && error.cause.status === 500)
    upstream.failNextToken = 'invalid_grant'
    await assert.rejects(client.authorizationCodeGrant(config, callback, checks), (error: client.ResponseBodyError) => error.status === 400 && error.error === 'invalid_grant')
    assert.equal((await client.authorizationCodeGrant(config, callback, checks)).claims()?.sub, 'u-5')
    await assert.rejects(client.authorizationCodeGrant(config, callback, checks), (error: client.ResponseBodyError) => error.error === 'invalid_grant')
    assert.equal(upstream.failNextToken, false)
  })

  it('refuses a wrong PKCE verifier; requires PKCE of a public client only', async () => {
    upstream.nextAccount = { sub: 'u-6' }
    const flow = await begin(config)
    const callback = redirectOf(await upstream.authorize(flow.url))
    await assert.rejects(client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: flow.state, expectedNonce: flow.nonce }),
      (error: client.ResponseBodyError) => error.error === 'invalid_grant')
    const plain = await begin(config, {}, false)
    const confidential = redirectOf(await upstream.authorize(plain.url))
    assert.ok(confidential.searchParams.has('code'), 'a confidential client may leave PKCE out')
    const native = await discover(upstream, 'native')
    const refused = redirectOf(await upstream.authorize((await begin(native, {}, false)).url))
    assert.equal(refused.searchParams.get('error'), 'invalid_request')
    const publicFlow = await begin(native)
    const publicCallback = redirectOf(await upstream.authorize(publicFlow.url))
    const tokens = await client.authorizationCodeGrant(native, publicCallback, { pkceCodeVerifier: publicFlow.verifier, expectedState: publicFlow.state, expectedNonce: publicFlow.nonce })
    assert.equal(tokens.claims()?.sub, 'u-6')
  })

  it('answers access_denied when the test set no account, and an error page for an unknown client', async () => {
    upstream.nextAccount = null
    const denied = redirectOf(await upstream.authorize((await begin(config)).url))
    assert.equal(denied.searchParams.get('error'), 'access_denied')
    const nobody = new client.Configuration(config.serverMetadata(), 'nobody', 'x')
    // oxlint-disable-next-line typescript/no-deprecated -- plain HTTP on loopback, for the test
    client.allowInsecureRequests(nobody)
    const stranger = client.buildAuthorizationUrl(nobody, { redirect_uri: REDIRECT_URI, scope: 'openid' })
    const page = await upstream.authorize(stranger)
    assert.equal(page.kind, 'page')
    assert.match((page as { body: string }).body, /invalid_client/)
  })

  it('answers with form_post when the request asks for it (the library\'s default)', async () => {
    upstream.nextAccount = { sub: 'u-7' }
    const flow = await begin(config, { response_mode: 'form_post' })
    const answer = await upstream.authorize(flow.url)
    assert.equal(answer.kind, 'form_post')
    assert.equal((answer as { action: string }).action, REDIRECT_URI)
  })
})

describe('an upstream per Microsoft tenant and an Apple-like form_post upstream', () => {
  let tenantA: UpstreamOidc
  let tenantB: UpstreamOidc
  let apple: UpstreamOidc

  before(async () => {
    [tenantA, tenantB, apple] = await Promise.all([startUpstreamOidc({ tenant: 'tenant-a' }), startUpstreamOidc({ tenant: 'tenant-b' }), startUpstreamOidc({ responseModeFormPost: true })])
    for (const upstream of [tenantA, tenantB, apple]) await upstream.registerClient({ clientId: 'app', clientSecret: 'app-secret', redirectUris: [REDIRECT_URI], tokenEndpointAuthMethod: 'client_secret_post' })
  })
  after(async () => { await Promise.all([tenantA, tenantB, apple].map(async upstream => { await upstream.close() })) })

  it('serves each tenant under /<tenant>/v2.0 with tid in the ID token, and a callback from one tenant fails the other tenant\'s issuer check', async () => {
    assert.match(tenantA.issuer, /^http:\/\/127\.0\.0\.1:\d+\/tenant-a\/v2\.0$/)
    const [configA, configB] = await Promise.all([discover(tenantA, 'app', 'app-secret'), discover(tenantB, 'app', 'app-secret')])
    assert.equal(configA.serverMetadata().token_endpoint, `${tenantA.issuer}/token`)
    tenantA.nextAccount = { sub: 'ms-1', email: 'eve@contoso.example' }
    const flow = await begin(configA)
    const callback = redirectOf(await tenantA.authorize(flow.url))
    const checks = { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce }
    await assert.rejects(client.authorizationCodeGrant(configB, callback, checks), (error: client.ClientError) => /"iss"/.test(String((error.cause as Error).message)))
    assert.equal(tenantB.tokenRequests, 0)
    const claims = (await client.authorizationCodeGrant(configA, callback, checks)).claims()
    assert.deepEqual([claims?.iss, claims?.tid, claims?.email, 'email_verified' in (claims ?? {})], [tenantA.issuer, 'tenant-a', 'eve@contoso.example', false])
  })

  it('answers form_post when the request names no response_mode, and the POSTed fields complete the grant', async () => {
    apple.nextAccount = { sub: 'apple-1', email: 'x1@privaterelay.example', email_verified: true }
    const config = await discover(apple, 'app', 'app-secret')
    const flow = await begin(config, { scope: 'openid email' })
    const answer = await apple.authorize(flow.url)
    assert.equal(answer.kind, 'form_post', JSON.stringify(answer))
    const { action, fields } = answer as { action: string, fields: Record<string, string> }
    assert.equal(action, REDIRECT_URI)
    assert.deepEqual(Object.keys(fields).sort(), ['code', 'iss', 'state'])
    const posted = new Request(action, { method: 'POST', body: new URLSearchParams(fields) })
    const claims = (await client.authorizationCodeGrant(config, posted, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce })).claims()
    assert.deepEqual([claims?.sub, claims?.email_verified], ['apple-1', true])
    const query = redirectOf(await apple.authorize((await begin(config, { response_mode: 'query' })).url))
    assert.ok(query.searchParams.has('code'), 'a response_mode named in the request is kept')
  })

  it('formPostFields decodes the HTML escapes of the action and the values', () => {
    const html = '<form method="post" action="http://a.example/cb?x=1&amp;y=2"><input type="hidden" name="state" value="a&quot;b&lt;&#39;&amp;"/></form>'
    assert.deepEqual(formPostFields(html), { action: 'http://a.example/cb?x=1&y=2', fields: { state: 'a"b<\'&' } })
    assert.equal(formPostFields('<p>no form</p>'), null)
  })
})

describe('an Apple-shaped upstream: client secrets are JWTs signed with the registered key', () => {
  const clientId = 'com.example.app'
  let apple: UpstreamOidc
  let registered: CryptoKey
  let other: CryptoKey

  before(async () => {
    const [pair, otherPair] = await Promise.all([generateKeyPair('ES256'), generateKeyPair('ES256')])
    registered = pair.privateKey
    other = otherPair.privateKey
    apple = await startUpstreamOidc({ apple: { publicKey: pair.publicKey, keyId: 'KID1', teamId: 'TEAM1' } })
    await apple.registerClient({ clientId, redirectUris: [REDIRECT_URI] })
  })
  after(async () => { await apple.close() })

  /** A client secret as Apple describes it, one part changed. */
  async function secretWith (change: { key?: CryptoKey, kid?: string, iss?: string, sub?: string, aud?: string, ttlSeconds?: number } = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000)
    return await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: change.kid ?? 'KID1' }).setIssuer(change.iss ?? 'TEAM1').setSubject(change.sub ?? clientId)
      .setAudience(change.aud ?? apple.issuer).setIssuedAt(now).setExpirationTime(now + (change.ttlSeconds ?? 600)).sign(change.key ?? registered)
  }

  it('refuses scopes without form_post; takes a secret only with the registered key, kid, team, client and audience, at most six months long', async () => {
    const base = await client.discovery(new URL(apple.issuer), clientId, undefined, client.ClientSecretPost('unused'), insecure)
    const refused = await apple.authorize((await begin(base, { scope: 'openid email' })).url)
    assert.deepEqual([refused.kind, refused.kind === 'page' ? refused.status : 0], ['page', 400])

    apple.nextAccount = { sub: 'apple-2', email: 'x2@privaterelay.example', email_verified: 'true' }
    const flow = await begin(base, { scope: 'openid email', response_mode: 'form_post' })
    const answer = await apple.authorize(flow.url)
    if (answer.kind !== 'form_post') assert.fail(JSON.stringify(answer))
    const grant = async (secret: string): ReturnType<typeof client.authorizationCodeGrant> => {
      const config = await client.discovery(new URL(apple.issuer), clientId, undefined, client.ClientSecretPost(secret), insecure)
      const posted = new Request(answer.action, { method: 'POST', body: new URLSearchParams(answer.fields) })
      return await client.authorizationCodeGrant(config, posted, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce })
    }
    const wrong: Array<[string, string]> = [
      ['another key', await secretWith({ key: other })],
      ['another kid', await secretWith({ kid: 'KID2' })],
      ['another team', await secretWith({ iss: 'TEAM2' })],
      ['another client', await secretWith({ sub: 'com.example.other' })],
      ['another audience', await secretWith({ aud: 'https://appleid.apple.com' })],
      ['seven months', await secretWith({ ttlSeconds: 7 * 31 * 86400 })],
      ['a plain secret', 'app-secret']
    ]
    for (const [label, secret] of wrong) {
      await assert.rejects(grant(secret), (error: Error) => /invalid_client/.test(`${error.message} ${JSON.stringify((error as { error?: string }).error)}`), label)
      assert.notEqual(apple.clientSecrets.at(-1)?.refused ?? null, null, label)
    }
    // The refusals left the code unused: the right secret redeems it.
    const tokens = await grant(await secretWith())
    assert.deepEqual([tokens.claims()?.sub, tokens.claims()?.email_verified], ['apple-2', 'true'])
    assert.equal(apple.clientSecrets.at(-1)?.refused, null)
  })
})

describe('the fake GitHub (OAuth 2 and its user API)', () => {
  let gh: FakeGitHub
  const account = { id: 4242, login: 'octo', name: 'Octo Cat', emails: [{ email: 'octo@example.com', primary: true, verified: true }, { email: 'old@example.com', primary: false, verified: false }] }

  before(async () => {
    gh = await startFakeGitHub()
    gh.registerClient('gh-app', 'gh-secret')
  })
  after(async () => { await gh.close() })

  const authorizeUrl = (params: Record<string, string>): string => `${gh.url}/login/oauth/authorize?${new URLSearchParams({ client_id: 'gh-app', redirect_uri: REDIRECT_URI, ...params }).toString()}`
  const exchange = async (params: Record<string, string>, accept = 'application/json'): Promise<Response> => await fetch(`${gh.url}/login/oauth/access_token`, {
    method: 'POST', headers: { accept }, body: new URLSearchParams({ client_id: 'gh-app', client_secret: 'gh-secret', redirect_uri: REDIRECT_URI, ...params })
  })
  const apiGet = async (path: string, token: string): Promise<Response> => await fetch(`${gh.url}${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json' } })

  it('signs in the account set, exchanges the code once with PKCE, and serves /user and /user/emails for the token', async () => {
    gh.nextAccount = account
    const verifier = client.randomPKCECodeVerifier()
    const challenge = createHash('sha256').update(verifier).digest('base64url')
    const callback = redirectOf(await gh.authorize(authorizeUrl({ state: 's1', scope: 'read:user user:email', code_challenge: challenge, code_challenge_method: 'S256' })))
    assert.equal(callback.searchParams.get('state'), 's1')
    const code = callback.searchParams.get('code') ?? ''
    const reply = await exchange({ code, code_verifier: verifier })
    const token = await reply.json() as { access_token: string, token_type: string, scope: string }
    assert.deepEqual([reply.status, token.token_type, token.scope], [200, 'bearer', 'read:user,user:email'])
    assert.deepEqual(await (await apiGet('/user', token.access_token)).json(), { id: 4242, login: 'octo', name: 'Octo Cat', email: null })
    const emails = await (await apiGet('/user/emails', token.access_token)).json() as Array<{ email: string, primary: boolean, verified: boolean }>
    assert.deepEqual(emails.map(({ email, primary, verified }) => ({ email, primary, verified })), account.emails)
    const replay = await exchange({ code, code_verifier: verifier })
    assert.deepEqual([replay.status, (await replay.json() as { error: string }).error], [200, 'bad_verification_code'])
    assert.equal(gh.tokenRequests, 2)
  })

  it('refuses a wrong verifier, secret or redirect_uri with GitHub\'s errors (status 200), form-encoded without Accept JSON', async () => {
    gh.nextAccount = account
    const codeOf = async (params: Record<string, string> = {}): Promise<string> => redirectOf(await gh.authorize(authorizeUrl({ scope: 'user:email', ...params }))).searchParams.get('code') ?? ''
    const errorOf = async (reply: Response): Promise<string> => (await reply.json() as { error: string }).error
    const challenge = createHash('sha256').update('the-right-verifier-of-at-least-43-characters!').digest('base64url')
    assert.equal(await errorOf(await exchange({ code: await codeOf({ code_challenge: challenge, code_challenge_method: 'S256' }), code_verifier: 'another-verifier' })), 'bad_verification_code')
    assert.equal(await errorOf(await exchange({ code: await codeOf(), client_secret: 'wrong' })), 'incorrect_client_credentials')
    assert.equal(await errorOf(await exchange({ code: await codeOf(), redirect_uri: 'http://127.0.0.1:9/other' })), 'redirect_uri_mismatch')
    const form = await exchange({ code: await codeOf() }, '*/*')
    assert.match(form.headers.get('content-type') ?? '', /x-www-form-urlencoded/)
    assert.equal(new URLSearchParams(await form.text()).get('token_type'), 'bearer')
    gh.failNextToken = true
    assert.equal((await exchange({ code: await codeOf() })).status, 500)
  })

  it('keeps /user/emails from a token without the user:email scope, refuses a bad token, and answers access_denied when no account is set', async () => {
    gh.nextAccount = account
    const code = redirectOf(await gh.authorize(authorizeUrl({ scope: 'read:user' }))).searchParams.get('code') ?? ''
    const { access_token: token } = await (await exchange({ code })).json() as { access_token: string }
    assert.equal((await apiGet('/user', token)).status, 200)
    assert.equal((await apiGet('/user/emails', token)).status, 404)
    assert.equal((await apiGet('/user', 'gho_nonsense')).status, 401)
    gh.nextAccount = null
    const denied = redirectOf(await gh.authorize(authorizeUrl({ state: 's2' })))
    assert.deepEqual([denied.searchParams.get('error'), denied.searchParams.get('state'), denied.searchParams.has('code')], ['access_denied', 's2', false])
  })
})
