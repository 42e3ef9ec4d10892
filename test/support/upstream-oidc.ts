// A real OpenID Connect provider standing in for Google, Microsoft (a tenant's issuer),
// Apple (form_post, and a client secret that is a JWT: upstream-apple.ts) or any other,
// for the tests of "sign in with another identity provider": panva's oidc-provider with
// its in-memory storage on 127.0.0.1. The person's sign-in there is the test's choice
// (`nextAccount`) and happens at once: the interaction route finishes login and consent
// in one step, with no page. No cookie is needed in the browser (upstream-cookies.ts), so
// a fetch with manual redirects is a browser here.
import { generateKeyPair, randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { promisify } from 'node:util'
import Provider from 'oidc-provider'
import type { Account, AccountClaims, Adapter, ClientMetadata, Configuration, InteractionResults, JWK } from 'oidc-provider'
import { followUpstream, type UpstreamAnswer } from './upstream-answer.js'
import { type AppleClientKey, checkAppleClientSecrets, type PresentedSecret, refusesWithoutFormPost } from './upstream-apple.js'
import { InteractionCookies } from './upstream-cookies.js'

/** The person who signs in at the upstream. Claims left out are absent from the tokens. */
export interface UpstreamAccount {
  readonly sub: string
  readonly email?: string
  /** Apple sends the string: "true" or "false". */
  readonly email_verified?: boolean | 'true' | 'false'
  readonly name?: string
}

export interface UpstreamClient {
  readonly clientId: string
  /** Left out: a public client (token_endpoint_auth_method `none`, PKCE required). With
   *  `apple`, not used: the client signs its secret. */
  readonly clientSecret?: string
  readonly redirectUris: readonly string[]
  /** Default `client_secret_basic` (for a client with a secret). */
  readonly tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post'
}

export interface UpstreamOidcOptions {
  /** The issuer's path, e.g. `/realms/test`; default none (the issuer is the origin). */
  readonly issuerPath?: string
  /** Microsoft's shape: the issuer is `http://127.0.0.1:PORT/<tenant>/v2.0` and every ID
   *  token carries `tid: <tenant>`. Not with `issuerPath`. */
  readonly tenant?: string
  /** Apple's shape: an authorization request without `response_mode` is answered with
   *  `form_post` (a page that POSTs code, state and iss to the redirect_uri). */
  readonly responseModeFormPost?: boolean
  /** Apple's client authentication: every client's `client_secret` must be a JWT it signed
   *  with this key (upstream-apple.ts); a request with scopes but without
   *  `response_mode=form_post` is refused, as Apple refuses it. */
  readonly apple?: AppleClientKey
}

export interface UpstreamOidc {
  /** The issuer URL; discovery at `${issuer}/.well-known/openid-configuration`. */
  readonly issuer: string
  /** The library's instance, for what this module does not cover. */
  readonly provider: Provider
  /** Who signs in at the next authorization requests (it stays until changed); null: the
   *  person declines, and the client gets `error=access_denied`. */
  nextAccount: UpstreamAccount | null
  /** POSTs to the token endpoint so far (code and refresh grants, failed ones too). */
  readonly tokenRequests: number
  /** The next token request fails without reaching the library (its code stays usable):
   *  true or 'server_error' → 500 server_error; 'invalid_grant' → 400 invalid_grant. */
  failNextToken: boolean | 'server_error' | 'invalid_grant'
  /** With `apple`: the client secrets presented at the token endpoint so far, each with
   *  why it was refused (null: accepted). */
  readonly clientSecrets: readonly PresentedSecret[]
  /** Registers (or replaces) a client; throws if the library refuses its metadata. */
  registerClient: (client: UpstreamClient) => Promise<void>
  /** A browser without cookies at `url` (an authorization URL of this upstream): follows
   *  the upstream's redirects until it sends the browser back to the client. */
  authorize: (url: string | URL) => Promise<UpstreamAnswer>
  close: () => Promise<void>
}

const INTERACTION = /^\/interaction\/([\w-]+)$/

/** The issuer's path: '' or '/a/b' (no trailing slash). */
function issuerPathOf (options: UpstreamOidcOptions): string {
  if (options.tenant !== undefined && options.issuerPath !== undefined) throw new Error('tenant or issuerPath, not both')
  const path = options.tenant === undefined ? options.issuerPath ?? '' : `/${encodeURIComponent(options.tenant)}/v2.0`
  if (path !== '' && (!path.startsWith('/') || path.endsWith('/'))) throw new Error(`issuerPath ${JSON.stringify(path)}: starts with / and does not end with one`)
  return path
}

async function signingKey (): Promise<JWK> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 })
  return { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' }
}

/** The claim names a `claims` authorization parameter asks for (id_token and userinfo). */
function requestedClaims (parameter: unknown): string[] {
  if (typeof parameter !== 'string') return []
  const { id_token: idToken = {}, userinfo = {} } = JSON.parse(parameter) as { id_token?: object, userinfo?: object }
  return [...Object.keys(idToken), ...Object.keys(userinfo)]
}

export async function startUpstreamOidc (options: UpstreamOidcOptions = {}): Promise<UpstreamOidc> {
  const prefix = issuerPathOf(options)
  const tenant = options.tenant
  // By subject, as given at the latest sign-in: the ID token and userinfo read them later.
  const accounts = new Map<string, UpstreamAccount>()
  const cookies = new InteractionCookies()
  let tokenRequests = 0
  let provider: Provider | undefined
  let callback: ReturnType<Provider['callback']> | undefined

  // Listening first (port 0: no race for a free port), the provider built once the issuer is known.
  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' })
      res.end(`upstream: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  async function finishInteraction (library: Provider, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const interaction = await library.interactionDetails(req, res)
    const account = upstream.nextAccount
    if (account === null) {
      await library.interactionFinished(req, res, { error: 'access_denied', error_description: 'the person declined' }, { mergeWithLastSubmission: false })
      return
    }
    accounts.set(account.sub, { ...account })
    // Login and consent in one result: what the request asks for is granted.
    const grant = new library.Grant({ accountId: account.sub, clientId: String(interaction.params.client_id) })
    const { scope } = interaction.params
    grant.addOIDCScope(typeof scope === 'string' ? scope : 'openid')
    const claims = requestedClaims(interaction.params.claims)
    if (claims.length > 0) grant.addOIDCClaims(claims)
    const result: InteractionResults = { login: { accountId: account.sub }, consent: { grantId: await grant.save() } }
    await library.interactionFinished(req, res, result, { mergeWithLastSubmission: false })
  }

  async function handle (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const library = provider
    const url = new URL(req.url ?? '/', origin)
    if (library === undefined || callback === undefined || (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`))) {
      res.writeHead(404).end()
      return
    }
    const path = url.pathname.slice(prefix.length) || '/'
    cookies.attach(req, res, url.pathname)
    if (path === '/token' && req.method === 'POST') {
      tokenRequests += 1
      const failure = upstream.failNextToken
      if (failure !== false) {
        upstream.failNextToken = false
        const [status, error] = failure === 'invalid_grant' ? [400, 'invalid_grant'] : [500, 'server_error']
        req.resume()
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error, error_description: 'failure asked for by the test' }))
        return
      }
    }
    if (INTERACTION.test(path)) {
      await finishInteraction(library, req, res)
      return
    }
    if (path === '/auth' && options.apple !== undefined && refusesWithoutFormPost(url.searchParams)) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_request', error_description: 'response_mode must be form_post when scopes are requested' }))
      return
    }
    if (path === '/auth' && options.responseModeFormPost === true && !url.searchParams.has('response_mode')) {
      url.searchParams.set('response_mode', 'form_post')
    }
    // Mounted under the issuer's path, as Express mounts it: the library reads its mount
    // path off originalUrl when it builds URLs (the resume URL, the cookies' paths).
    Object.assign(req, { originalUrl: url.pathname + url.search })
    req.url = path + url.search
    await callback(req, res)
  }

  const configuration: Configuration = {
    jwks: { keys: [await signingKey()] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount: (_ctx, sub): Account | undefined => {
      const account = accounts.get(sub)
      if (account === undefined) return undefined
      const claims: AccountClaims = { ...account, sub, ...(tenant === undefined ? {} : { tid: tenant }) }
      return { accountId: sub, claims: () => claims }
    },
    claims: { openid: tenant === undefined ? ['sub'] : ['sub', 'tid'], email: ['email', 'email_verified'], profile: ['name'] },
    // The email claims in the ID token itself, as Google, Microsoft and Apple put them.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `${prefix}/interaction/${interaction.uid}` },
    // Errors as JSON, for tests to read.
    renderError: (ctx, out) => { ctx.type = 'json'; ctx.body = out },
    // Explicit, so the library does not call its defaults out on the console.
    ttl: { AccessToken: 3600, AuthorizationCode: 60, ClientCredentials: 600, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600, RefreshToken: 86400 }
  }
  const library = new Provider(`${origin}${prefix}`, configuration)
  provider = library
  callback = library.callback()
  const clientSecrets: PresentedSecret[] = []
  if (options.apple !== undefined) checkAppleClientSecrets(library, options.apple, clientSecrets)

  const upstream: UpstreamOidc = {
    issuer: library.issuer,
    provider: library,
    nextAccount: null,
    get tokenRequests () { return tokenRequests },
    failNextToken: false,
    clientSecrets,
    async registerClient (client) {
      const metadata: ClientMetadata = {
        client_id: client.clientId,
        redirect_uris: [...client.redirectUris],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        // Apple: client_secret_post, the secret a JWT (upstream-apple.ts); the stored one,
        // which the library asks for, is never presented.
        ...(options.apple !== undefined
          ? { client_secret: randomBytes(32).toString('base64url'), token_endpoint_auth_method: 'client_secret_post' }
          : client.clientSecret === undefined
            ? { token_endpoint_auth_method: 'none' }
            : { client_secret: client.clientSecret, token_endpoint_auth_method: client.tokenEndpointAuthMethod ?? 'client_secret_basic' })
      }
      // The library's in-memory storage is read on each Client.find: a client is there at
      // once. (Client.adapter is the library's, lib/models/client.js; its types leave it out.)
      await (library.Client as unknown as { adapter: Adapter }).adapter.upsert(client.clientId, metadata)
      if (await library.Client.find(client.clientId) === undefined) throw new Error(`client ${client.clientId} not found after registration`)
    },
    authorize: async (url) => await followUpstream(origin, url),
    async close () {
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
    }
  }
  return upstream
}
