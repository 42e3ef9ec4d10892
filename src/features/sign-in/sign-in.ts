// Sign-in with email and password. Unknown email and wrong password give the same error
// after about the same time; each attempt is reserved by the per-account throttle before
// the password is checked. A legacy bcrypt hash is replaced by argon2id on success.
import type { AuthContext, PublicUser, Requester } from '../../auth/context.js'
import { normalizeEmail } from '../../auth/emails.js'
import { AuthError } from '../../auth/errors.js'
import { clearLoginFailures, reserveLoginAttempt } from '../../auth/login-throttle.js'
import { issueToken } from '../../auth/one-time-tokens.js'
import { hashToken } from '../../auth/tokens.js'
import { hasTotp } from '../mfa/totp.js'
import { createSession, sessionHandle } from '../sessions/sessions.js'
import { sendVerificationLater } from '../verification/verification-mail.js'
import { findUserByEmail, replacePasswordHash, toPublicUser } from '../users/users.js'

export interface SignedIn {
  readonly kind: 'signed_in'
  readonly user: PublicUser
  /** The new session's token: always a fresh one, so a token planted before sign-in is never reused. */
  readonly token: string
}

/** The password was right and the account has TOTP: the code comes next, with this token. */
export interface SecondFactorRequired {
  readonly kind: 'second_factor'
  readonly user: PublicUser
  /** Single use, MFA_TOKEN_TTL_SECONDS, MFA_MAX_FAILURES wrong codes. */
  readonly mfaToken: string
}

export const MFA_TOKEN_TTL_SECONDS = 300
export const MFA_MAX_FAILURES = 5

export async function signIn (ctx: AuthContext, input: { email: string, password: string }, from: Requester): Promise<SignedIn | SecondFactorRequired> {
  const email = normalizeEmail(input.email)
  try {
    await reserveLoginAttempt(ctx, email)
  } catch (error) {
    if (error instanceof AuthError && error.code === 'RATE_LIMITED') {
      const user = await findUserByEmail(ctx.db, email)
      await ctx.events.publish(ctx.db, { type: 'login.throttled', userId: user?.id ?? null, at: ctx.now(), actor: from })
    }
    throw error
  }
  const user = await findUserByEmail(ctx.db, email)
  // An unknown email costs a verification too: its answer takes as long as a wrong password's.
  if (user === undefined) await ctx.hasher.verifyDummy(input.password, from.client)
  const check = user === undefined ? undefined : await ctx.hasher.verify(user.passwordHash, input.password, from.client)
  if (user === undefined || check?.valid !== true) {
    await ctx.events.publish(ctx.db, { type: 'login.failed', userId: user?.id ?? null, at: ctx.now(), actor: from })
    throw new AuthError('INVALID_CREDENTIALS')
  }
  // Told only after the right password: to anyone else a disabled account looks like any other.
  if (user.disabled) {
    await clearLoginFailures(ctx, email)
    await ctx.events.publish(ctx.db, { type: 'login.failed', userId: user.id, at: ctx.now(), actor: from, details: { reason: 'account_disabled' } })
    throw new AuthError('ACCOUNT_DISABLED')
  }
  // An address that was never verified gets a fresh link (capped per account): a user
  // without a session has no other way to ask for one.
  if (ctx.config.verification.required && !user.emailVerified) {
    await clearLoginFailures(ctx, email)
    await ctx.events.publish(ctx.db, { type: 'login.failed', userId: user.id, at: ctx.now(), actor: from, details: { reason: 'email_not_verified' } })
    sendVerificationLater(ctx, user, from)
    throw new AuthError('EMAIL_NOT_VERIFIED')
  }
  if (check.needsRehash) {
    const passwordHash = await ctx.hasher.hash(input.password, from.client)
    await replacePasswordHash(ctx.db, user.id, user.passwordHash, passwordHash, ctx.now())
  }
  // With TOTP, the attempt stays counted by the throttle until the code is right: the
  // password alone does not reset it, so codes cannot be guessed without limit.
  if (await hasTotp(ctx.db, user.id)) {
    const mfaToken = await ctx.db.transaction().execute(async trx => {
      const token = await issueToken(trx, { purpose: 'mfa', userId: user.id, ttlSeconds: MFA_TOKEN_TTL_SECONDS, now: ctx.now(), voidOlder: false })
      await ctx.events.publish(trx, { type: 'login.mfa_required', userId: user.id, at: ctx.now(), actor: from })
      return token
    })
    return { kind: 'second_factor', user: toPublicUser(user), mfaToken }
  }
  await clearLoginFailures(ctx, email)
  const token = await ctx.events.atomically(ctx.db, async db => {
    const token = await createSession(ctx, db, user.id, from)
    await ctx.events.publish(db, { type: 'login.succeeded', userId: user.id, at: ctx.now(), actor: { ...from, session: sessionHandle(hashToken(token)) } })
    return token
  })
  return { kind: 'signed_in', user: toPublicUser(user), token }
}
