// The cap on mail one account (or one address) can make the service send: at most
// RESET_MAIL_LIMIT per RESET_MAIL_WINDOW for each kind of counter (reset mails per email,
// verification mails per account, email-change requests per account).
import type { AuthContext } from './context.js'

/** Counts a mail under `key`; false once the cap is reached in the window. */
export async function mayMail (ctx: AuthContext, key: string): Promise<boolean> {
  const { resetMailPerEmail, resetMailWindowSeconds } = ctx.config.limits
  if (resetMailPerEmail === 0) return true
  const { count } = await ctx.counters.increment(key, resetMailWindowSeconds * 1000)
  return count <= resetMailPerEmail
}
