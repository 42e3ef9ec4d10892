// The signed-in user's own account: what it is (GET /account), its language (PUT
// /account), and a change of password that needs the current one (PUT /account/password).
import type { AuthContext, Requester } from '../../auth/context.js'
import { AuthError, invalidField } from '../../auth/errors.js'
import { TAKEOVER_PURPOSES, voidTokens } from '../../auth/one-time-tokens.js'
import { checkPasswordPolicy } from '../../auth/password-policy.js'
import { isLanguage, LANGUAGES } from '../../i18n/languages.js'
import { passwordChangedNotice } from '../../mail/messages.js'
import { totpStatus } from '../mfa/totp.js'
import { countPasskeys } from '../passkeys/passkeys.js'
import { invalidateUserSessions, type ValidSession } from '../sessions/sessions.js'
import { type AccountRecord, confirmCurrentPassword, deleteUser, findAccountById, findUserById, setLanguage, setPasswordHash } from '../users/users.js'

/** An account as its user sees it: the record, and its second factors. */
export interface AccountOverview extends AccountRecord {
  readonly totpEnabled: boolean
  readonly recoveryCodes: number
  readonly passkeys: number
}

/** The session's own account; FORBIDDEN once it is gone. */
export async function getAccount (ctx: AuthContext, userId: number): Promise<AccountOverview> {
  const account = await findAccountById(ctx.db, userId)
  if (account === undefined) throw new AuthError('FORBIDDEN', 'this account no longer exists')
  const totp = await totpStatus(ctx, userId)
  return { ...account, totpEnabled: totp.enabled, recoveryCodes: totp.recoveryCodes, passkeys: await countPasskeys(ctx.db, userId) }
}

/** Sets the language of the account's mail (`en`, `fr`); returns the account. */
export async function changeLanguage (ctx: AuthContext, userId: number, language: string): Promise<AccountOverview> {
  if (!isLanguage(language)) throw invalidField(`language must be one of: ${LANGUAGES.join(', ')}`)
  if (!await setLanguage(ctx.db, userId, language, ctx.now())) throw new AuthError('FORBIDDEN', 'this account no longer exists')
  return await getAccount(ctx, userId)
}

/**
 * Deletes the session's own account once the current password is confirmed (the hosted
 * account page asks for it: a session left open on a shared computer must not be enough).
 * A wrong password counts toward the login throttle, as on the other account routes.
 */
export async function deleteAccount (ctx: AuthContext, session: ValidSession, currentPassword: string, from: Requester): Promise<void> {
  const user = await findUserById(ctx.db, session.user.id)
  if (user === undefined) throw new AuthError('FORBIDDEN', 'this account no longer exists')
  await confirmCurrentPassword(ctx, user, currentPassword, from)
  await deleteUser(ctx, user.id, from)
}

/**
 * Changes the password with the current one. A wrong current password is 403 and counts
 * toward the account's login throttle, as a wrong sign-in does. Every other session of
 * the account ends, this one stays; pending reset and email-change links void; a notice is mailed.
 */
export async function changePassword (ctx: AuthContext, session: ValidSession, input: { currentPassword: string, newPassword: string }, from: Requester): Promise<void> {
  const user = await findUserById(ctx.db, session.user.id)
  if (user === undefined) throw new AuthError('FORBIDDEN', 'this account no longer exists')
  checkPasswordPolicy(ctx.config.passwordPolicy, input.newPassword, user.email, 'new_password')
  await confirmCurrentPassword(ctx, user, input.currentPassword, from)
  const passwordHash = await ctx.hasher.hash(input.newPassword, from.client)
  const now = ctx.now()
  await ctx.db.transaction().execute(async trx => {
    if (!await setPasswordHash(trx, user.id, passwordHash, now)) throw new AuthError('FORBIDDEN', 'this account no longer exists')
    const sessionsEnded = await invalidateUserSessions(trx, user.id, session.id)
    await voidTokens(trx, user.id, ...TAKEOVER_PURPOSES)
    await ctx.events.publish(trx, { type: 'password.changed', userId: user.id, at: now, actor: from, details: { sessions_ended: sessionsEnded } })
  })
  const notice = passwordChangedNotice({ to: user.email, language: user.language, at: now, ip: from.ip })
  ctx.background.defer('password change notice', async () => { await ctx.mailer.send(notice) })
}
