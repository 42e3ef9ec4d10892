// The second step of a sign-in with TOTP (POST /sessions/mfa): the mfa_token of the
// password step and a code, either the authenticator's (accepted once) or a recovery
// code (used up). A wrong code counts toward the account's login throttle and the
// token's own limit (MFA_MAX_FAILURES, then it is gone); a wrong code and an unknown,
// used or expired token get one answer. The token is used up in the transaction that
// creates the session, together with the code, so neither is spent by a failed sign-in.
import type { AuthContext, Requester } from '../../auth/context.js'
import { AuthError } from '../../auth/errors.js'
import { clearLoginFailures, reserveLoginAttempt } from '../../auth/login-throttle.js'
import { consumeToken, findToken, recordTokenFailure } from '../../auth/one-time-tokens.js'
import { mailLater } from '../../auth/outgoing-mail.js'
import { hashToken } from '../../auth/tokens.js'
import { secondFactorNotice } from '../../mail/messages.js'
import { countRecoveryCodes, looksLikeRecoveryCode, useRecoveryCode } from '../mfa/recovery-codes.js'
import { useTotpCode } from '../mfa/totp.js'
import { createSession, sessionHandle } from '../sessions/sessions.js'
import { findUserById, toPublicUser } from '../users/users.js'
import { MFA_MAX_FAILURES, type SignedIn } from './sign-in.js'

class WrongCode extends Error {}

export async function completeSecondFactor (ctx: AuthContext, input: { mfaToken: string, code: string }, from: Requester): Promise<SignedIn> {
  const refused = new AuthError('MFA_FAILED')
  const found = await findToken(ctx.db, 'mfa', input.mfaToken, ctx.now())
  const user = found === null ? undefined : await findUserById(ctx.db, found.userId)
  if (found === null || user === undefined || user.disabled) throw refused
  await reserveLoginAttempt(ctx, user.email)
  const code = input.code.trim()
  const factor = /^\d{6}$/.test(code) ? 'totp' : looksLikeRecoveryCode(code) ? 'recovery_code' : null
  let token: string
  try {
    token = await ctx.db.transaction().execute(async trx => {
      const now = ctx.now()
      if (await consumeToken(trx, 'mfa', input.mfaToken, now) === null) throw refused
      const accepted = factor === 'totp' ? await useTotpCode(ctx, trx, user, code) : factor === 'recovery_code' && await useRecoveryCode(trx, user.id, code)
      if (!accepted) throw new WrongCode()
      const created = await createSession(ctx, trx, user.id, from)
      const actor = { ...from, session: sessionHandle(hashToken(created)) }
      if (factor === 'recovery_code') await ctx.events.publish(trx, { type: 'recovery_code.used', userId: user.id, at: now, actor })
      await ctx.events.publish(trx, { type: 'login.succeeded', userId: user.id, at: now, actor, details: { second_factor: factor ?? 'none' } })
      return created
    })
  } catch (error) {
    if (!(error instanceof WrongCode)) throw error
    await recordTokenFailure(ctx.db, 'mfa', input.mfaToken, ctx.now(), MFA_MAX_FAILURES)
    await ctx.events.publish(ctx.db, { type: 'login.failed', userId: user.id, at: ctx.now(), actor: from, details: { reason: 'invalid_code' } })
    throw refused
  }
  await clearLoginFailures(ctx, user.email)
  if (factor === 'recovery_code') {
    const remaining = await countRecoveryCodes(ctx.db, user.id)
    mailLater(ctx, 'recovery code notice', secondFactorNotice('recovery_code_used', { to: user.email, language: user.language, at: ctx.now(), ip: from.ip, remaining }))
  }
  return { kind: 'signed_in', user: toPublicUser(user), token }
}
