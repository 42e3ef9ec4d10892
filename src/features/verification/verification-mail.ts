// Sending a verification link: a single-use token of the one-time token store, bound to
// the address it was sent to, voiding older links; capped per account like reset mails.
// Kept apart from verification.ts so sign-up (users.ts) can send one without an import cycle.
import type { Actor } from '../../auth/events.js'
import type { AuthContext } from '../../auth/context.js'
import { issueToken } from '../../auth/one-time-tokens.js'
import { mayMail, queueMail } from '../../auth/outgoing-mail.js'
import { isForeignKeyViolation } from '../../db/errors.js'
import type { Db } from '../../db/index.js'
import type { Language } from '../../i18n/languages.js'
import type { MailMessage } from '../../mail/mailer.js'
import { verificationMessage } from '../../mail/messages.js'

export interface VerificationRecipient {
  readonly id: number
  readonly email: string
  readonly language: Language
}

export interface VerificationOptions {
  /** The account is being created: it holds no older link (and MySQL's gap locks make a void step deadlock-prone). */
  readonly newAccount?: boolean
  /** Older links keep working (a refused sign-in mails one more: the sign-up's link, maybe
   *  clicked a minute later, must not be dead). */
  readonly keepOlder?: boolean
}

/**
 * Issues a new verification token for the address on `db` (the caller's transaction:
 * the sign-up's, the email change's), voiding older links, with its
 * email.verification_sent event. Returns the mail to send once that commits, or null
 * past the per-account cap.
 */
export async function issueVerification (ctx: AuthContext, db: Db, user: VerificationRecipient, from: Actor, options: VerificationOptions = {}): Promise<MailMessage | null> {
  if (!await mayMail(ctx, `verify-mail:${user.id}`)) return null
  const now = ctx.now()
  const ttlSeconds = ctx.config.verification.tokenTtlSeconds
  const token = await issueToken(db, { purpose: 'email_verification', userId: user.id, ttlSeconds, now, data: user.email, voidOlder: options.newAccount !== true && options.keepOlder !== true })
  await ctx.events.publish(db, { type: 'email.verification_sent', userId: user.id, at: now, actor: from })
  return verificationMessage({ to: user.email, language: user.language, token, publicUrl: ctx.config.publicUrl, ttlSeconds })
}

/** Issues a token and the mail that carries it, after the reply (a refused unverified sign-in). */
export function sendVerificationLater (ctx: AuthContext, user: VerificationRecipient, from: Actor, options: VerificationOptions = {}): void {
  ctx.background.defer('verification mail', async () => {
    try {
      await ctx.db.transaction().execute(async trx => { await queueMail(ctx, trx, await issueVerification(ctx, trx, user, from, options), user.id) })
    } catch (error) {
      if (isForeignKeyViolation(error)) return // the account was deleted meanwhile
      throw error
    }
    ctx.outbox.wake()
  })
}
