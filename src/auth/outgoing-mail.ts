// How the domain sends mail: after the reply (a failure is logged and counted by the
// background runner, never the request's error), and capped: at most RESET_MAIL_LIMIT per
// RESET_MAIL_WINDOW for each kind of counter (reset mails per email, verification mails
// per account, email-change requests per account).
import type { MailMessage } from '../mail/mailer.js'
import type { AuthContext } from './context.js'

/** Counts a mail under `key`; false once the cap is reached in the window. */
export async function mayMail (ctx: AuthContext, key: string): Promise<boolean> {
  const { resetMailPerEmail, resetMailWindowSeconds } = ctx.config.limits
  if (resetMailPerEmail === 0) return true
  const { count } = await ctx.counters.increment(key, resetMailWindowSeconds * 1000)
  return count <= resetMailPerEmail
}

/** Sends the message after the reply; nothing when it is null. */
export function mailLater (ctx: AuthContext, what: string, message: MailMessage | null): void {
  if (message !== null) ctx.background.defer(what, async () => { await ctx.mailer.send(message) })
}
