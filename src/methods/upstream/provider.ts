// One identity provider people may sign in with, as the upstream method uses it: where to
// send the browser, and what the callback proves. OpenID Connect providers (the presets
// google, microsoft, apple, and any other by discovery) are openid-client's
// (oidc-client.ts); GitHub speaks OAuth 2 only, its two API calls by hand (github.ts).
import type { UpstreamProviderConfig } from '../../config.js'
import type { UpstreamFlow } from './flows.js'

/** What a provider proved at the callback. */
export interface UpstreamIdentity {
  /** The issuer as the ID token names it (Microsoft's: the account's own tenant). */
  readonly issuer: string
  readonly subject: string
  readonly email: string | null
  /** The provider's own word that the address is its owner's (`email_verified`, GitHub's verified flag). */
  readonly emailVerified: boolean
  /** The provider's tokens (kept only with OIDC_<NAME>_KEEP_TOKENS). */
  readonly tokens: Readonly<Record<string, unknown>>
}

/** The browser's return, as the callback received it. */
export interface Callback {
  /** The callback's URL with its query (a GET: code, state, iss; or error). */
  readonly url: URL
  /** The form of a `form_post` answer (Apple), else null. */
  readonly form: URLSearchParams | null
}

/** Why a callback proves nothing (the pages say what to do about each). */
export class UpstreamError extends Error {
  constructor (readonly reason: 'denied' | 'invalid_callback' | 'unavailable', message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'UpstreamError'
  }
}

export interface UpstreamProvider {
  readonly config: UpstreamProviderConfig
  /** The provider's authorization URL for this flow, its callback at `redirectUri`. */
  authorizationUrl: (flow: UpstreamFlow, redirectUri: string) => Promise<URL>
  /** Checks the callback against the flow (state, code, PKCE; nonce and the ID token for
   *  OpenID Connect) and returns the identity. Throws UpstreamError. */
  redeem: (callback: Callback, flow: UpstreamFlow, redirectUri: string) => Promise<UpstreamIdentity>
}
