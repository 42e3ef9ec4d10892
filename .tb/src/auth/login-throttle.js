import { rateLimited } from './errors.js';
import { counterKeyOf } from './tokens.js';
const FORGET_FAILURES_MS = 60 * 60 * 1000;
function keys(email) {
    const id = counterKeyOf(email);
    return { attempts: `login-failures:${id}`, blocked: `login-blocked:${id}` };
}
function isEnabled(ctx) {
    return ctx.config.limits.loginMaxDelaySeconds > 0;
}
/**
 * Counts an attempt to prove the password of `email` (sign-in, or a route that asks for
 * the current password). Throws RATE_LIMITED, before any lookup, while the email must wait.
 */
export async function reserveLoginAttempt(ctx, email) {
    if (!isEnabled(ctx))
        return;
    const { attempts, blocked } = keys(email);
    const { loginFreeAttempts, loginMaxDelaySeconds } = ctx.config.limits;
    const { waitMs } = await ctx.counters.reserveAttempt(attempts, blocked, {
        freeAttempts: loginFreeAttempts,
        forgetMs: FORGET_FAILURES_MS,
        maxDelayMs: loginMaxDelaySeconds * 1000
    });
    if (waitMs > 0)
        throw rateLimited('too many failed logins for this email; try again later', waitMs);
}
/** After the right password: the reserved attempts and any wait are forgotten. */
export async function clearLoginFailures(ctx, email) {
    if (!isEnabled(ctx))
        return;
    const { attempts, blocked } = keys(email);
    await ctx.counters.remove(attempts, blocked);
}
