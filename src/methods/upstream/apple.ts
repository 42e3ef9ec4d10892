// Sign in with Apple's client secret: not a fixed string but a JWT this service signs
// (ES256) with the key of OIDC_APPLE_PRIVATE_KEY — header `kid` the key's id, `iss` the
// team id, `sub` the client id (the Services ID), `aud` Apple's issuer — sent as
// `client_secret` in the body of each token request (client_secret_post, the one method
// Apple's token endpoint takes). Apple accepts one up to six months; one is signed for an
// hour and kept, and a fresh one is signed before it runs out, so a long-running service
// never presents an expired secret.
import { importPKCS8, SignJWT } from 'jose'
import type { ClientAuth } from 'openid-client'
import type { UpstreamProviderConfig } from '../../config.js'

/** How long a signed secret is valid (Apple's limit: 15,777,000 seconds, six months). */
export const APPLE_SECRET_TTL_SECONDS = 3600
/** A secret with less left than this is not sent: a new one is signed (the request and
 *  the clocks may take a while). */
const RENEW_BEFORE_SECONDS = 300

/**
 * The client secret of an `apple` provider, signed on first use and again before it
 * expires: a function to call before each token request. The key is read once; concurrent
 * callers share one signature. `aud` is the configured issuer (Apple's own by default).
 */
export function createAppleClientSecret (config: UpstreamProviderConfig, now: () => number = Date.now): () => Promise<string> {
  if (config.apple === null) throw new Error('createAppleClientSecret needs the apple settings')
  const { teamId, keyId, privateKey } = config.apple
  let key: ReturnType<typeof importPKCS8> | null = null
  let current: { readonly jwt: Promise<string>, readonly expiresAt: number } | null = null

  async function sign (issuedAt: number): Promise<string> {
    key ??= importPKCS8(privateKey, 'ES256')
    return await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: keyId })
      .setIssuer(teamId)
      .setSubject(config.clientId)
      .setAudience(config.issuer)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + APPLE_SECRET_TTL_SECONDS)
      .sign(await key)
  }

  return async () => {
    const seconds = Math.floor(now() / 1000)
    if (current === null || current.expiresAt - seconds < RENEW_BEFORE_SECONDS) {
      const signing = { jwt: sign(seconds), expiresAt: seconds + APPLE_SECRET_TTL_SECONDS }
      current = signing
      // A failure (a key the library cannot read: loadConfig checks it, so unlikely) is not
      // kept as this hour's secret; each sign-in tries again and logs the library's words.
      signing.jwt.catch(() => {
        if (current !== signing) return
        current = null
        key = null
      })
    }
    return await current.jwt
  }
}

/**
 * openid-client's client authentication with a fresh secret each time. Its Configuration
 * (and the ClientAuth in it) is made once, at discovery; a ClientAuth is a function called
 * before every request to the token endpoint, and the library awaits it
 * (oauth4webapi's authenticatedRequest), so it may sign first.
 */
export function appleClientAuth (secret: () => Promise<string>): ClientAuth {
  // oxlint-disable-next-line typescript/no-misused-promises -- awaited: oauth4webapi's ClientAuth is `=> void | Promise<void>`; openid-client's declaration narrows it to void
  return async (...[, client, body]: Parameters<ClientAuth>): Promise<void> => {
    // As client_secret_post sends it (oauth4webapi's ClientSecretPost), the secret fresh.
    body.set('client_id', client.client_id)
    body.set('client_secret', await secret())
  }
}
