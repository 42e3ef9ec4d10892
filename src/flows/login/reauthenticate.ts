// POST /sessions/reauthenticate and the hosted re-authentication page: the signed-in user
// proves it again — the password, plus a code when TOTP is on, or a passkey of the
// account — and the session's methods and authenticated_at are updated (no new session).
// Counted by the account throttle like a sign-in; refusals are failed sign-ins.
import type { AuthenticationResponseJSON } from '@simplewebauthn/server'
import type { AuthContext, Requester } from '../../auth/context.js'
import { AuthError, invalidField } from '../../auth/errors.js'
import { clearLoginFailures } from '../../auth/login-throttle.js'
import { markReauthenticated, type ValidSession } from '../../features/sessions/sessions.js'
import { findUserById } from '../../features/users/users.js'
import type { SignInMethod } from '../../identity/methods.js'
import { provePasskey } from '../../methods/passkey/passkeys.js'
import { proveAccountPassword } from '../../methods/password/password.js'
import { hasTotp, proveSecondFactor, secondFactorMethodOf } from '../../methods/totp/totp.js'
import { failSignIn } from './login.js'

export interface Reauthentication {
  readonly password?: string
  /** The authenticator's code or a recovery code, when the account has TOTP. */
  readonly code?: string
  /** A passkey assertion instead of password and code. */
  readonly passkeyResponse?: AuthenticationResponseJSON
}

/** Authenticates the session's user again; returns the methods now on the session. */
export async function reauthenticate (ctx: AuthContext, session: ValidSession, input: Reauthentication, from: Requester): Promise<readonly SignInMethod[]> {
  const user = await findUserById(ctx.db, session.user.id)
  if (user === undefined) throw new AuthError('FORBIDDEN', 'this account no longer exists')
  // A passkey proves both factors at once; a password needs the code too when TOTP is on,
  // judged in the transaction that records the re-authentication (a failure spends no code).
  const code = input.code?.trim() ?? ''
  let methods: readonly SignInMethod[]
  let factor: 'totp' | 'recovery_code' | null = null
  if (input.passkeyResponse !== undefined) {
    methods = (await provePasskey(ctx, input.passkeyResponse, from, user.id)).methods
  } else {
    if (input.password === undefined) throw invalidField('password is required (or a passkey response)')
    await proveAccountPassword(ctx, user, input.password, from, 'INVALID_CREDENTIALS')
    factor = await hasTotp(ctx.db, user.id) ? secondFactorMethodOf(code) ?? 'totp' : null
    methods = factor === null ? ['password'] : ['password', factor]
  }
  const proven = await ctx.db.transaction().execute(async trx => {
    if (factor !== null && !await proveSecondFactor(ctx, trx, user, code)) return false
    await markReauthenticated(trx, session.id, methods, ctx.now())
    if (factor === 'recovery_code') await ctx.events.publish(trx, { type: 'recovery_code.used', userId: user.id, at: ctx.now(), actor: from })
    await ctx.events.publish(trx, { type: 'session.reauthenticated', userId: user.id, at: ctx.now(), actor: from, details: { methods: methods.join(',') } })
    return true
  })
  if (!proven) {
    await failSignIn(ctx, { userId: user.id, method: factor ?? 'totp', reason: 'invalid_code' }, from)
    throw new AuthError('WRONG_CODE', code === '' ? 'this account has two-step verification: send code (its authenticator app\'s, or a recovery code) with the password' : undefined)
  }
  await clearLoginFailures(ctx, user.email)
  return methods
}
