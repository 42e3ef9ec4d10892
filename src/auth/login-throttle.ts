// Per-account login throttling: after a few failed logins for one email, each further
// attempt must wait a delay that doubles per failure up to a cap, from whatever IP it
// comes. A success clears it; failures are forgotten an hour after the last one, so an
// attacker can slow an account down but never lock it for good. Emails without an
// account are throttled alike, so the 429 reveals nothing.
//
// Each attempt is reserved (counted, and the next wait set) in one atomic step before the
// password is checked, and a success takes it back. Checking first and counting after the
// verdict let 25 concurrent guesses all be verified where 5 were free.
//
// With Redis, each instance also keeps in memory the blocks it has seen there (the counter
// store's fallback), so an email Redis had blocked stays blocked while Redis is away.
import type { AuthContext } from './context.js'
import { rateLimited } from './errors.js'
import { counterKeyOf } from './tokens.js'

const FORGET_FAILURES_MS = 60 * 60 * 1000

function keys (email: string): { attempts: string, blocked: string } {
  const id = counterKeyOf(email)
  return { attempts: `login-failures:${id}`, blocked: `login-blocked:${id}` }
}

function isEnabled (ctx: AuthContext): boolean {
  return ctx.config.limits.loginMaxDelaySeconds > 0
}

/**
 * Counts an attempt to prove the password of `email` (sign-in, or a route that asks for
 * the current password). Throws RATE_LIMITED, before any lookup, while the email must wait.
 */
export async function reserveLoginAttempt (ctx: AuthContext, email: string): Promise<void> {
  if (!isEnabled(ctx)) return
  const { attempts, blocked } = keys(email)
  const { loginFreeAttempts, loginMaxDelaySeconds } = ctx.config.limits
  const { waitMs } = await ctx.counters.reserveAttempt(attempts, blocked, {
    freeAttempts: loginFreeAttempts,
    forgetMs: FORGET_FAILURES_MS,
    maxDelayMs: loginMaxDelaySeconds * 1000
  })
  if (waitMs > 0) throw rateLimited('too many failed logins for this email; try again later', waitMs)
}

/** After the right password: the reserved attempts and any wait are forgotten. */
export async function clearLoginFailures (ctx: AuthContext, email: string): Promise<void> {
  if (!isEnabled(ctx)) return
  const { attempts, blocked } = keys(email)
  await ctx.counters.remove(attempts, blocked)
}
