// An application signs its users in through this service, in a real browser (Debian's
// Chromium under playwright-core): openid-client builds the request and redeems the code,
// the person signs in on the hosted pages (the password; the password and a TOTP code),
// allows a third-party application, and lands on the application's callback (a small HTTP
// server of the test). No page may break its CSP or load from another host, and the
// redirects after a form (sign-in, consent) must not be blocked by a form-action rule.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { after, before, beforeEach, describe, it } from 'node:test'
import * as client from 'openid-client'
import { Secret, TOTP } from 'otpauth'
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from './support/browser.js'
import { runCli } from './support/cli.js'
import { freePort } from './support/service.js'
import { PASSWORD, request, signUpVerified, startServer, type TestServer } from './support/server.js'
import { freshStep } from './support/totp.js'
import { startUpstreamOidc, type UpstreamOidc } from './support/upstream.js'

describe('an application signs in through the provider, in Chromium', () => {
  let server: TestServer
  let browser: Browser
  let callbackServer: Server
  let callbackUrl: string
  const problems: string[] = []

  before(async () => {
    const port = await freePort()
    server = await startServer({ PUBLIC_URL: `http://127.0.0.1:${port}` }, { port })
    browser = await launchChromium()
    callbackServer = createServer((_request, response) => { response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>the application</h1>') })
    await new Promise<void>(resolve => callbackServer.listen(0, '127.0.0.1', resolve))
    const address = callbackServer.address()
    callbackUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/callback`
  })
  beforeEach(() => { problems.length = 0 })
  after(async () => {
    await browser?.close()
    await server?.close()
    await new Promise(resolve => callbackServer?.close(resolve))
  })

  async function registerClient (firstParty: boolean): Promise<client.Configuration> {
    const created = await runCli(['clients', 'create', '--name', 'Example Notes', '--redirect-uri', callbackUrl, '--json', ...(firstParty ? ['--first-party'] : [])], { DATABASE_URL: server.databaseUrl })
    assert.equal(created.code, 0, created.stderr)
    const { client_id: id, client_secret: secret } = JSON.parse(created.stdout) as { client_id: string, client_secret: string }
    // oxlint-disable-next-line typescript/no-deprecated -- plain HTTP on loopback, for the test
    return await client.discovery(new URL(server.url), id, secret, undefined, { execute: [client.allowInsecureRequests] })
  }

  async function newPage (): Promise<Page> {
    const context = await browser.newContext({ locale: 'en-GB' })
    const page = await context.newPage()
    page.on('console', message => { if (/Content Security Policy/i.test(message.text())) problems.push(`${page.url()}: ${message.text()}`) })
    page.on('request', request => {
      const url = request.url()
      if (!url.startsWith(`${server.url}/`) && !url.startsWith(callbackUrl) && !url.startsWith('data:')) problems.push(`${page.url()} requested ${url}`)
    })
    return page
  }

  async function start (config: client.Configuration): Promise<{ url: string, verifier: string, state: string, nonce: string }> {
    const verifier = client.randomPKCECodeVerifier()
    const state = client.randomState()
    const nonce = client.randomNonce()
    const url = client.buildAuthorizationUrl(config, { redirect_uri: callbackUrl, scope: 'openid email', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce }).toString()
    return { url, verifier, state, nonce }
  }

  it('the password, then consent for a third-party application: the application gets its code and an ID token with amr pwd', async () => {
    const user = await signUpVerified(server)
    const config = await registerClient(false)
    const flow = await start(config)
    const page = await newPage()
    await page.goto(flow.url)
    await page.waitForURL(/\/ui\/login\?return_to=/)
    await page.getByLabel('Email address').fill(user.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.waitForURL(/\/ui\/authorize\//)
    assert.match(await page.locator('main').textContent() ?? '', /Example Notes asks to sign you in with your account/)
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.waitForURL(url => url.toString().startsWith(callbackUrl))
    const tokens = await client.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce })
    assert.deepEqual(tokens.claims()?.amr, ['pwd'])
    assert.equal(tokens.claims()?.email, user.email)
    assert.deepEqual(problems, [])
  })

  it('the password and a TOTP code, for a first-party application: no consent page, amr pwd and otp', async () => {
    const user = await signUpVerified(server)
    const started = await request(server, 'POST', '/account/totp', {}, { headers: { 'x-session-id': user.token } })
    assert.equal(started.status, 200, JSON.stringify(started.body))
    const totp = new TOTP({ secret: Secret.fromBase32(String(started.body.secret)) })
    await freshStep()
    const confirmed = await request(server, 'POST', '/account/totp/confirm', { code: totp.generate() }, { headers: { 'x-session-id': user.token } })
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body))
    const config = await registerClient(true)
    const flow = await start(config)
    const page = await newPage()
    await page.goto(flow.url)
    await page.getByLabel('Email address').fill(user.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await freshStep()
    await page.getByLabel(/code/i).first().fill(totp.generate({ timestamp: Date.now() + 30_000 }))
    await page.getByRole('button', { name: /Verify|Continue|Sign in/ }).first().click()
    await page.waitForURL(url => url.toString().startsWith(callbackUrl))
    const tokens = await client.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce })
    assert.deepEqual(tokens.claims()?.amr, ['pwd', 'otp'])
    assert.deepEqual(problems, [])
  })

  it('signed out here and back as another account: the application gets the new account, who stays signed in here', async () => {
    const first = await signUpVerified(server)
    const second = await signUpVerified(server)
    const config = await registerClient(true)
    const page = await newPage()
    const signInThrough = async (email: string): Promise<client.TokenEndpointResponse & client.TokenEndpointResponseHelpers> => {
      const flow = await start(config)
      await page.goto(flow.url)
      await page.waitForURL(/\/ui\/login\?return_to=/)
      await page.getByLabel('Email address').fill(email)
      await page.getByLabel('Password').fill(PASSWORD)
      await page.getByRole('button', { name: 'Sign in', exact: true }).click()
      for (let waited = 0; !page.url().startsWith(callbackUrl) && waited < 15_000; waited += 100) await page.waitForTimeout(100)
      return await client.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce })
    }
    assert.equal((await signInThrough(first.email)).claims()?.email, first.email)
    await page.goto(`${server.url}/ui/logout`)
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(/\/ui\/login/)
    assert.equal((await signInThrough(second.email)).claims()?.email, second.email)
    await page.goto(`${server.url}/ui/account`)
    assert.equal(new URL(page.url()).pathname, '/ui/account', 'still signed in here')
    assert.match(await page.locator('main').textContent() ?? '', new RegExp(second.email.replace(/[.+]/g, '\\$&')))
    assert.deepEqual(problems, [])
  })

  it('a passkey (a virtual authenticator) on the sign-in page signs in, amr hwk', async () => {
    // Browsers refuse WebAuthn on an IP address: this server is opened as localhost.
    const port = await freePort()
    const base = `http://localhost:${port}`
    const local = await startServer({ PUBLIC_URL: base }, { port })
    try {
      const user = await signUpVerified(local)
      const created = await runCli(['clients', 'create', '--name', 'Example Notes', '--redirect-uri', callbackUrl, '--first-party', '--json'], { DATABASE_URL: local.databaseUrl })
      const { client_id: id, client_secret: secret } = JSON.parse(created.stdout) as { client_id: string, client_secret: string }
      // oxlint-disable-next-line typescript/no-deprecated -- plain HTTP on loopback, for the test
      const config = await client.discovery(new URL(base), id, secret, undefined, { execute: [client.allowInsecureRequests] })
      const context = await browser.newContext({ locale: 'en-GB' })
      const page = await context.newPage()
      const cdp = await context.newCDPSession(page)
      await cdp.send('WebAuthn.enable')
      await cdp.send('WebAuthn.addVirtualAuthenticator', { options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true } })
      // A passkey, added from the account's security page, then a sign-out.
      await page.goto(`${base}/ui/login`)
      await page.getByLabel('Email address').fill(user.email)
      await page.getByLabel('Password').fill(PASSWORD)
      await page.getByRole('button', { name: 'Sign in', exact: true }).click()
      await page.waitForURL(`${base}/ui/account`)
      await page.goto(`${base}/ui/account/security`)
      await page.locator('#passkey-new-name').fill('Laptop')
      await page.getByRole('button', { name: 'Add a passkey' }).click()
      await page.waitForURL(`${base}/ui/account/security?notice=passkey_added`)
      // Signed out by dropping the cookie: the sign-out button would land on the sign-in
      // page, whose passkey autofill (this authenticator answers at once) signs straight
      // back in, racing the navigation to the application below.
      await context.clearCookies()

      const flow = await start(config)
      // Through the sign-in page: its conditional request (the autofill) signs in by itself
      // with this authenticator, and goes on to the application. The button is clicked only
      // if that did not happen: a click while the conditional request is under way races it.
      await page.goto(flow.url)
      const atApplication = async (timeout: number): Promise<boolean> => await page.waitForURL(url => url.toString().startsWith(callbackUrl), { timeout }).then(() => true, () => false)
      if (!await atApplication(10_000)) {
        await page.getByRole('button', { name: 'Sign in with a passkey' }).click({ timeout: 5000 }).catch(() => undefined)
        assert.ok(await atApplication(30_000), `the browser stopped at ${page.url()}: ${(await page.content()).slice(0, 500)}`)
      }
      const tokens = await client.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce })
      assert.deepEqual(tokens.claims()?.amr, ['hwk'])
    } finally {
      await local.close()
    }
  })
})

describe('sign in with another identity provider, in Chromium', () => {
  let server: TestServer
  let upstream: UpstreamOidc
  let browser: Browser

  before(async () => {
    upstream = await startUpstreamOidc()
    const port = await freePort()
    const publicUrl = `http://127.0.0.1:${port}`
    await upstream.registerClient({ clientId: 'authsvc', clientSecret: 'authsvc-secret', redirectUris: [`${publicUrl}/ui/oidc/acme/callback`] })
    server = await startServer({ PUBLIC_URL: publicUrl, OIDC_PROVIDERS: 'acme', OIDC_ACME_ISSUER: upstream.issuer, OIDC_ACME_CLIENT_ID: 'authsvc', OIDC_ACME_CLIENT_SECRET: 'authsvc-secret' }, { port })
    browser = await launchChromium()
  })
  after(async () => {
    await browser?.close()
    await server?.close()
    await upstream?.close()
  })

  it('"Continue with Acme" signs a new person in; "Link Acme" on the security page links another account\'s', async () => {
    const context = await browser.newContext({ locale: 'en-GB' })
    const page = await context.newPage()
    const problems: string[] = []
    page.on('console', message => { if (/Content Security Policy/i.test(message.text())) problems.push(`${page.url()}: ${message.text()}`) })
    upstream.nextAccount = { sub: `chromium-${process.pid}`, email: `chromium-upstream-${process.pid}@example.com`, email_verified: true }
    await page.goto(`${server.url}/ui/login`)
    await page.getByRole('link', { name: 'Continue with Acme' }).click()
    await page.waitForURL(`${server.url}/ui/account`)
    assert.match(await page.locator('main').textContent() ?? '', /chromium-upstream-/)

    const owner = await signUpVerified(server)
    const other = await browser.newContext({ locale: 'en-GB' })
    const second = await other.newPage()
    second.on('console', message => { if (/Content Security Policy/i.test(message.text())) problems.push(`${second.url()}: ${message.text()}`) })
    await second.goto(`${server.url}/ui/login`)
    await second.getByLabel('Email address').fill(owner.email)
    await second.getByLabel('Password').fill(PASSWORD)
    await second.getByRole('button', { name: 'Sign in', exact: true }).click()
    await second.waitForURL(`${server.url}/ui/account`)
    await second.goto(`${server.url}/ui/account/security`)
    upstream.nextAccount = { sub: `chromium-link-${process.pid}`, email: 'someone-else@example.com', email_verified: true }
    await second.getByRole('button', { name: 'Link Acme' }).click()
    await second.waitForURL(`${server.url}/ui/account/security?notice=identity_linked`)
    assert.match(await second.locator('main').textContent() ?? '', /The account at the provider is linked/)
    assert.deepEqual(problems, [])
    await context.close()
    await other.close()
  })
})
