// POST /sessions/token: a short-lived JWT of the current session, for backends that verify
// it offline against the JWKS (API.md v3, "OpenID Connect provider"). Signed RS256 by the
// key that signs ID tokens now, so one JWKS verifies both; its header's `typ` tells it
// from an ID token, which a backend must not take for one (RFC 8725 §3.11).
import { SignJWT } from 'jose'
import type { AuthContext } from '../auth/context.js'
import { AuthError, invalidField } from '../auth/errors.js'
import { sessionHandle, type ValidSession } from '../features/sessions/sessions.js'
import { subjectOf } from '../features/users/users.js'
import { amrOf } from '../identity/methods.js'

/** The `typ` header of session JWTs (ID tokens have none). */
export const SESSION_JWT_TYPE = 'session+jwt'

export interface SessionJwt {
  readonly token: string
  readonly expiresInSeconds: number
}

/**
 * The session's JWT: `sub` (the account's subject, as in ID tokens), `sid` (the session's
 * public handle, as GET /account/sessions shows it: neither its token nor the token's
 * hash), `amr` (its methods, RFC 8176 spelling), `iat`, `exp` (SESSION_JWT_TTL), `iss`
 * (PUBLIC_URL) and, when asked for, `aud`: one of SESSION_JWT_AUDIENCES, else INVALID_FIELD.
 */
export async function issueSessionJwt (ctx: AuthContext, session: ValidSession, audience?: string): Promise<SessionJwt> {
  const { ttlSeconds, audiences } = ctx.config.sessionJwt
  if (audience !== undefined && !audiences.includes(audience)) {
    throw invalidField(audiences.length === 0
      ? 'audience cannot be asked for: SESSION_JWT_AUDIENCES lists none (leave it out)'
      : `audience must be one of ${audiences.join(', ')} (SESSION_JWT_AUDIENCES)`)
  }
  const subject = await subjectOf(ctx.db, session.user.id)
  if (subject === undefined) throw new AuthError('FORBIDDEN', 'this account no longer exists')
  const { kid, key } = await ctx.signingKeys.signingKey('RS256')
  const issuedAt = Math.floor(ctx.now() / 1000)
  const jwt = new SignJWT({ sid: sessionHandle(session.id), amr: amrOf(session.methods) })
    .setProtectedHeader({ alg: 'RS256', kid, typ: SESSION_JWT_TYPE })
    .setSubject(subject)
    .setIssuer(ctx.config.publicUrl)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
  if (audience !== undefined) jwt.setAudience(audience)
  return { token: await jwt.sign(key), expiresInSeconds: ttlSeconds }
}
