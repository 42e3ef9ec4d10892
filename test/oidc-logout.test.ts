// Back-channel logout (OpenID Connect Back-Channel Logout 1.0) through the outbox: a client
// application signed in through the provider (openid-client, the hosted login page) has a
// small HTTP receiver of its own at its backchannel_logout_uri; each way a session of this
// service ends must bring it one logout token, verified against the provider's JWKS.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer } from 'node:net'
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import * as client from 'openid-client'
import { PageClient } from './support/pages.js'
import { PASSWORD, request, sessionCookie, signUp, signUpVerified, sleep, startServer, type TestServer } from './support/server.js'
import { TEST_DIALECT } from './support/database.js'
import { runCli } from './support/cli.js'
import { resetLinkOf, type SmtpReceiver, startSmtpReceiver } from './support/smtp.js'
import { hashClientSecret } from '../src/provider/clients.js'
import { isPublicAddress, postForm } from '../src/outbox/http-post.js'

const REDIRECT_URI = 'http://127.0.0.1:9/callback'
const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout'

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise(resolve => server.close(resolve))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** Waits until `check` gives a value (not undefined), polling; fails after `timeoutMs`. */
async function waitFor<T> (what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

/** A client application's back-channel logout endpoint: records each logout_token POSTed
 *  to it, answers with the next of `answers` (200 once they run out); can go down and come
 *  back on the same port. */
class LogoutReceiver {
  /** Every receiver started: the suites close them all (a failed test leaves none open). */
  static readonly started = new Set<LogoutReceiver>()
  readonly tokens: string[] = []
  answers: number[] = []
  private server: Server | null = null
  private constructor (readonly port: number) {}

  static async start (): Promise<LogoutReceiver> {
    const receiver = new LogoutReceiver(await freePort())
    LogoutReceiver.started.add(receiver)
    await receiver.up()
    return receiver
  }

  get uri (): string { return `http://127.0.0.1:${this.port}/backchannel-logout` }

  async up (): Promise<void> {
    const server = createHttpServer((req, res) => {
      let body = ''
      req.setEncoding('utf8')
      req.on('data', (chunk: string) => { body += chunk })
      req.on('end', () => {
        const status = this.answers.shift() ?? 200
        if (status === 200 && req.method === 'POST' && req.url === '/backchannel-logout' && req.headers['content-type'] === 'application/x-www-form-urlencoded') {
          this.tokens.push(new URLSearchParams(body).get('logout_token') ?? '')
        }
        res.writeHead(status).end()
      })
    })
    await new Promise<void>(resolve => server.listen(this.port, '127.0.0.1', resolve))
    this.server = server
  }

  async down (): Promise<void> {
    const server = this.server
    this.server = null
    if (server === null) return
    server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  }

  static async closeAll (): Promise<void> {
    await Promise.all([...LogoutReceiver.started].map(async receiver => { await receiver.down() }))
    LogoutReceiver.started.clear()
  }

  async waitForTokens (count: number): Promise<string[]> {
    return await waitFor(`${count} logout token(s) at ${this.uri}`, () => this.tokens.length >= count ? [...this.tokens] : undefined)
  }
}

interface RegisteredClient { readonly id: string, readonly secret: string }

let clients = 0
// TEMPORARY until `authsvc clients create` lands: the row it would write, with a back-channel logout URI.
async function registerClient (server: TestServer, backchannelLogoutUri: string): Promise<RegisteredClient> {
  clients += 1
  const id = `logout-client-${clients}-${Date.now()}`
  const secret = `secret-${id}-0123456789abcdef`
  await server.db.insertInto('oidc_clients').values({
    client_id: id,
    name: `Logout app ${clients}`,
    metadata: JSON.stringify({
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      backchannel_logout_uri: backchannelLogoutUri,
      backchannel_logout_session_required: true
    }),
    secret_hash: hashClientSecret(secret),
    first_party: 1,
    created_at: Date.now()
  }).execute()
  return { id, secret }
}

/** Follows the browser's redirects from `url` until a page (200) or the client's redirect URI. */
async function browse (browser: PageClient, url: string): Promise<{ url: string, html: string }> {
  let current = url
  for (let hops = 0; hops < 10; hops += 1) {
    if (current.startsWith(REDIRECT_URI.slice(0, REDIRECT_URI.lastIndexOf('/'))) && !current.startsWith(browser.server.url)) return { url: current, html: '' }
    const path = current.startsWith(browser.server.url) ? current.slice(browser.server.url.length) : current
    const page = await browser.get(path)
    if (page.location === null) return { url: current, html: page.html }
    current = new URL(page.location, browser.server.url + path).toString()
  }
  throw new Error(`too many redirects from ${url}`)
}

const asPage = (html: string): { status: number, headers: Headers, html: string, location: null } => ({ status: 200, headers: new Headers(), html, location: null })

describe(`back-channel logout on ${TEST_DIALECT}`, () => {
  let server: TestServer
  let smtp: SmtpReceiver
  let issuer: string
  let jwks: ReturnType<typeof createRemoteJWKSet>

  before(async () => {
    smtp = await startSmtpReceiver()
    const port = await freePort()
    issuer = `http://127.0.0.1:${port}`
    server = await startServer({
      PUBLIC_URL: issuer,
      SMTP_URL: smtp.url,
      // Failed deliveries are tried again within a fraction of a second.
      OUTBOX_POLL_INTERVAL: '100',
      OUTBOX_RETRY_DELAY: '100',
      OUTBOX_RETRY_MAX_DELAY: '300',
      BACKCHANNEL_LOGOUT_SCAN_INTERVAL: '200'
    }, { port })
    jwks = createRemoteJWKSet(new URL(`${issuer}/oidc/jwks`))
  })
  after(async () => {
    await LogoutReceiver.closeAll()
    await server.close()
    await smtp.close()
  })

  /**
   * A person signs in to a client application through the provider in a browser (the
   * hosted login page), and the application redeems the code: returns the browser (its
   * session cookie here) and the ID token's claims.
   */
  async function signInToClient (user: { email: string }, registered: RegisteredClient, browser = new PageClient(server)): Promise<{ browser: PageClient, idToken: client.IDToken }> {
    // oxlint-disable-next-line typescript/no-deprecated -- the test server speaks plain HTTP on loopback (for tests and development, as its documentation says)
    const config = await client.discovery(new URL(browser.server.url), registered.id, registered.secret, undefined, { execute: [client.allowInsecureRequests] })
    const verifier = client.randomPKCECodeVerifier()
    const state = client.randomState()
    const nonce = client.randomNonce()
    const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid email', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce })
    let callback = await browse(browser, url.toString())
    if (!callback.url.startsWith(REDIRECT_URI)) {
      // No session here yet: the login page (a session here signs in without a page).
      assert.equal(new URL(callback.url).pathname, '/ui/login')
      const signedIn = await browser.post(`/ui/login${new URL(callback.url).search}`, { email: user.email, password: PASSWORD }, { tokenFrom: asPage(callback.html) })
      callback = await browse(browser, new URL(signedIn.location ?? '', browser.server.url).toString())
    }
    assert.ok(callback.url.startsWith(REDIRECT_URI), callback.url)
    const tokens = await client.authorizationCodeGrant(config, new URL(callback.url), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce })
    const idToken = tokens.claims()
    assert.ok(idToken !== undefined)
    assert.equal(typeof idToken.sid, 'string')
    return { browser, idToken }
  }

  /** Verifies a logout token as the client must (signature against the JWKS, iss, aud,
   *  typ) and checks it names the ID token's account and session. */
  async function assertLogoutTokenFor (token: string, registered: RegisteredClient, idToken: client.IDToken): Promise<void> {
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer, audience: registered.id, algorithms: ['RS256'], typ: 'logout+jwt' })
    assert.equal(protectedHeader.alg, 'RS256')
    assert.equal(typeof protectedHeader.kid, 'string')
    assert.equal(payload.sub, idToken.sub)
    assert.equal(payload.sid, idToken.sid)
    assert.deepEqual(payload.events, { [LOGOUT_EVENT]: {} })
    assert.equal(payload.nonce, undefined, 'a logout token never holds a nonce')
    assert.equal(typeof payload.jti, 'string')
    assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 120)
    assert.ok(Math.abs((payload.iat ?? 0) - Date.now() / 1000) < 30)
  }

  const sessionOf = (browser: PageClient): string => browser.cookies.get('session_id') ?? ''

  async function pendingLogouts (userId: number): Promise<number> {
    const rows = await server.db.selectFrom('outbox').select('id').where('channel', '=', 'logout').where('user_id', '=', userId).where('status', '=', 'pending').execute()
    return rows.length
  }

  it('records the client a session signed in to, with the sid of its ID token', async () => {
    const receiver = await LogoutReceiver.start()
    const registered = await registerClient(server, receiver.uri)
    const user = await signUpVerified(server)
    const { browser, idToken } = await signInToClient(user, registered)
    const sessionId = createHash('sha256').update(sessionOf(browser)).digest('hex')
    const rows = await server.db.selectFrom('oidc_session_clients').selectAll().where('user_id', '=', user.id).execute()
    assert.deepEqual(rows.map(row => [row.session_id, row.client_id, row.sid]), [[sessionId, registered.id, idToken.sid]])
  })

  it('signing out (DELETE /sessions) sends the client a logout token it verifies against the JWKS', async () => {
    const receiver = await LogoutReceiver.start()
    const registered = await registerClient(server, receiver.uri)
    const user = await signUpVerified(server)
    const { browser, idToken } = await signInToClient(user, registered)
    const out = await request(server, 'DELETE', '/sessions', undefined, { session: sessionOf(browser), transport: 'header' })
    assert.equal(out.status, 200)
    const [token = ''] = await receiver.waitForTokens(1)
    await assertLogoutTokenFor(token, registered, idToken)
    assert.equal(decodeProtectedHeader(token).typ, 'logout+jwt')
    const left = await server.db.selectFrom('oidc_session_clients').select('client_id').where('user_id', '=', user.id).execute()
    assert.deepEqual(left, [], 'the record goes with the token')
  })

  it('a session revoked from the account (DELETE /account/sessions/:id) sends the token', async () => {
    const receiver = await LogoutReceiver.start()
    const registered = await registerClient(server, receiver.uri)
    const user = await signUpVerified(server)
    const { browser, idToken } = await signInToClient(user, registered)
    const list = await request(server, 'GET', '/account/sessions', undefined, { session: user.token })
    const others = (list.body.sessions as Array<{ id: string, current: boolean }>).filter(session => !session.current)
    assert.equal(others.length, 1, 'the browser\'s session')
    const revoked = await request(server, 'DELETE', `/account/sessions/${others[0]?.id ?? ''}`, undefined, { session: user.token })
    assert.equal(revoked.status, 200)
    const [token = ''] = await receiver.waitForTokens(1)
    await assertLogoutTokenFor(token, registered, idToken)
    assert.equal((await request(server, 'GET', '/profile', undefined, { session: sessionOf(browser) })).status, 403)
  })

  it('a password reset by mail ends the session and sends the token', async () => {
    const receiver = await LogoutReceiver.start()
    const registered = await registerClient(server, receiver.uri)
    const user = await signUpVerified(server)
    const { idToken } = await signInToClient(user, registered)
    assert.equal((await request(server, 'POST', '/reset_password', { email: user.email })).status, 200)
    const resetToken = resetLinkOf(await smtp.waitFor(user.email, /^Reset/)).searchParams.get('token') ?? ''
    const reset = await request(server, 'PUT', '/reset_password', { email: user.email, reset_token: resetToken, new_password: 'a brand new passphrase' })
    assert.equal(reset.status, 200)
    const [token = ''] = await receiver.waitForTokens(1)
    await assertLogoutTokenFor(token, registered, idToken)
  })

  it('deleting the account (DELETE /users/:id) sends the token, still naming the account\'s sub', async () => {
    const receiver = await LogoutReceiver.start()
    const registered = await registerClient(server, receiver.uri)
    const user = await signUpVerified(server)
    const { idToken } = await signInToClient(user, registered)
    // user.token signed in just now: fresh enough for a privileged route.
    const deleted = await request(server, 'DELETE', `/users/${user.id}`, undefined, { session: user.token })
    assert.equal(deleted.status, 200, deleted.text)
    const [token = ''] = await receiver.waitForTokens(1)
    await assertLogoutTokenFor(token, registered, idToken)
  })

  it('a client that answers 500, then is down, gets the token once it is back, exactly once; authsvc outbox lists it meanwhile', async () => {
    const receiver = await LogoutReceiver.start()
    const registered = await registerClient(server, receiver.uri)
    const user = await signUpVerified(server)
    const { browser, idToken } = await signInToClient(user, registered)
    receiver.answers = [500]
    await request(server, 'DELETE', '/sessions', undefined, { session: sessionOf(browser), transport: 'header' })
    const message = () => server.db.selectFrom('outbox').select(['id', 'status', 'attempts', 'last_error', 'kind', 'recipient']).where('channel', '=', 'logout').where('user_id', '=', user.id).executeTakeFirst()
    const refused = await waitFor('a failed attempt', async () => { const row = await message(); return row?.last_error?.includes('answered 500') === true ? row : undefined })
    assert.equal(refused.status, 'pending')
    assert.equal(refused.last_error, `${new URL(receiver.uri).origin} answered 500`, 'the origin only, never the path')
    await receiver.down()
    await waitFor('an attempt while the client is down', async () => { const row = await message(); return row?.last_error?.includes('ECONNREFUSED') === true ? row : undefined })
    const listed = await runCli(['outbox'], { DATABASE_URL: server.databaseUrl })
    assert.equal(listed.code, 0, listed.stderr)
    const line = listed.stdout.split('\n').find(text => text.startsWith(`${refused.id} `))
    assert.ok(line !== undefined, listed.stdout)
    assert.match(line, new RegExp(`backchannel_logout +${registered.id} +pending`))
    assert.match(line, /ECONNREFUSED/)
    assert.equal(receiver.tokens.length, 0)
    await receiver.up()
    const [token = ''] = await receiver.waitForTokens(1)
    await assertLogoutTokenFor(token, registered, idToken)
    const sent = await waitFor('the message marked sent', async () => { const row = await message(); return row?.status === 'sent' ? row : undefined })
    assert.ok(sent.attempts >= 3)
    assert.equal(receiver.tokens.length, 1, 'delivered exactly once')
  })

  it('a token still undelivered after OUTBOX_GIVE_UP_AFTER is given up: oidc.logout_given_up in the audit log, and the metric', async () => {
    const port = await freePort()
    const other = await startServer({ PUBLIC_URL: `http://127.0.0.1:${port}`, OUTBOX_POLL_INTERVAL: '100', OUTBOX_RETRY_DELAY: '100', OUTBOX_RETRY_MAX_DELAY: '300', OUTBOX_GIVE_UP_AFTER: '1' }, { port })
    const receiver = await LogoutReceiver.start()
    try {
      receiver.answers = Array.from({ length: 1000 }, () => 503)
      const registered = await registerClient(other, receiver.uri)
      const user = await signUpVerified(other)
      const { browser } = await signInToClient(user, registered, new PageClient(other))
      await request(other, 'DELETE', '/sessions', undefined, { session: sessionOf(browser), transport: 'header' })
      type Event = { user_id: number, outcome: string, details: Record<string, unknown> }
      const [event] = await waitFor('the audit event', async () => {
        const listed = await runCli(['events', '--type', 'oidc.logout_given_up', '--json'], { DATABASE_URL: other.databaseUrl })
        const { events } = JSON.parse(listed.stdout) as { events: Event[] }
        return events.length > 0 ? events : undefined
      })
      assert.equal(event?.user_id, user.id)
      assert.equal(event?.outcome, 'failure')
      assert.equal(event?.details.client_id, registered.id)
      assert.ok(Number(event?.details.attempts) >= 2)
      const metrics = await (await fetch(`${other.url}/metrics`)).text()
      assert.match(metrics, /authsvc_logout_tokens_total\{result="given_up"\} 1\n/)
      assert.ok(receiver.tokens.length === 0)
    } finally {
      await receiver.down()
      await other.close()
    }
  })

  it('a session that signed in to no client sends nothing; the one that did sends one token', async () => {
    const receiver = await LogoutReceiver.start()
    const registered = await registerClient(server, receiver.uri)
    const user = await signUpVerified(server)
    const { browser, idToken } = await signInToClient(user, registered)
    // user.token is a session of its own (POST /sessions), never used with the client.
    assert.equal((await request(server, 'DELETE', '/sessions', undefined, { session: user.token })).status, 200)
    assert.equal(await pendingLogouts(user.id), 0, 'nothing queued with the sign-out')
    assert.equal((await request(server, 'DELETE', '/sessions', undefined, { session: sessionOf(browser) })).status, 200)
    const [token = ''] = await receiver.waitForTokens(1)
    await assertLogoutTokenFor(token, registered, idToken)
    await waitFor('no logout pending', async () => await pendingLogouts(user.id) === 0 ? true : undefined)
    assert.equal(receiver.tokens.length, 1)
    const all = await server.db.selectFrom('outbox').select('id').where('channel', '=', 'logout').where('user_id', '=', user.id).execute()
    assert.equal(all.length, 1)
  })

  it('a session that expires (no event) gets its token from the scheduled job; so does one whose row is gone', async () => {
    const receiver = await LogoutReceiver.start()
    const registered = await registerClient(server, receiver.uri)
    const user = await signUpVerified(server)
    const first = await signInToClient(user, registered)
    const second = await signInToClient(user, registered)
    const idOf = (browser: PageClient): string => createHash('sha256').update(sessionOf(browser)).digest('hex')
    // Behind the API, as time and the sweep would: one session past its expiry, the other's row deleted.
    await server.db.updateTable('sessions').set({ expires_at: Date.now() - 1000 }).where('id', '=', idOf(first.browser)).execute()
    await server.db.deleteFrom('sessions').where('id', '=', idOf(second.browser)).execute()
    const tokens = await receiver.waitForTokens(2)
    const sids = await Promise.all(tokens.map(async token => (await jwtVerify(token, jwks, { issuer, audience: registered.id })).payload.sid))
    assert.deepEqual(new Set(sids), new Set([first.idToken.sid, second.idToken.sid]))
  })

  it('RP-initiated logout tells each client once, through the outbox', async () => {
    const receiver = await LogoutReceiver.start()
    const registered = await registerClient(server, receiver.uri)
    const user = await signUpVerified(server)
    // oxlint-disable-next-line typescript/no-deprecated -- plain HTTP on loopback, as above
    const config = await client.discovery(new URL(issuer), registered.id, registered.secret, undefined, { execute: [client.allowInsecureRequests] })
    const { browser, idToken } = await signInToClient(user, registered)
    const logout = client.buildEndSessionUrl(config, { client_id: registered.id })
    const question = await browse(browser, logout.toString())
    const action = /action="([^"]+)"/.exec(question.html)?.[1] ?? ''
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(question.html)?.[1] ?? ''
    const confirmed = await browser.post(new URL(action, issuer).pathname, { xsrf, logout: 'yes' })
    assert.ok(confirmed.status < 400, `${confirmed.status}`)
    const [token = ''] = await receiver.waitForTokens(1)
    await assertLogoutTokenFor(token, registered, idToken)
    await waitFor('no logout pending', async () => await pendingLogouts(user.id) === 0 ? true : undefined)
    const all = await server.db.selectFrom('outbox').select('id').where('channel', '=', 'logout').where('user_id', '=', user.id).execute()
    assert.equal(all.length, 1, 'one message: the library\'s sending and the end of our session claimed the same record')
    assert.equal(receiver.tokens.length, 1)
  })

  it('RP-initiated logout where the person stays signed in here tells the asking client alone; signing out later tells the other', async () => {
    const receiverA = await LogoutReceiver.start()
    const receiverB = await LogoutReceiver.start()
    const a = await registerClient(server, receiverA.uri)
    const b = await registerClient(server, receiverB.uri)
    const user = await signUpVerified(server)
    const first = await signInToClient(user, a)
    const browser = first.browser
    const second = await signInToClient(user, b, browser)
    // oxlint-disable-next-line typescript/no-deprecated -- plain HTTP on loopback, as above
    const config = await client.discovery(new URL(issuer), a.id, a.secret, undefined, { execute: [client.allowInsecureRequests] })
    const question = await browse(browser, client.buildEndSessionUrl(config, { client_id: a.id }).toString())
    const action = /action="([^"]+)"/.exec(question.html)?.[1] ?? ''
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(question.html)?.[1] ?? ''
    const stayed = await browser.post(new URL(action, issuer).pathname, { xsrf })
    assert.ok(stayed.status < 400, `${stayed.status}`)
    const [tokenA = ''] = await receiverA.waitForTokens(1)
    await assertLogoutTokenFor(tokenA, a, first.idToken)
    assert.equal((await request(server, 'GET', '/profile', undefined, { session: sessionOf(browser) })).status, 200, 'still signed in here')
    assert.equal((await request(server, 'DELETE', '/sessions', undefined, { session: sessionOf(browser) })).status, 200)
    const [tokenB = ''] = await receiverB.waitForTokens(1)
    await assertLogoutTokenFor(tokenB, b, second.idToken)
    await waitFor('no logout pending', async () => await pendingLogouts(user.id) === 0 ? true : undefined)
    assert.deepEqual([receiverA.tokens.length, receiverB.tokens.length], [1, 1])
  })

  it('counts deliveries in authsvc_logout_tokens_total', async () => {
    const metrics = await fetch(`${server.url}/metrics`)
    const text = await metrics.text()
    assert.match(text, /^authsvc_logout_tokens_total\{result="sent"\} [1-9]/m)
    assert.match(text, /^authsvc_logout_tokens_total\{result="failed"\} [1-9]/m)
  })
})

describe('the SSRF guard of logout tokens (production)', () => {
  after(async () => { await LogoutReceiver.closeAll() })

  it('judges addresses: only public unicast passes', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '255.255.255.255', '224.0.0.1', '192.0.2.1', '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::127.0.0.1', '64:ff9b::a00:1', '2001:db8::1', 'ff02::1', 'not an address']) {
      assert.equal(isPublicAddress(address), false, address)
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '::ffff:8.8.8.8', '2606:4700:4700::1111', '2001:4860:4860::8888']) {
      assert.equal(isPublicAddress(address), true, address)
    }
  })

  it('refuses a loopback address, written or resolved, before connecting; outside production the same POST goes', async () => {
    const receiver = await LogoutReceiver.start()
    const guarded = { timeoutMs: 2000, publicAddressesOnly: true }
    for (const target of [receiver.uri, `http://localhost:${receiver.port}/backchannel-logout`, `http://[::ffff:127.0.0.1]:${receiver.port}/backchannel-logout`]) {
      await assert.rejects(postForm(target, { logout_token: 'x' }, guarded), (error: Error & { code?: string }) => error.code === 'ADDRESS_REFUSED' && /not a public address/.test(error.message), target)
    }
    assert.equal(receiver.tokens.length, 0)
    await postForm(receiver.uri, { logout_token: 'x' }, { ...guarded, publicAddressesOnly: false })
    assert.deepEqual(receiver.tokens, ['x'])
  })

  it('a production service records the refusal as a failed attempt of the message, and never crashes', async () => {
    const smtp = await startSmtpReceiver()
    const server = await startServer({ NODE_ENV: 'production', SMTP_URL: smtp.url, PUBLIC_URL: 'https://auth.example.com', ENCRYPTION_KEY: randomBytes(32).toString('base64'), OUTBOX_POLL_INTERVAL: '100', OUTBOX_RETRY_DELAY: '100' })
    const receiver = await LogoutReceiver.start()
    try {
      assert.equal(server.config.env, 'production')
      const registered = await registerClient(server, receiver.uri)
      const user = await signUp(server)
      // The record the provider writes when this session signs in to the client (loopback
      // redirect URIs are refused in production, so no real sign-in here).
      await server.db.insertInto('oidc_session_clients').values({ session_id: createHash('sha256').update(user.token).digest('hex'), client_id: registered.id, user_id: user.id, sid: 'sid-1', created_at: Date.now() }).execute()
      const out = await request(server, 'DELETE', '/sessions', undefined, { session: user.token })
      assert.equal(out.status, 200)
      const failed = await waitFor('a refused attempt', async () => {
        const row = await server.db.selectFrom('outbox').select(['status', 'last_error', 'attempts']).where('channel', '=', 'logout').where('user_id', '=', user.id).executeTakeFirst()
        return row !== undefined && row.attempts >= 2 && row.last_error !== null ? row : undefined
      })
      assert.equal(failed.status, 'pending')
      assert.match(failed.last_error ?? '', /^ADDRESS_REFUSED: refused to connect to 127\.0\.0\.1: not a public address/)
      assert.equal(receiver.tokens.length, 0)
      assert.equal((await request(server, 'GET', '/health/alive')).status, 200)
      assert.equal(sessionCookie(await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD })).length > 0, true, 'the service still answers')
    } finally {
      await server.close()
      await smtp.close()
    }
  })
})
