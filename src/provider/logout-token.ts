// The outbox's deliverer of back-channel logout tokens (OpenID Connect Back-Channel Logout
// 1.0): the token is signed when it is sent, not when it was queued, so a client that was
// down for an hour still gets one it accepts; then POSTed as `logout_token=…` to the
// client's backchannel_logout_uri. A 2xx answer is a delivery; anything else, or no
// answer within LOGOUT_POST_TIMEOUT_MS, is a failed attempt the outbox tries again.
import { randomBytes } from 'node:crypto'
import { SignJWT } from 'jose'
import { postForm } from '../outbox/http-post.js'
import type { Deliverer } from '../outbox/sender.js'
import type { SigningKeyStore } from './key-store.js'

/** The `typ` header of logout tokens (Back-Channel Logout 1.0 §2.4), which no ID token has. */
export const LOGOUT_TOKEN_TYPE = 'logout+jwt'
/** The event that makes a JWT a logout token. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout'
/** A logout token is valid for two minutes from its signing: enough for any clock skew. */
export const LOGOUT_TOKEN_TTL_SECONDS = 120
/** How long a client may take to answer. */
export const LOGOUT_POST_TIMEOUT_MS = 5000

/** The body of an outbox message of the 'logout' channel: no token, only what signs one. */
export interface LogoutMessage {
  readonly clientId: string
  readonly uri: string
  /** The account's subject; null when it was unknown (an account deleted without its event). */
  readonly subject: string | null
  readonly sid: string
}

function logoutMessageOf (body: unknown): LogoutMessage {
  const { clientId, uri, subject, sid } = (body ?? {}) as Partial<Record<keyof LogoutMessage, unknown>>
  if (typeof clientId !== 'string' || typeof uri !== 'string' || typeof sid !== 'string' || (subject !== null && typeof subject !== 'string')) {
    throw new Error('not a logout message (clientId, uri, subject, sid)')
  }
  return { clientId, uri, subject, sid }
}

export interface LogoutTokenOptions {
  readonly signingKeys: SigningKeyStore
  /** PUBLIC_URL: the issuer. */
  readonly issuer: string
  readonly now: () => number
}

/** A logout token for the client: iss, aud, iat, exp, jti, sub (when known), sid and the
 *  back-channel logout event; never a nonce. RS256, as every client can verify. */
export async function signLogoutToken (options: LogoutTokenOptions, message: Pick<LogoutMessage, 'clientId' | 'subject' | 'sid'>): Promise<string> {
  const { kid, key } = await options.signingKeys.signingKey('RS256')
  const issuedAt = Math.floor(options.now() / 1000)
  const token = new SignJWT({ sid: message.sid, events: { [BACKCHANNEL_LOGOUT_EVENT]: {} } })
    .setProtectedHeader({ alg: 'RS256', kid, typ: LOGOUT_TOKEN_TYPE })
    .setIssuer(options.issuer)
    .setAudience(message.clientId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + LOGOUT_TOKEN_TTL_SECONDS)
    .setJti(randomBytes(16).toString('base64url'))
  if (message.subject !== null) token.setSubject(message.subject)
  return await token.sign(key)
}

/** The 'logout' channel's deliverer. `publicAddressesOnly` (production): a URI whose host
 *  is loopback, private or otherwise not public is refused (http-post.ts). */
export function createLogoutDeliverer (options: LogoutTokenOptions & { readonly publicAddressesOnly: boolean }): Deliverer {
  return async body => {
    const message = logoutMessageOf(body)
    const token = await signLogoutToken(options, message)
    await postForm(message.uri, { logout_token: token }, { timeoutMs: LOGOUT_POST_TIMEOUT_MS, publicAddressesOnly: options.publicAddressesOnly })
  }
}
