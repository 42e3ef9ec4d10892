// Password reset by mailed token (Copenhagen Book, "Password reset"): a single-use token of
// the one-time token store, short-lived, stored hashed; a new request voids older tokens.
import type { AuthContext, Requester } from '../../auth/context.js'
import { normalizeEmail } from '../../auth/emails.js'
import { AuthError } from '../../auth/errors.js'
import { mailLater, mayMail } from '../../auth/outgoing-mail.js'
import { consumeToken, findToken, issueToken, TAKEOVER_PURPOSES, voidTokens } from '../../auth/one-time-tokens.js'
import { checkPasswordPolicy } from '../../auth/password-policy.js'
import { counterKeyOf } from '../../auth/tokens.js'
import { isForeignKeyViolation } from '../../db/errors.js'
import type { Language } from '../../i18n/languages.js'
import { passwordResetMessage, passwordWasResetNotice } from '../../mail/messages.js'
import { invalidateUserSessions } from '../sessions/sessions.js'
import { findAccountById, findUserByEmail, setPasswordHash } from '../users/users.js'

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
    const token = await issueResetToken(ctx, user.id, email, from)
    if (token !== null) ctx.background.defer('reset mail', async () => { await sendResetMail(ctx, { email, language: user.language }, token) })
    return { email, token }
  }
  // Token and mail come after the reply: an existing account then costs the request no
  // more time than an unknown email, so neither the answer nor its timing tells them apart.
  ctx.background.defer('password reset request', async () => {
    const token = await issueResetToken(ctx, user.id, email, from)
    if (token !== null) await sendResetMail(ctx, { email, language: user.language }, token)
  })
  return { email, token: null }
}

/** Stores a new token for the user, voiding older ones; null past the mail limit or
 *  when the user was deleted meanwhile. */
async function issueResetToken (ctx: AuthContext, userId: number, email: string, from: Requester): Promise<string | null> {
  if (!await mayMail(ctx, `reset-mail:${counterKeyOf(email)}`)) return null
  const now = ctx.now()
  try {
    return await ctx.db.transaction().execute(async trx => {
      const token = await issueToken(trx, { purpose: 'password_reset', userId, ttlSeconds: ctx.config.resetToken.ttlSeconds, now })
      await ctx.events.publish(trx, { type: 'password.reset_requested', userId, at: now, actor: from })
      return token
    })
  } catch (error) {
    if (isForeignKeyViolation(error)) return null
    throw error
  }
}

async function sendResetMail (ctx: AuthContext, { email, language }: { email: string, language: Language }, token: string): Promise<void> {
  await ctx.mailer.send(passwordResetMessage({
    to: email,
    language,
    token,
    publicUrl: ctx.config.publicUrl,
    ttlSeconds: ctx.config.resetToken.ttlSeconds
  }))
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

/**
 * Sets a new password with a reset token. The token is consumed, and every session of
 * the user ends, in the same transaction as the password change.
 */
export async function resetPassword (ctx: AuthContext, input: PasswordResetInput, from: Requester, options: { readonly endSessions?: boolean } = {}): Promise<{ email: string }> {
  const email = normalizeEmail(input.email)
  const invalid = new AuthError('INVALID_TOKEN', INVALID_TOKEN)
  const user = await findUserByEmail(ctx.db, email)
  const now = ctx.now()
  const found = await findToken(ctx.db, 'password_reset', input.token, now)
  if (user === undefined || user.disabled || found === null || found.userId !== user.id) throw invalid

  // Checked before the token is consumed: a rejected password leaves the token usable.
  checkPasswordPolicy(ctx.config.passwordPolicy, input.newPassword, email, 'new_password')
  const passwordHash = await ctx.hasher.hash(input.newPassword, from.client)

  await ctx.db.transaction().execute(async trx => {
    // Of two requests racing with one token, only the one whose DELETE removed it goes on.
    if (await consumeToken(trx, 'password_reset', input.token, now) === null) throw invalid
    if (!await setPasswordHash(trx, user.id, passwordHash, now)) throw invalid
    if (options.endSessions !== false) await invalidateUserSessions(trx, user.id) // false: kept, when a legacy contract at the edge says so
    await voidTokens(trx, user.id, ...TAKEOVER_PURPOSES)
    await ctx.events.publish(trx, { type: 'password.reset', userId: user.id, at: now, actor: from })
  })
  mailLater(ctx, 'password reset notice', passwordWasResetNotice({ to: email, language: user.language, at: now, ip: from.ip }))
  return { email }
}
