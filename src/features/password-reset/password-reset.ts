// Password reset by mailed token (Copenhagen Book, "Password reset"): a single-use token of
// the one-time token store, short-lived, stored hashed; a new request voids older tokens.
// A reset proves control of the address. If the address was unverified when the mail was
// sent, whoever set the account up before its owner may have added a passkey or TOTP (a
// pre-hijacked account): the reset removes every such credential, marks the address
// verified and ends every session (API.md v3, "Recovery cleans up an account taken before
// its owner").
import type { AuthContext, Requester } from '../../auth/context.js'
import { normalizeEmail } from '../../auth/emails.js'
import { AuthError } from '../../auth/errors.js'
import { mayMail, queueMail } from '../../auth/outgoing-mail.js'
import { consumeToken, findToken, issueToken } from '../../auth/one-time-tokens.js'
import { counterKeyOf } from '../../auth/tokens.js'
import { isForeignKeyViolation } from '../../db/errors.js'
import type { Db } from '../../db/index.js'
import { setPassword } from '../../flows/settings.js'
import type { Language } from '../../i18n/languages.js'
import { passwordResetMessage } from '../../mail/messages.js'
import { deleteIdentitiesOf } from '../../methods/upstream/identities.js'
import { removePasskeys } from '../../methods/passkey/passkeys.js'
import { removeTotp } from '../../methods/totp/totp.js'
import { findAccountById, findUserByEmail, setEmailVerified } from '../users/users.js'

const INVALID_TOKEN = 'invalid or expired reset token'

export interface ResetRequest {
  readonly email: string
  /** Only for RESET_TOKEN_IN_RESPONSE; null when the email has no account. */
  readonly token: string | null
}

/**
 * Issues a reset token and mails it. An unknown email gets the same answer and no mail,
 * unless the legacy RESET_TOKEN_IN_RESPONSE mode asks for the course service's 403.
 * Past RESET_MAIL_LIMIT mails per email and window: the same answer, no token, no mail.
 */
export async function requestPasswordReset (ctx: AuthContext, rawEmail: string, from: Requester): Promise<ResetRequest> {
  const email = normalizeEmail(rawEmail)
  const user = await findUserByEmail(ctx.db, email)
  if (user === undefined) {
    if (ctx.config.resetToken.inResponse) throw new AuthError('FORBIDDEN', 'no account with this email')
    return { email, token: null }
  }
  // A disabled account gets no token: the same answer, and no mail.
  if (user.disabled) {
    if (ctx.config.resetToken.inResponse) throw new AuthError('ACCOUNT_DISABLED')
    return { email, token: null }
  }
  if (ctx.config.resetToken.inResponse) {
    return { email, token: await issueResetToken(ctx, user, from) }
  }
  // Token and mail come after the reply: an existing account then costs the request no
  // more time than an unknown email, so neither the answer nor its timing tells them apart.
  ctx.background.defer('password reset request', async () => { await issueResetToken(ctx, user, from) })
  return { email, token: null }
}

/** What a reset token's `data` says of the address when the mail went out. */
const SENT_TO_UNVERIFIED = 'unverified'

/** Stores a new token for the user, voiding older ones, and the mail that carries it;
 *  null past the mail limit or when the user was deleted meanwhile. The token remembers
 *  whether the address was verified when it was sent. */
async function issueResetToken (ctx: AuthContext, user: { id: number, email: string, emailVerified: boolean, language: Language }, from: Requester): Promise<string | null> {
  if (!await mayMail(ctx, `reset-mail:${counterKeyOf(user.email)}`)) return null
  const now = ctx.now()
  const userId = user.id
  try {
    const token = await ctx.db.transaction().execute(async trx => {
      const token = await issueToken(trx, { purpose: 'password_reset', userId, ttlSeconds: ctx.config.resetToken.ttlSeconds, now, data: user.emailVerified ? null : SENT_TO_UNVERIFIED })
      await ctx.events.publish(trx, { type: 'password.reset_requested', userId, at: now, actor: from })
      await queueMail(ctx, trx, passwordResetMessage({ to: user.email, language: user.language, token, publicUrl: ctx.config.publicUrl, ttlSeconds: ctx.config.resetToken.ttlSeconds }), userId)
      return token
    })
    ctx.outbox.wake()
    return token
  } catch (error) {
    if (isForeignKeyViolation(error)) return null
    throw error
  }
}

/**
 * The email a reset token was issued for, while it is usable; null otherwise. Nothing is
 * consumed: the hosted reset page shows the form (and the address) on a GET, which mail
 * scanners also make.
 */
export async function emailOfResetToken (ctx: AuthContext, token: string): Promise<string | null> {
  const found = await findToken(ctx.db, 'password_reset', token, ctx.now())
  if (found === null) return null
  const account = await findAccountById(ctx.db, found.userId)
  return account === undefined || account.disabledAt !== null ? null : account.email
}

export interface PasswordResetInput {
  readonly email: string
  readonly token: string
  readonly newPassword: string
}

/** Removes what a holder of the account before its owner may have added, and marks the
 *  address verified (the reset proved it). */
async function cleanUpTakeover (ctx: AuthContext, trx: Db, userId: number, from: Requester): Promise<void> {
  const now = ctx.now()
  const totp = await removeTotp(trx, userId)
  const passkeys = await removePasskeys(trx, userId)
  // An identity at another provider linked before the owner proved the address is as
  // much the pre-hijacker's way back in as a passkey.
  const identities = await deleteIdentitiesOf(trx, userId)
  if (totp || passkeys > 0 || identities > 0) await ctx.events.publish(trx, { type: 'mfa.reset', userId, at: now, actor: from, details: { totp, passkeys, identities, reason: 'reset_of_unverified_address' } })
  if (await setEmailVerified(trx, userId, now)) await ctx.events.publish(trx, { type: 'email.verified', userId, at: now, actor: from })
}

export interface ResetOptions {
  /** false keeps the account's sessions (only the COMPAT=course adapter asks). */
  readonly endSessions?: boolean
}

/**
 * Sets a new password with a reset token (flows/settings.ts setPassword: links voided,
 * sessions ended, notice). The token is consumed in the same transaction as the password
 * change; a rejected password leaves it usable.
 */
export async function resetPassword (ctx: AuthContext, input: PasswordResetInput, from: Requester, options: ResetOptions = {}): Promise<{ email: string }> {
  const email = normalizeEmail(input.email)
  const invalid = new AuthError('INVALID_TOKEN', INVALID_TOKEN)
  const user = await findUserByEmail(ctx.db, email)
  const found = await findToken(ctx.db, 'password_reset', input.token, ctx.now())
  if (user === undefined || user.disabled || found === null || found.userId !== user.id) throw invalid
  await setPassword(ctx, user, { password: input.newPassword, field: 'new_password' }, from, {
    // Only the COMPAT=course adapter keeps sessions (the course's reset does; that mode is
    // refused in production), even on a cleaned-up account.
    endSessions: options.endSessions,
    reset: async trx => {
      // Of two requests racing with one token, only the one whose DELETE removed it goes on.
      const consumed = await consumeToken(trx, 'password_reset', input.token, ctx.now())
      if (consumed === null) throw invalid
      if (consumed.data !== SENT_TO_UNVERIFIED) return { wiped: false }
      await cleanUpTakeover(ctx, trx, user.id, from)
      return { wiped: true }
    }
  })
  return { email }
}
