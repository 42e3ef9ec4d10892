// An OpenID Connect provider through openid-client (panva, certified): discovery, the
// authorization URL with state, nonce and PKCE (S256), and the callback — state, `iss`,
// the code exchange, the ID token's signature, issuer, audience, nonce and expiry — all
// the library's. Discovery is fetched at the first sign-in and kept; a failed one is tried
// again at the next. openid-client is loaded on first use, like oidc-provider.
//
// Apple: its client secret is a JWT signed here and renewed (apple.ts), and it answers
// with `response_mode=form_post` (asked for here; Apple requires it once the scope holds
// `email`): the callback is a POST, its form read by the library as a Request.
// Microsoft: with `common`, `organizations` or `consumers` the discovered issuer is the
// template `https://login.microsoftonline.com/{tenantid}/v2.0`, not the URL asked for.
// openid-client (6.x, build/index.js: handleEntraId and the Configuration constructor)
// accepts that for the origin https://login.microsoftonline.com only and then expects
// each ID token's `iss` to be the template filled with that token's own `tid` — the
// per-tenant check, nothing to add here. A single tenant's issuer (OIDC_MICROSOFT_TENANT
// as an id, or OIDC_MICROSOFT_ISSUER) is checked like any other provider's.
import type { Configuration } from 'openid-client'
import type { UpstreamProviderConfig } from '../../config.js'
import { appleClientAuth, createAppleClientSecret } from './apple.js'
import type { UpstreamFlow } from './flows.js'
import { type Callback, UpstreamError, type UpstreamIdentity, type UpstreamProvider } from './provider.js'

/** Seconds for each request to the provider (discovery, the code exchange, its keys). */
const REQUEST_TIMEOUT_SECONDS = 10

type OpenIdClient = typeof import('openid-client')
let library: Promise<OpenIdClient> | null = null

export function createOidcProvider (config: UpstreamProviderConfig, options: { allowHttp: boolean }): UpstreamProvider {
  let configuration: Promise<Configuration> | null = null
  // Made once, kept with the Configuration: Apple's signs a new secret when the last is old.
  const appleSecret = config.apple === null ? null : createAppleClientSecret(config)
  const discover = async (): Promise<{ client: OpenIdClient, configuration: Configuration }> => {
    const client = await (library ??= import('openid-client'))
    configuration ??= client.discovery(new URL(config.issuer), config.clientId, undefined, appleSecret === null ? client.ClientSecretPost(config.clientSecret ?? undefined) : appleClientAuth(appleSecret), {
      timeout: REQUEST_TIMEOUT_SECONDS,
      // Plain http only outside production (a provider on loopback in development and tests).
      // oxlint-disable-next-line typescript/no-deprecated -- deprecated to stand out, as its documentation says: for development and tests
      ...(options.allowHttp && config.issuer.startsWith('http:') ? { execute: [client.allowInsecureRequests] } : {})
    })
    try {
      return { client, configuration: await configuration }
    } catch (error) {
      configuration = null
      throw new UpstreamError('unavailable', `the discovery of ${config.name} failed`, { cause: error })
    }
  }

  return {
    config,
    async authorizationUrl (flow: UpstreamFlow, redirectUri: string): Promise<URL> {
      const { client, configuration } = await discover()
      return client.buildAuthorizationUrl(configuration, {
        redirect_uri: redirectUri,
        scope: 'openid email',
        state: flow.state,
        nonce: flow.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(flow.codeVerifier),
        code_challenge_method: 'S256',
        ...(config.preset === 'apple' ? { response_mode: 'form_post' } : {})
      })
    },
    async redeem (callback: Callback, flow: UpstreamFlow, redirectUri: string): Promise<UpstreamIdentity> {
      const { client, configuration } = await discover()
      if ((callback.form ?? callback.url.searchParams).get('error') === 'access_denied') throw new UpstreamError('denied', `${config.name}: the person did not allow it`)
      // The callback as the library reads it: the URL the browser came back to, or the form it posted.
      const current = callback.form === null
        ? new URL(callback.url.pathname + callback.url.search, redirectUri)
        : new Request(redirectUri, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: callback.form.toString() })
      let tokens
      try {
        tokens = await client.authorizationCodeGrant(configuration, current, { pkceCodeVerifier: flow.codeVerifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true })
      } catch (error) {
        throw new UpstreamError(isNetworkFailure(error) ? 'unavailable' : 'invalid_callback', `${config.name}: the callback was refused`, { cause: error })
      }
      const claims = tokens.claims()
      if (claims === undefined) throw new UpstreamError('invalid_callback', `${config.name}: no ID token`)
      return {
        issuer: claims.iss,
        subject: claims.sub,
        email: typeof claims.email === 'string' ? claims.email : null,
        // Only the boolean true (or Apple's "true") is the provider's word; absent is no.
        emailVerified: claims.email_verified === true || claims.email_verified === 'true',
        tokens: { access_token: tokens.access_token, refresh_token: tokens.refresh_token, id_token: tokens.id_token, expires_in: tokens.expires_in, scope: tokens.scope }
      }
    }
  }
}

/** The provider could not be reached or answered 5xx, rather than refusing the callback. */
function isNetworkFailure (error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = (error as { code?: unknown }).code
  const text = `${error.name} ${error.message} ${typeof code === 'string' ? code : ''} ${error.cause instanceof Error ? error.cause.message : ''}`
  return /ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|fetch failed|TimeoutError|aborted|OAUTH_RESPONSE_IS_NOT_CONFORM/i.test(text)
}
