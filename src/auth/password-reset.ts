// Password reset by mailed token (Copenhagen Book, "Password reset"): single use,
// short-lived, stored hashed; a new request voids older tokens.
import { isForeignKeyViolation } from '../db/errors.js'
import { passwordResetMessage } from '../mail/messages.js'
import type { AuthContext } from './context.js'
import { normalizeEmail } from './emails.js'
import { AuthError } from './errors.js'
import { checkPasswordPolicy } from './password-policy.js'
import { constantTimeEqual, counterKeyOf, generateToken, hashToken, isWellFormedToken } from './tokens.js'

const INVALID_TOKEN = 'invalid or expired reset token'

/** Counts a reset mail for this email; false once RESET_MAIL_LIMIT is reached in the window. */
async function mayMail (ctx: AuthContext, email: string): Promise<boolean> {
  const { resetMailPerEmail, resetMailWindowSeconds } = ctx.config.limits
  if (resetMailPerEmail === 0) return true
  const { count } = await ctx.counters.increment(`reset-mail:${counterKeyOf(email)}`, resetMailWindowSeconds * 1000)
  return count <= resetMailPerEmail
}

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
export async function requestPasswordReset (ctx: AuthContext, rawEmail: string): Promise<ResetRequest> {
  const email = normalizeEmail(rawEmail)
  const user = await ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()
  if (user === undefined) {
    if (ctx.config.resetToken.inResponse) throw new AuthError('FORBIDDEN', 'no account with this email')
    return { email, token: null }
  }
  if (ctx.config.resetToken.inResponse) {
    const token = await issueResetToken(ctx, user.id, email)
    if (token !== null) ctx.background.defer('reset mail', async () => { await sendResetMail(ctx, email, token) })
    return { email, token }
  }
  // Token and mail come after the reply: an existing account then costs the request no
  // more time than an unknown email, so neither the answer nor its timing tells them apart.
  ctx.background.defer('password reset request', async () => {
    const token = await issueResetToken(ctx, user.id, email)
    if (token !== null) await sendResetMail(ctx, email, token)
  })
  return { email, token: null }
}

/** Stores a new token for the user, voiding older ones; null past the mail limit or
 *  when the user was deleted meanwhile. */
async function issueResetToken (ctx: AuthContext, userId: number, email: string): Promise<string | null> {
  if (!await mayMail(ctx, email)) return null
  const token = generateToken()
  const now = ctx.now()
  try {
    await ctx.db.transaction().execute(async trx => {
      await trx.deleteFrom('password_reset_tokens').where('user_id', '=', userId).execute()
      await trx.insertInto('password_reset_tokens').values({
        id: hashToken(token),
        user_id: userId,
        created_at: now,
        expires_at: now + ctx.config.resetToken.ttlSeconds * 1000,
        used_at: null
      }).execute()
    })
  } catch (error) {
    if (isForeignKeyViolation(error)) return null
    throw error
  }
  return token
}

async function sendResetMail (ctx: AuthContext, email: string, token: string): Promise<void> {
  await ctx.mailer.send(passwordResetMessage({
    to: email,
    token,
    publicUrl: ctx.config.publicUrl,
    ttlSeconds: ctx.config.resetToken.ttlSeconds
  }))
}

export interface PasswordResetInput {
  readonly email: string
  readonly token: string
  readonly newPassword: string
  /** The requester's key for its share of the hashing queue. */
  readonly client?: string
}

/**
 * Sets a new password with a reset token. The token is consumed, and every session of
 * the user ends, in the same transaction as the password change.
 */
export async function resetPassword (ctx: AuthContext, input: PasswordResetInput): Promise<{ email: string }> {
  const email = normalizeEmail(input.email)
  const invalid = new AuthError('INVALID_RESET_TOKEN', INVALID_TOKEN)
  if (!isWellFormedToken(input.token)) throw invalid
  const user = await ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()
  if (user === undefined) throw invalid
  const now = ctx.now()
  const presented = hashToken(input.token)
  const candidates = await ctx.db.selectFrom('password_reset_tokens')
    .select(['id', 'expires_at', 'used_at'])
    .where('user_id', '=', user.id)
    .execute()
  const match = candidates.find(row => constantTimeEqual(row.id, presented))
  if (match === undefined || match.used_at !== null || now >= match.expires_at) throw invalid

  // Checked before the token is consumed: a rejected password leaves the token usable.
  checkPasswordPolicy(ctx.config.passwordPolicy, input.newPassword, email, 'new_password')
  const passwordHash = await ctx.hasher.hash(input.newPassword, input.client)

  await ctx.db.transaction().execute(async trx => {
    // Consumed only if still unused and unexpired: of two racing requests, one wins.
    const consumed = await trx.updateTable('password_reset_tokens')
      .set({ used_at: now })
      .where('id', '=', match.id).where('used_at', 'is', null).where('expires_at', '>', now)
      .executeTakeFirst()
    if (consumed.numUpdatedRows !== 1n) throw invalid
    await trx.updateTable('users').set({ password_hash: passwordHash, updated_at: now }).where('id', '=', user.id).execute()
    await trx.deleteFrom('sessions').where('user_id', '=', user.id).execute()
  })
  return { email }
}
