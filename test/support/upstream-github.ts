// GitHub's sign-in as the service meets it, on 127.0.0.1: OAuth 2, not OpenID Connect (no
// discovery, no ID token), its web endpoints (/login/oauth/authorize, /login/oauth/
// access_token) and the two API calls that say who signed in (/user) and whether an
// address is verified (/user/emails), on one origin. Shaped after GitHub's documented
// answers: token errors come with status 200, codes are single-use and live 10 minutes,
// PKCE is S256 only, /user/emails needs the `user:email` (or `user`) scope.
import { createHash, randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { followUpstream, type UpstreamAnswer } from './upstream-answer.js'

export interface GitHubEmail {
  readonly email: string
  readonly primary: boolean
  readonly verified: boolean
}

export interface GitHubAccount {
  readonly id: number
  readonly login: string
  readonly name?: string
  readonly emails: readonly GitHubEmail[]
}

export interface FakeGitHub {
  /** The origin of both the web and the API endpoints. */
  readonly url: string
  /** Who signs in at the next authorizations (it stays until changed); null: the person
   *  declines (`error=access_denied` to the redirect_uri). */
  nextAccount: GitHubAccount | null
  /** POSTs to /login/oauth/access_token so far. */
  readonly tokenRequests: number
  /** The next token request answers 500 (its code stays usable). */
  failNextToken: boolean
  registerClient: (id: string, secret: string) => void
  /** A browser at `url` (an authorization URL here): where GitHub sends it back to. */
  authorize: (url: string | URL) => Promise<UpstreamAnswer>
  close: () => Promise<void>
}

interface PendingCode {
  readonly clientId: string
  readonly redirectUri: string
  readonly scope: string
  readonly challenge: string | null
  readonly account: GitHubAccount
  readonly expiresAt: number
}

const CODE_TTL_MS = 10 * 60 * 1000
const DOCS = 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors'
const TOKEN_ERRORS = {
  incorrect_client_credentials: 'The client_id and/or client_secret passed are incorrect.',
  redirect_uri_mismatch: 'The redirect_uri MUST match the registered callback URL for this application.',
  bad_verification_code: 'The code passed is incorrect or expired.'
} as const

const json = (res: http.ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body))
}

async function formOf (req: http.IncomingMessage, query: URLSearchParams): Promise<URLSearchParams> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  // GitHub reads the parameters from the query string, a form or a JSON body.
  const body = (req.headers['content-type'] ?? '').includes('json')
    ? new URLSearchParams(Object.entries(JSON.parse(text || '{}') as Record<string, string>))
    : new URLSearchParams(text)
  for (const [name, value] of query) if (!body.has(name)) body.set(name, value)
  const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1]
  if (basic !== undefined) {
    const [id = '', secret = ''] = Buffer.from(basic, 'base64').toString('utf8').split(':').map(decodeURIComponent)
    body.set('client_id', id)
    body.set('client_secret', secret)
  }
  return body
}

export async function startFakeGitHub (): Promise<FakeGitHub> {
  const clients = new Map<string, string>()
  const codes = new Map<string, PendingCode>()
  const tokens = new Map<string, { account: GitHubAccount, scope: string }>()
  let tokenRequests = 0

  function authorizeRequest (url: URL, res: http.ServerResponse): void {
    const query = url.searchParams
    const clientId = query.get('client_id') ?? ''
    const redirectUri = query.get('redirect_uri')
    if (!clients.has(clientId)) { res.writeHead(404, { 'content-type': 'text/plain' }).end('unknown client_id'); return }
    if (redirectUri === null) { res.writeHead(400, { 'content-type': 'text/plain' }).end('redirect_uri is required here (no callback URL registered)'); return }
    const challenge = query.get('code_challenge')
    if (challenge !== null && query.get('code_challenge_method') !== 'S256') { res.writeHead(400, { 'content-type': 'text/plain' }).end('code_challenge_method must be S256'); return }
    const back = new URL(redirectUri)
    const account = github.nextAccount
    if (account === null) {
      back.searchParams.set('error', 'access_denied')
      back.searchParams.set('error_description', 'The user has denied your application access.')
    } else {
      const code = randomBytes(10).toString('hex')
      codes.set(code, { clientId, redirectUri, scope: query.get('scope') ?? '', challenge, account, expiresAt: Date.now() + CODE_TTL_MS })
      back.searchParams.set('code', code)
    }
    const state = query.get('state')
    if (state !== null) back.searchParams.set('state', state)
    res.writeHead(302, { location: back.toString() }).end()
  }

  async function accessToken (req: http.IncomingMessage, url: URL, res: http.ServerResponse): Promise<void> {
    tokenRequests += 1
    const form = await formOf(req, url.searchParams)
    const asJson = (req.headers.accept ?? '').includes('application/json')
    const answer = (body: Record<string, string>): void => {
      if (asJson) json(res, 200, body)
      else res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }).end(new URLSearchParams(body).toString())
    }
    const refuse = (error: keyof typeof TOKEN_ERRORS): void => { answer({ error, error_description: TOKEN_ERRORS[error], error_uri: `${DOCS}#${error.replaceAll('_', '-')}` }) }
    if (github.failNextToken) {
      github.failNextToken = false
      json(res, 500, { message: 'Server Error' })
      return
    }
    const clientId = form.get('client_id') ?? ''
    if (!clients.has(clientId) || clients.get(clientId) !== form.get('client_secret')) { refuse('incorrect_client_credentials'); return }
    const code = form.get('code') ?? ''
    const pending = codes.get(code)
    // Single use: a code presented is gone, whatever comes of it.
    codes.delete(code)
    if (pending === undefined || pending.clientId !== clientId || pending.expiresAt < Date.now()) { refuse('bad_verification_code'); return }
    const redirectUri = form.get('redirect_uri')
    if (redirectUri !== null && redirectUri !== pending.redirectUri) { refuse('redirect_uri_mismatch'); return }
    if (pending.challenge !== null) {
      const verifier = form.get('code_verifier') ?? ''
      if (createHash('sha256').update(verifier).digest('base64url') !== pending.challenge) { refuse('bad_verification_code'); return }
    }
    const token = `gho_${randomBytes(18).toString('base64url')}`
    tokens.set(token, { account: pending.account, scope: pending.scope })
    answer({ access_token: token, token_type: 'bearer', scope: pending.scope.split(/[\s,]+/).filter(Boolean).join(',') })
  }

  function api (req: http.IncomingMessage, path: string, res: http.ServerResponse): void {
    // GitHub's API refuses a request without a User-Agent.
    if (req.headers['user-agent'] === undefined) { json(res, 403, { message: 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header.' }); return }
    const token = /^(?:Bearer|token) (.+)$/i.exec(req.headers.authorization ?? '')?.[1]
    const grant = token === undefined ? undefined : tokens.get(token)
    if (grant === undefined) { json(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' }); return }
    const { account } = grant
    if (path === '/user') { json(res, 200, { id: account.id, login: account.login, name: account.name ?? null, email: null }); return }
    const scopes = grant.scope.split(/[\s,]+/)
    if (!scopes.includes('user:email') && !scopes.includes('user')) { json(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' }); return }
    json(res, 200, account.emails.map(email => ({ ...email, visibility: email.primary ? 'private' : null })))
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const route = `${req.method ?? 'GET'} ${url.pathname}`
    if (route === 'GET /login/oauth/authorize') authorizeRequest(url, res)
    else if (route === 'POST /login/oauth/access_token') {
      accessToken(req, url, res).catch((error: unknown) => { json(res, 400, { message: String(error) }) })
    } else if (route === 'GET /user' || route === 'GET /user/emails') api(req, url.pathname, res)
    else json(res, 404, { message: 'Not Found' })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const github: FakeGitHub = {
    url: origin,
    nextAccount: null,
    get tokenRequests () { return tokenRequests },
    failNextToken: false,
    registerClient: (id, secret) => { clients.set(id, secret) },
    authorize: async (url) => await followUpstream(origin, url),
    async close () {
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
    }
  }
  return github
}
