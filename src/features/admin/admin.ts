// What an operator does to accounts (`authsvc users …`, `authsvc sessions prune`): the
// same rules as the HTTP routes, on the same service graph, each change with its security
// event in one transaction; the event's actor is the operator (CLI), never a request.
import type { Actor } from '../../auth/events.js'
import type { AuthContext } from '../../auth/context.js'
import { AuthError } from '../../auth/errors.js'
import { voidTokens } from '../../auth/one-time-tokens.js'
import { queueNotice } from '../../auth/outgoing-mail.js'
import { deleteAccount, setPassword, updateAccount } from '../../flows/settings.js'
import { secondFactorNotice } from '../../mail/messages.js'
import { removePasskeys } from '../../methods/passkey/passkeys.js'
import { removeTotp } from '../../methods/totp/totp.js'
import { endLoginFlows } from '../../tokens/login-flows.js'
import { type AuditRecord, findAuditEvents } from '../audit/audit.js'
import { countActiveSessions, deleteExpiredSessions, invalidateUserSessions } from '../sessions/sessions.js'
import { type AccountRecord, findAccount, findUserById, listAccounts, setDisabled, setEmailVerified } from '../users/users.js'
import { type Identity, listIdentities } from '../../methods/upstream/identities.js'

export const LIST_DEFAULT = 50
export const LIST_MAX = 1000

/** The account named by id or email; NOT_FOUND otherwise. */
export async function resolveAccount (ctx: AuthContext, idOrEmail: string): Promise<AccountRecord> {
  const account = await findAccount(ctx.db, idOrEmail)
  if (account === undefined) throw new AuthError('NOT_FOUND', `no user with id or email ${JSON.stringify(idOrEmail)}`)
  return account
}

export async function listUsers (ctx: AuthContext, options: { search?: string, limit: number }): Promise<AccountRecord[]> {
  return await listAccounts(ctx.db, options)
}

export interface AccountDetails extends AccountRecord {
  readonly activeSessions: number
  /** Its identities at other providers (sign-in with Google …), oldest first. */
  readonly identities: readonly Identity[]
}

export async function showUser (ctx: AuthContext, idOrEmail: string): Promise<AccountDetails> {
  const account = await resolveAccount(ctx, idOrEmail)
  return { ...account, activeSessions: await countActiveSessions(ctx.db, account.id, ctx.now()), identities: await listIdentities(ctx.db, account.id) }
}

/** What a change did: the account, whether anything changed, how many sessions ended. */
export interface AdminOutcome {
  readonly account: AccountRecord
  readonly changed: boolean
  readonly sessionsEnded: number
}

/**
 * Disables the account: sign-in refused (403 account_disabled after the right password),
 * every session ended, pending single-use tokens void. Disabling a disabled account
 * changes nothing and records nothing.
 */
export async function disableUser (ctx: AuthContext, idOrEmail: string, actor: Actor): Promise<AdminOutcome> {
  const account = await resolveAccount(ctx, idOrEmail)
  const now = ctx.now()
  return await ctx.db.transaction().execute(async trx => {
    if (!await setDisabled(trx, account.id, now)) return { account, changed: false, sessionsEnded: 0 }
    const sessionsEnded = await invalidateUserSessions(trx, account.id)
    await voidTokens(trx, account.id)
    await endLoginFlows(trx, account.id)
    await ctx.events.publish(trx, { type: 'user.disabled', userId: account.id, at: now, actor, details: { sessions_ended: sessionsEnded } })
    return { account: { ...account, disabledAt: now }, changed: true, sessionsEnded }
  })
}

/** Lets the account sign in again (its old sessions stay ended). */
export async function enableUser (ctx: AuthContext, idOrEmail: string, actor: Actor): Promise<AdminOutcome> {
  const account = await resolveAccount(ctx, idOrEmail)
  const now = ctx.now()
  return await ctx.db.transaction().execute(async trx => {
    if (!await setDisabled(trx, account.id, null)) return { account, changed: false, sessionsEnded: 0 }
    await ctx.events.publish(trx, { type: 'user.enabled', userId: account.id, at: now, actor })
    return { account: { ...account, disabledAt: null }, changed: true, sessionsEnded: 0 }
  })
}

/** Ends every session of the account (signed out on every device). */
export async function revokeUserSessions (ctx: AuthContext, idOrEmail: string, actor: Actor): Promise<AdminOutcome> {
  const account = await resolveAccount(ctx, idOrEmail)
  const now = ctx.now()
  return await ctx.db.transaction().execute(async trx => {
    const sessionsEnded = await invalidateUserSessions(trx, account.id)
    await ctx.events.publish(trx, { type: 'session.revoked', userId: account.id, at: now, actor, details: { sessions_ended: sessionsEnded } })
    return { account, changed: sessionsEnded > 0, sessionsEnded }
  })
}

/** Deletes the account; its sessions and tokens go with it. */
export async function removeUser (ctx: AuthContext, idOrEmail: string, actor: Actor): Promise<AdminOutcome> {
  const account = await resolveAccount(ctx, idOrEmail)
  await deleteAccount(ctx, account.id, actor)
  return { account, changed: true, sessionsEnded: 0 }
}

/** Marks the email verified (users imported or created before verification existed). */
export async function verifyUserEmail (ctx: AuthContext, idOrEmail: string, actor: Actor): Promise<AdminOutcome> {
  const account = await resolveAccount(ctx, idOrEmail)
  const now = ctx.now()
  return await ctx.db.transaction().execute(async trx => {
    if (!await setEmailVerified(trx, account.id, now)) return { account, changed: false, sessionsEnded: 0 }
    await ctx.events.publish(trx, { type: 'email.verified', userId: account.id, at: now, actor })
    return { account: { ...account, emailVerifiedAt: now }, changed: true, sessionsEnded: 0 }
  })
}

/**
 * Sets a new password under the password policy (flows/settings.ts): every session of the
 * account ends, pending reset and email-change links void, the user is told by mail.
 */
export async function setUserPassword (ctx: AuthContext, idOrEmail: string, password: string, actor: Actor): Promise<AdminOutcome> {
  const account = await resolveAccount(ctx, idOrEmail)
  const user = await findUserById(ctx.db, account.id)
  if (user === undefined) throw new AuthError('NOT_FOUND', `user ${account.id} was deleted meanwhile`)
  return { account, changed: true, sessionsEnded: await setPassword(ctx, user, { password }, actor) }
}

/**
 * Moves the account to another address directly (support, for a user who lost the old
 * one), as v1 PUT /users/:id does: the new address is unverified and gets a link, the old
 * one a notice, every pending link voids.
 */
export async function setUserEmail (ctx: AuthContext, idOrEmail: string, email: string, actor: Actor): Promise<AdminOutcome> {
  const account = await resolveAccount(ctx, idOrEmail)
  const moved = await updateAccount(ctx, account.id, { email }, actor)
  return { account: { ...account, email: moved.email, emailVerifiedAt: moved.email === account.email ? account.emailVerifiedAt : null }, changed: moved.email !== account.email, sessionsEnded: 0 }
}

/**
 * Removes the account's second factors (a user who lost the phone and the recovery
 * codes): its authenticator app, recovery codes and passkeys; sign-in asks for the
 * password alone until the user sets them up again. The user is told by mail.
 */
export async function resetUserMfa (ctx: AuthContext, idOrEmail: string, actor: Actor): Promise<AdminOutcome> {
  const account = await resolveAccount(ctx, idOrEmail)
  const now = ctx.now()
  const changed = await ctx.db.transaction().execute(async trx => {
    const totp = await removeTotp(trx, account.id)
    const passkeys = await removePasskeys(trx, account.id)
    if (!totp && passkeys === 0) return false
    await ctx.events.publish(trx, { type: 'mfa.reset', userId: account.id, at: now, actor, details: { totp, passkeys } })
    await queueNotice(ctx, trx, secondFactorNotice('mfa_reset', { to: account.email, language: account.language, at: now, ip: null }), account.id)
    return true
  })
  if (changed) ctx.outbox.wake()
  return { account, changed, sessionsEnded: 0 }
}

/** Removes expired sessions now, as the scheduled sweep does; returns how many went. */
export async function pruneSessions (ctx: AuthContext, actor: Actor): Promise<number> {
  const now = ctx.now()
  const removed = await deleteExpiredSessions(ctx.db, now)
  await ctx.events.publish(ctx.db, { type: 'sessions.pruned', userId: null, at: now, actor, details: { removed } })
  return removed
}

export interface EventFilter {
  /** An id (also of a deleted account) or the email of an existing account. */
  readonly user?: string
  readonly type?: string
  /** Milliseconds since the epoch. */
  readonly since?: number
  readonly limit: number
}

/** The audit log, newest first, of every account or of one. */
export async function listEvents (ctx: AuthContext, filter: EventFilter): Promise<AuditRecord[]> {
  const { user, ...rest } = filter
  // The record outlives the account: a bare id needs no account behind it.
  const userId = user === undefined ? undefined : /^[1-9][0-9]{0,14}$/.test(user) ? Number(user) : (await resolveAccount(ctx, user)).id
  return await findAuditEvents(ctx.db, { ...rest, ...(userId === undefined ? {} : { userId }) })
}
