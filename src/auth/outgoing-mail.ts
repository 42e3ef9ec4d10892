// How the domain sends mail: written to the outbox on the executor of the change that
// causes it (its transaction), so the mail goes out if and only if the change commits,
// and is retried until SMTP takes it (src/outbox). The caller wakes the sender once the
// change has committed (ctx.outbox.wake()), so the mail leaves at once, not at the next
// poll. Caps count requests, never attempts: at most RESET_MAIL_LIMIT per
// RESET_MAIL_WINDOW for each kind of counter (reset mails per email, verification mails
// per account, email-change requests per account), NOTICE_MAIL_LIMIT notices per account.
import type { Db } from '../db/index.js'
import type { MailMessage } from '../mail/mailer.js'
import { insertOutboxMessage } from '../outbox/outbox.js'
import type { AuthContext } from './context.js'

/** Counts a mail under `key`; false once `limit` (RESET_MAIL_LIMIT unless given; 0: no cap) is reached in the window. */
export async function mayMail (ctx: AuthContext, key: string, limit: number = ctx.config.limits.resetMailPerEmail): Promise<boolean> {
  if (limit === 0) return true
  const { count } = await ctx.counters.increment(key, ctx.config.limits.resetMailWindowSeconds * 1000)
  return count <= limit
}

/** Writes the mail to the outbox on `db`; nothing when it is null. */
export async function queueMail (ctx: AuthContext, db: Db, message: MailMessage | null, userId: number | null): Promise<void> {
  if (message === null) return
  await insertOutboxMessage(db, ctx.secretBox, { channel: 'mail', kind: message.kind, userId, recipient: message.to, body: message }, ctx.now(), ctx.config.outbox.giveUpAfterMs)
}

/**
 * A notice to the account's owner (password changed, email changed, a second factor
 * added …), capped per account like the other mails: a run of changes cannot be turned
 * into a flood of mail to someone's inbox. Past the cap the change still happens, unmailed
 * (the audit log keeps it).
 */
export async function queueNotice (ctx: AuthContext, db: Db, message: MailMessage, userId: number): Promise<void> {
  if (await mayMail(ctx, `notice-mail:${userId}`, ctx.config.limits.noticeMailPerAccount)) await queueMail(ctx, db, message, userId)
}
