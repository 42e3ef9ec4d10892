// The OpenID Connect provider: panva's oidc-provider (certified by the OpenID Foundation),
// configured for the contract of API.md ("OpenID Connect provider"). The protocol is the
// library's; this module only chooses its settings, each overriding a default where the
// contract asks for another behaviour (../shared/notes/oidc-provider-defaults.md):
// - `auth_time` in every ID token: clientDefaults.require_auth_time;
// - `email`, `email_verified` in the ID token itself: conformIdTokenClaims false;
// - `amr` in ID tokens: listed with `openid`; `sid` in every ID token: Client#includeSid;
// - refresh tokens rotate on every use: rotateRefreshToken;
// - ID tokens in RS256 and ES256: the signing keys (src/provider/keys.ts) hold both;
// - outgoing requests to private addresses stay refused (its SSRF guard) except under
//   NODE_ENV=test, where the test's receivers listen on loopback;
// - back-channel logout tokens go through our outbox, never straight from the library
//   (src/provider/backchannel-logout.ts): `backchannel` below.
// Storage is our database (adapter.ts); accounts are ours (findAccount); the login and
// consent pages are ours (src/ui/pages/authorize.ts, interactions.url).
import { createHmac } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type Provider from 'oidc-provider'
import type { Account, Configuration, interactionPolicy as InteractionPolicy, JWK, KoaContextWithOIDC } from 'oidc-provider'
import type { Config } from '../config.js'
import type { Db } from '../db/index.js'
import { findUserBySubject } from '../features/users/users.js'
import { createAdapter } from './adapter.js'
import { hashClientSecret } from './clients.js'
import { bindServiceSession, boundServiceSession, rememberedGrant } from './records.js'
import type { ProviderEvent } from './events.js'

/** Where the library's routes are mounted (src/provider/plugin.ts); discovery is also at the root. */
export const PROVIDER_PREFIX = '/oidc'
/** The interaction page (login, consent) of a pending authorization request. */
export const INTERACTION_PATH = '/ui/authorize'

/** The library's endpoints, under PROVIDER_PREFIX (discovery lists them). */
const ROUTES = {
  authorization: '/auth',
  token: '/token',
  userinfo: '/me',
  jwks: '/jwks',
  end_session: '/session/end',
  revocation: '/token/revocation',
  introspection: '/token/introspection',
  registration: '/reg',
  backchannel_authentication: '/backchannel',
  code_verification: '/device',
  device_authorization: '/device/auth',
  pushed_authorization_request: '/request',
  challenge: '/challenge',
  credential: '/credential'
} as const

export const SCOPES = ['openid', 'email', 'profile', 'offline_access'] as const

/** Lifetimes, seconds. Codes are used within a minute; an interaction (the login and consent
 *  pages) may take ten. */
export const PROVIDER_TTL = {
  AuthorizationCode: 60,
  AccessToken: 3600,
  IdToken: 3600,
  Interaction: 600,
  RefreshToken: 14 * 24 * 3600,
  Grant: 14 * 24 * 3600
} as const

/** The pages the library shows itself, rendered by the hosted pages (src/ui/pages/authorize.ts). */
export interface ProviderPages {
  /** Renders the page of a protocol error shown to a person (not redirected to a client). */
  readonly renderError: (ctx: KoaContextWithOIDC, error: { error: string, error_description?: string | undefined }) => void | Promise<void>
  /** Renders the page that asks whether to sign out (RP-initiated logout), around the library's form. */
  readonly logoutSource: (ctx: KoaContextWithOIDC, form: string) => void | Promise<void>
  readonly postLogoutSuccessSource: (ctx: KoaContextWithOIDC) => void | Promise<void>
}

/** A client signed in: the account's subject and the `sid` of the client's ID token. */
export interface SignIn {
  readonly clientId: string
  readonly subject: string
  readonly sid: string
}

export interface ProviderOptions {
  readonly config: Config
  readonly db: Db
  readonly now: () => number
  /** The private signing keys, the one that signs first for each algorithm. */
  readonly keys: readonly JWK[]
  readonly pages: ProviderPages
  /** The session of this service the request carries (its cookie: sessions.id) and its
   *  account's subject, or null: single sign-on lasts as long as that session, for that account. */
  readonly serviceSession: (request: IncomingMessage) => Promise<{ readonly subject: string, readonly sessionId: string } | null>
  /** Ends the session of this service the request carries and removes its cookie (an
   *  application asked, RP-initiated logout: `clientId`). */
  readonly endServiceSession: (request: IncomingMessage, response: ServerResponse, ended: { readonly clientId: string | null, readonly subject: string | null }) => Promise<void>
  /** Records what the library did (the audit log, the metrics). */
  readonly report: (request: IncomingMessage, event: ProviderEvent) => Promise<void>
  /** Back-channel logout (src/provider/backchannel-logout.ts). */
  readonly backchannel: {
    /** Told of each authorization code issued, before the browser gets it: the client, the
     *  account's subject and the `sid` of the client's ID token (which clients the request's
     *  session of this service signed in to). A failure withholds the code. */
    readonly recordSignIn: (request: IncomingMessage, signIn: SignIn) => Promise<void>
    /** Replaces the library's own sending of a logout token to a client (RP-initiated logout). */
    readonly logout: (clientId: string, subject: string, sid: string) => Promise<void>
  }
}

/** Makes the library's session forget the clients it signed in (their sids and grants: the
 *  account's consent stays remembered, records.ts), and asks for a login. */
function forgetClients (session: NonNullable<KoaContextWithOIDC['oidc']['session']>): true {
  if (session.authorizations !== undefined && Object.keys(session.authorizations).length > 0) session.authorizations = {}
  return true
}

/**
 * The library's prompts, with one more check on `login`: the browser's session of this
 * service must exist, be the account the library's own session remembers, and be the
 * session that library session last signed clients in for. Without it a client could be
 * signed in silently after the user signed out here, or switched accounts; and a browser
 * that signed out here and in again would continue the ended session at the library, its
 * sids (named by the logout tokens already sent) and its older auth_time and amr. Such a
 * library session forgets its clients and asks for a login, which this service answers
 * from its new session: the clients get new sids, the new sign-in's time and methods.
 */
function interactionPolicyOf ({ interactionPolicy }: OidcProviderModule, options: Pick<ProviderOptions, 'config' | 'db' | 'now' | 'serviceSession'>): InteractionPolicy.Prompt[] {
  const { Check } = interactionPolicy
  const policy = interactionPolicy.base()
  const login = policy.get('login')
  login?.checks.add(new Check('service_session', 'the session of this service ended, is another account\'s or another session', 'login_required', async (ctx) => {
    const service = await options.serviceSession(ctx.req)
    const { session } = ctx.oidc
    if (session === undefined) return Check.REQUEST_PROMPT
    // No session here: what the library's session signed in was an ended session's.
    if (service === null) return forgetClients(session)
    if (service.subject !== session.accountId) return Check.REQUEST_PROMPT
    // A login this service just gave the request (an interaction's result): the library's
    // session now takes this session's sign-in.
    if (ctx.oidc.result?.login !== undefined) {
      await bindServiceSession(options.db, session.uid, service.sessionId, options.now() + options.config.session.absoluteTtlSeconds * 1000)
      return Check.NO_NEED_TO_PROMPT
    }
    const bound = await boundServiceSession(options.db, session.uid, options.now())
    return bound === undefined || bound === service.sessionId ? Check.NO_NEED_TO_PROMPT : forgetClients(session)
  }), 0)
  return policy
}

/** The cookie-signing keys of the library's own cookies, derived from ENCRYPTION_KEY (each
 *  entry, the newest first, so a rotation keeps the older cookies readable). */
function cookieKeys (config: Config): string[] {
  return config.encryption.keys.map(({ key }) => createHmac('sha256', key).update('authsvc oidc-provider cookies').digest('base64url'))
}

async function findAccount (db: Db, subject: string): Promise<Account | undefined> {
  const user = await findUserBySubject(db, subject)
  if (user === undefined || user.disabled) return undefined
  return {
    accountId: subject,
    claims: () => ({ sub: subject, email: user.email, email_verified: user.emailVerified, locale: user.language })
  }
}

type OidcProviderModule = typeof import('oidc-provider')

/** The library, loaded on first use: it costs 30 MB and a quarter of a second, which a
 *  service that no application signs in to need not pay. (It also warns on Node.js 20.) */
let library: Promise<OidcProviderModule> | null = null

export async function createProvider (options: ProviderOptions): Promise<Provider> {
  const oidc = await (library ??= import('oidc-provider'))
  const { config, db, now } = options
  const production = config.env === 'production'
  const configuration: Configuration = {
    adapter: createAdapter(db, now),
    findAccount: async (_ctx, subject) => await findAccount(db, subject),
    // The grant of the request's interaction or of the library's session, as by default;
    // failing those, the one the account last gave the client (records.ts): consent is
    // remembered across sessions.
    loadExistingGrant: async (ctx) => {
      const clientId = ctx.oidc.client?.clientId
      const accountId = ctx.oidc.account?.accountId
      if (clientId === undefined || accountId === undefined) return undefined
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(clientId) ?? await rememberedGrant(db, accountId, clientId, now())
      return grantId === undefined ? undefined : await ctx.oidc.provider.Grant.find(grantId)
    },
    jwks: { keys: [...options.keys] },
    claims: {
      // amr and auth_time with every ID token; sid is the library's.
      openid: ['sub', 'amr', 'auth_time'],
      email: ['email', 'email_verified'],
      profile: ['locale']
    },
    scopes: [...SCOPES],
    conformIdTokenClaims: false,
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
      require_auth_time: true
    },
    extraClientMetadata: {
      // Set by `authsvc clients create --first-party`: consent is not asked.
      properties: ['first_party'],
      validator (_ctx, key, value) {
        if (key === 'first_party' && value !== undefined && typeof value !== 'boolean') throw new TypeError('first_party must be a boolean')
      }
    },
    responseTypes: ['code'],
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    enabledJWA: {
      idTokenSigningAlgValues: ['RS256', 'ES256'],
      userinfoSigningAlgValues: ['RS256', 'ES256'],
      introspectionSigningAlgValues: ['RS256', 'ES256'],
      authorizationSigningAlgValues: ['RS256', 'ES256'],
      // No client_secret_jwt: a client's secret is kept as its SHA-256 only.
      clientAuthSigningAlgValues: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      requestObjectSigningAlgValues: ['RS256', 'PS256', 'ES256', 'EdDSA']
    },
    rotateRefreshToken: true,
    ttl: {
      ...PROVIDER_TTL,
      Session: config.session.absoluteTtlSeconds
    },
    cookies: {
      keys: cookieKeys(config),
      long: { httpOnly: true, sameSite: 'lax', secure: production },
      short: { httpOnly: true, sameSite: 'lax', secure: production }
    },
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      userinfo: { enabled: true },
      registration: { enabled: config.oidc.dynamicRegistration },
      rpInitiatedLogout: { enabled: true, logoutSource: options.pages.logoutSource, postLogoutSuccessSource: options.pages.postLogoutSuccessSource }
    },
    interactions: {
      url: (_ctx, interaction) => `${INTERACTION_PATH}/${interaction.uid}`,
      policy: interactionPolicyOf(oidc, options)
    },
    renderError: options.pages.renderError,
    routes: Object.fromEntries(Object.entries(ROUTES).map(([name, path]) => [name, `${PROVIDER_PREFIX}${path}`])),
    ...(config.env === 'test'
      // The test's receivers (back-channel logout) listen on loopback, which the library's
      // SSRF guard refuses: under NODE_ENV=test only, its guarded dispatcher is dropped.
      ? { fetch: async (url: Request | URL | string, init?: RequestInit & { dispatcher?: unknown }) => { const { dispatcher: _guard, ...rest } = init ?? {}; return await fetch(url, rest) } }
      : {})
  }
  const provider = new oidc.Provider(config.publicUrl, configuration)
  // Behind nginx (TRUST_PROXY), the library reads X-Forwarded-Proto as Fastify does.
  provider.proxy = config.http.trustProxy !== false
  // A client's secret is stored as its SHA-256 (clients.ts): the library compares the
  // SHA-256 of the secret presented. (Its one use of the secret: no HS256, no client_secret_jwt.)
  const { Client } = provider
  // oxlint-disable-next-line typescript/unbound-method -- called below with the client as `this`
  const { compareClientSecret } = Client.prototype
  Client.prototype.compareClientSecret = function (this: InstanceType<typeof Client>, actual: string) {
    return compareClientSecret.call(this, hashClientSecret(actual))
  }
  // After the library's answer: RP-initiated logout ends the session of this service too,
  // once the person said yes; tokens issued and refresh tokens used twice are reported.
  provider.use(async (ctx: KoaContextWithOIDC, next) => {
    await next()
    const oidc = ctx.oidc as KoaContextWithOIDC['oidc'] | undefined
    if (oidc === undefined || ctx.status >= 500) return
    const clientId = oidc.client?.clientId ?? null
    if (oidc.route === 'end_session_confirm' && oidc.params?.logout !== undefined && ctx.status < 400) {
      // The library's session that ended was this account's (RP-initiated logout), or another
      // one's: the library ends the older account's session itself when the browser signs in
      // as someone else here (then ours, the new account's, stays).
      await options.endServiceSession(ctx.req, ctx.res, { clientId, subject: oidc.session?.accountId ?? null })
    } else if (oidc.route === 'token' && ctx.status === 200) {
      await options.report(ctx.req, { type: 'oidc.token_issued', subject: oidc.entities.Account?.accountId ?? null, clientId, details: { grant_type: String(oidc.params?.grant_type) } })
    } else if (oidc.route === 'token' && oidc.params?.grant_type === 'refresh_token' && oidc.entities.RefreshToken?.consumed !== undefined) {
      await options.report(ctx.req, { type: 'oidc.refresh_reused', subject: oidc.entities.RefreshToken.accountId, clientId })
    }
  })
  // `sid` in every ID token (and code, and logout token), as the contract asks: the library
  // adds it only for clients registered for back-channel session logout.
  Client.prototype.includeSid = () => true
  // Back-channel logout: which clients a session of this service signed in to is recorded
  // as each code is issued (on `authorization` without a page, on `resume` after one), with
  // the sid the code carries into the ID token. The body is set but not yet sent here.
  provider.use(async (ctx: KoaContextWithOIDC, next) => {
    await next()
    const oidc = ctx.oidc as KoaContextWithOIDC['oidc'] | undefined
    const code = oidc?.entities.AuthorizationCode
    if (code === undefined || (oidc?.route !== 'authorization' && oidc?.route !== 'resume')) return
    const sid = typeof code.sid === 'string' ? code.sid : undefined
    const clientId = code.clientId
    if (sid === undefined || clientId === undefined || code.accountId === undefined) throw new Error('an authorization code without its sid, client or account')
    await options.backchannel.recordSignIn(ctx.req, { clientId, subject: code.accountId, sid })
  })
  // The library would POST logout tokens itself on RP-initiated logout, outside the outbox
  // (no retry, no record): the clients it names are handed to ours instead, which tells
  // each once (the end of our session, right after, finds their rows already claimed).
  Object.assign(Client.prototype, {
    async backchannelLogout (this: InstanceType<typeof Client>, subject: string, sid: string): Promise<void> {
      await options.backchannel.logout(this.clientId, subject, sid)
    }
  })
  return provider
}
