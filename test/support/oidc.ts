// A client application and its user's browser for the OpenID provider's tests: clients
// registered as an operator does (the CLI), a form client that follows the provider's
// redirects and the page that follows our forms, signs in and allows on the way.
import assert from 'node:assert/strict'
import * as client from 'openid-client'
import { runCli } from './cli.js'
import { PageClient } from './pages.js'
import { PASSWORD } from './server.js'

export const REDIRECT_URI = 'http://127.0.0.1:9/callback'

export interface RegisteredClient { readonly id: string, readonly secret: string | undefined }

let clients = 0
/** Registers a client application as an operator does (`authsvc clients create --json`). */
export async function registerClient (databaseUrl: string, options: { firstParty?: boolean, public?: boolean, redirectUri?: string } = {}): Promise<RegisteredClient> {
  clients += 1
  const args = ['clients', 'create', '--name', `Test app ${clients}`, '--redirect-uri', options.redirectUri ?? REDIRECT_URI, '--post-logout-redirect-uri', 'http://127.0.0.1:9/signed-out', '--json']
  if (options.firstParty === true) args.push('--first-party')
  if (options.public === true) args.push('--public')
  const created = await runCli(args, { DATABASE_URL: databaseUrl })
  assert.equal(created.code, 0, created.stderr)
  const { client_id: id, client_secret: secret } = JSON.parse(created.stdout) as { client_id: string, client_secret?: string }
  return { id, secret }
}

/** Where a reply sends the browser on: its Location, or its Refresh header (the page that
 *  follows a form of ours on the way to the application). */
export function nextOf (page: { location: string | null, headers: Headers }): string | null {
  return page.location ?? /^0;url=(.+)$/.exec(page.headers.get('refresh') ?? '')?.[1] ?? null
}

/** Follows the browser's redirects from `url` until a page of the service (200) or the
 *  application's callback (`left`: a URL under `redirectUri`'s origin). Every other URL is
 *  the service's (the issuer's, an instance's) and is fetched from `browser.server`. */
export async function browse (browser: PageClient, url: string, redirectUri = REDIRECT_URI): Promise<{ url: string, html: string, left: boolean }> {
  const application = new URL(redirectUri).origin
  let current = url
  for (let hops = 0; hops < 10; hops += 1) {
    const at = new URL(current, browser.server.url)
    if (at.origin === application) return { url: current, html: '', left: true }
    const path = at.pathname + at.search
    const page = await browser.get(path)
    const next = nextOf(page)
    if (next === null) return { url: current, html: page.html, left: false }
    current = new URL(next, browser.server.url + path).toString()
  }
  throw new Error(`too many redirects from ${url}`)
}

export async function authorizationUrl (config: client.Configuration, extra: Record<string, string> = {}): Promise<{ url: string, verifier: string, state: string, nonce: string }> {
  const verifier = client.randomPKCECodeVerifier()
  const state = client.randomState()
  const nonce = client.randomNonce()
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra
  })
  return { url: url.toString(), verifier, state, nonce }
}

export const asPage = (html: string): { status: number, headers: Headers, html: string, location: null } => ({ status: 200, headers: new Headers(), html, location: null })

/** The browser's way from an authorization URL to the client's callback: signs in on the
 *  login page when asked, allows on the consent page when asked. */
export async function authorize (browser: PageClient, url: string, user: { email: string }): Promise<{ callback: URL, pages: string[] }> {
  const pages: string[] = []
  let at = await browse(browser, url)
  for (let steps = 0; steps < 5 && !at.left; steps += 1) {
    const page = new URL(at.url)
    pages.push(page.pathname)
    let answer
    if (page.pathname === '/ui/login') answer = await browser.post(`/ui/login${page.search}`, { email: user.email, password: PASSWORD }, { tokenFrom: asPage(at.html) })
    else if (page.pathname === '/ui/reauthenticate') answer = await browser.post(`/ui/reauthenticate${page.search}`, { password: PASSWORD }, { tokenFrom: asPage(at.html) })
    else if (page.pathname.startsWith('/ui/authorize/')) answer = await browser.post(page.pathname, { decision: 'allow' }, { tokenFrom: asPage(at.html) })
    else throw new Error(`unexpected page ${at.url}: ${at.html.slice(0, 300)}`)
    const next = nextOf(answer)
    if (next === null) throw new Error(`${page.pathname} answered ${answer.status}: ${answer.html.slice(0, 300)}`)
    at = await browse(browser, new URL(next, browser.server.url).toString())
  }
  return { callback: new URL(at.url), pages }
}
