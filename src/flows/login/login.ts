// The one sign-in flow. A method (methods/<name>/) only proves an identity and says which
// method it was; completeSignIn() alone turns a proof into a session, applying the same
// account rules in the same order whatever the method (Kratos: "a strategy proves, the
// flow decides"): account state, verification rule, second factor, throttle reset,
// session with its methods, `login.succeeded`, metric (from the event). Every refusal by
// any method goes through failSignIn(): a `login.failed` event (and so its metric) with
// the method and the reason. A sign-in that needs a further step is a login flow
// (tokens/login-flows.ts) whose attempts are counted before each is judged.
import type { AuthContext, PublicUser, Requester } from '../../auth/context.js'
import { AuthError } from '../../auth/errors.js'
import type { Actor, EventDetails } from '../../auth/events.js'
import { clearLoginFailures, reserveLoginAttempt } from '../../auth/login-throttle.js'
import { queueNotice } from '../../auth/outgoing-mail.js'
import { hashToken } from '../../auth/tokens.js'
import type { Db } from '../../db/index.js'
import { includesSecondFactor, type SignInMethod } from '../../identity/methods.js'
import { secondFactorNotice } from '../../mail/messages.js'
import { countRecoveryCodes } from '../../methods/recovery-code/recovery-codes.js'
import { hasTotp, proveSecondFactor, secondFactorMethodOf } from '../../methods/totp/totp.js'
import { createSession, sessionHandle } from '../../features/sessions/sessions.js'
import { findUserById, toPublicUser, type UserAccount } from '../../features/users/users.js'
import { sendVerificationLater } from '../../features/verification/verification-mail.js'
import { beginLoginFlow, claimLoginFlowAttempt, consumeLoginFlow } from '../../tokens/login-flows.js'

/** What a method hands to the flow: whose identity it proved, and how. */
export interface Proof {
  readonly user: UserAccount
  readonly methods: readonly SignInMethod[]
}

export interface SignedIn {
  readonly kind: 'signed_in'
  readonly user: PublicUser
  /** The new session's token: always a fresh one, so a token planted before sign-in is never reused. */
  readonly token: string
  /** The flow's return_to, when the sign-in began with one. */
  readonly returnTo: string | null
}

/** The identity is proven and the account has TOTP: the code comes next, with this token. */
export interface SecondFactorRequired {
  readonly kind: 'second_factor'
  readonly user: PublicUser
  /** The login flow's token (the API's mfa_token): single use, MFA_TOKEN_TTL_SECONDS, MFA_MAX_ATTEMPTS codes. */
  readonly mfaToken: string
}

export type SignInOutcome = SignedIn | SecondFactorRequired

export const MFA_TOKEN_TTL_SECONDS = 300
/** Codes judged per login flow: the 5 wrong codes of the contract (the right one ends it). */
export const MFA_MAX_ATTEMPTS = 5

/** Why a sign-in was refused, as the event and the metric name it. */
export type FailureReason = 'invalid_credentials' | 'invalid_code' | 'account_disabled' | 'email_not_verified' | 'identity_not_linked'

/** Records a refused sign-in of any method: `login.failed` with its method and reason. */
export async function failSignIn (ctx: AuthContext, failure: { userId: number | null, method: SignInMethod, reason: FailureReason }, from: Actor): Promise<void> {
  const details: EventDetails = { method: failure.method, ...(failure.reason === 'invalid_credentials' ? {} : { reason: failure.reason }) }
  await ctx.events.publish(ctx.db, { type: 'login.failed', userId: failure.userId, at: ctx.now(), actor: from, details })
}

interface CompleteOptions {
  readonly returnTo?: string | null
  /** The last step's own writes (a login flow consumed, a code used up), in the session's
   *  transaction: a failed sign-in spends neither. Throws to refuse. */
  readonly within?: (trx: Db) => Promise<void>
}

/**
 * Completes a sign-in whose identity a method proved. Refusals are told only now, after
 * the proof, so they reveal nothing to a guesser: ACCOUNT_DISABLED, EMAIL_NOT_VERIFIED
 * (with a fresh link mailed, older ones left working).
 */
export async function completeSignIn (ctx: AuthContext, proof: Proof, from: Requester, options: CompleteOptions = {}): Promise<SignInOutcome> {
  const { user, methods } = proof
  const method = methods[methods.length - 1] ?? 'password'
  if (user.disabled) {
    await clearLoginFailures(ctx, user.email)
    await failSignIn(ctx, { userId: user.id, method, reason: 'account_disabled' }, from)
    throw new AuthError('ACCOUNT_DISABLED')
  }
  // An address never verified gets a fresh link (capped per account): a user without a
  // session has no other way to ask for one. The links already sent keep working.
  if (ctx.config.verification.required && !user.emailVerified) {
    await clearLoginFailures(ctx, user.email)
    await failSignIn(ctx, { userId: user.id, method, reason: 'email_not_verified' }, from)
    sendVerificationLater(ctx, user, from, { keepOlder: true })
    throw new AuthError('EMAIL_NOT_VERIFIED')
  }
  // With TOTP, the attempt stays counted by the throttle until the code is right: the
  // first factor alone does not reset it, so codes cannot be guessed without limit.
  if (!includesSecondFactor(methods) && await hasTotp(ctx.db, user.id)) {
    const mfaToken = await ctx.db.transaction().execute(async trx => {
      const token = await beginLoginFlow(trx, { userId: user.id, methods, returnTo: options.returnTo, ttlSeconds: MFA_TOKEN_TTL_SECONDS, now: ctx.now() })
      await ctx.events.publish(trx, { type: 'login.mfa_required', userId: user.id, at: ctx.now(), actor: from, details: { methods: methods.join(',') } })
      return token
    })
    return { kind: 'second_factor', user: toPublicUser(user), mfaToken }
  }
  const run = async (db: Db): Promise<string> => {
    await options.within?.(db)
    const token = await createSession(ctx, db, user.id, methods, from)
    await ctx.events.publish(db, { type: 'login.succeeded', userId: user.id, at: ctx.now(), actor: { ...from, session: sessionHandle(hashToken(token)) }, details: { methods: methods.join(',') } })
    return token
  }
  // One statement and its event need a transaction only while someone subscribes (the
  // password sign-in on PostgreSQL is spared two round trips); a last step's writes always do.
  const token = options.within === undefined ? await ctx.events.atomically(ctx.db, run) : await ctx.db.transaction().execute(run)
  await clearLoginFailures(ctx, user.email)
  return { kind: 'signed_in', user: toPublicUser(user), token, returnTo: options.returnTo ?? null }
}

class WrongCode extends Error {}

/**
 * The second step of a sign-in with TOTP (POST /sessions/mfa, the code page): the login
 * flow's token and a code, the authenticator's (accepted once) or a recovery code (used
 * up). The attempt is counted on the flow before the code is judged (at most
 * MFA_MAX_ATTEMPTS are ever judged) and by the account throttle. A wrong code and an
 * unknown, used or expired flow get one answer.
 */
export async function continueSignIn (ctx: AuthContext, input: { mfaToken: string, code: string }, from: Requester): Promise<SignedIn> {
  const refused = new AuthError('MFA_FAILED')
  const flow = await claimLoginFlowAttempt(ctx.db, input.mfaToken, ctx.now(), MFA_MAX_ATTEMPTS)
  const user = flow === null ? undefined : await findUserById(ctx.db, flow.userId)
  if (flow === null || user === undefined) throw refused
  await reserveLoginAttempt(ctx, user.email)
  const code = input.code.trim()
  const factor = secondFactorMethodOf(code) ?? 'totp'
  let outcome: SignInOutcome
  try {
    outcome = await completeSignIn(ctx, { user, methods: [...flow.methods, factor] }, from, {
      returnTo: flow.returnTo,
      within: async trx => {
        if (!await consumeLoginFlow(trx, flow.id)) throw refused
        if (!await proveSecondFactor(ctx, trx, user, code)) throw new WrongCode()
        if (factor === 'recovery_code') {
          await ctx.events.publish(trx, { type: 'recovery_code.used', userId: user.id, at: ctx.now(), actor: from })
          const remaining = await countRecoveryCodes(trx, user.id)
          await queueNotice(ctx, trx, secondFactorNotice('recovery_code_used', { to: user.email, language: user.language, at: ctx.now(), ip: from.ip, remaining }), user.id)
        }
      }
    })
  } catch (error) {
    if (!(error instanceof WrongCode)) throw error
    await failSignIn(ctx, { userId: user.id, method: factor, reason: 'invalid_code' }, from)
    throw refused
  }
  if (factor === 'recovery_code') ctx.outbox.wake()
  if (outcome.kind !== 'signed_in') throw refused // the flow's methods include the factor now
  return outcome
}
