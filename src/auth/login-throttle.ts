// Per-account login throttling: after a few failed logins for one email, each further
// attempt must wait a delay that doubles per failure up to a cap, from whatever IP it
// comes. A success clears it; failures are forgotten an hour after the last one, so an
// attacker can slow an account down but never lock it for good. Emails without an
// account are throttled alike, so the 429 reveals nothing.
import type { AuthContext } from './context.js'
import { rateLimited } from './errors.js'
import { counterKeyOf } from './tokens.js'

const FORGET_FAILURES_MS = 60 * 60 * 1000

function keys (email: string): { failures: string, blocked: string } {
  const id = counterKeyOf(email)
  return { failures: `login-failures:${id}`, blocked: `login-blocked:${id}` }
}

function isEnabled (ctx: AuthContext): boolean {
  return ctx.config.limits.loginMaxDelaySeconds > 0
}

/** Throws RATE_LIMITED while the email must wait before its next attempt. */
export async function checkLoginThrottle (ctx: AuthContext, email: string): Promise<void> {
  if (!isEnabled(ctx)) return
  const waitMs = await ctx.counters.blockedForMs(keys(email).blocked)
  if (waitMs > 0) throw rateLimited('too many failed logins for this email; try again later', waitMs)
}

export async function recordLoginFailure (ctx: AuthContext, email: string): Promise<void> {
  if (!isEnabled(ctx)) return
  const { failures, blocked } = keys(email)
  const { count } = await ctx.counters.increment(failures, FORGET_FAILURES_MS, true)
  const excess = count - ctx.config.limits.loginFreeAttempts
  if (excess < 0) return
  const delayMs = Math.min(2 ** Math.min(excess, 30) * 1000, ctx.config.limits.loginMaxDelaySeconds * 1000)
  await ctx.counters.block(blocked, delayMs)
}

export async function clearLoginFailures (ctx: AuthContext, email: string): Promise<void> {
  if (!isEnabled(ctx)) return
  const { failures, blocked } = keys(email)
  await ctx.counters.remove(failures, blocked)
}
