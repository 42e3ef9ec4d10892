// Accounts: sign-up, change of email or password, deletion. This module owns the users
// table: its queries and the mapping of its rows (other modules get camelCase objects).
import { sql } from 'kysely'
import type { AuthContext, PublicUser, Requester } from '../../auth/context.js'
import { normalizeEmail } from '../../auth/emails.js'
import { AuthError, invalidField } from '../../auth/errors.js'
import { clearLoginFailures, reserveLoginAttempt } from '../../auth/login-throttle.js'
import { TAKEOVER_PURPOSES, voidTokens } from '../../auth/one-time-tokens.js'
import { bcryptCostOf } from '../../auth/password-forms.js'
import { checkPasswordPolicy } from '../../auth/password-policy.js'
import { isUniqueViolation } from '../../db/errors.js'
import type { Db } from '../../db/index.js'
import type { UserRow } from '../../db/schema.js'
import { DEFAULT_LANGUAGE, isLanguage, type Language } from '../../i18n/languages.js'
import { emailChangedNotice } from '../../mail/messages.js'
import { invalidateUserSessions } from '../sessions/sessions.js'
import { mailLater } from '../../auth/outgoing-mail.js'
import { issueVerification } from '../verification/verification-mail.js'

/** A user with the stored hash: for the password checks, never for a reply. */
export interface UserWithHash extends PublicUser {
  readonly passwordHash: string
  /** An operator disabled the account: no sign-in, no reset. */
  readonly disabled: boolean
  /** The language of its mail. */
  readonly language: Language
  readonly emailVerified: boolean
}

function toUserWithHash (row: Pick<UserRow, 'id' | 'email' | 'password_hash' | 'disabled_at' | 'language' | 'email_verified_at'>): UserWithHash {
  return {
    id: row.id,
    email: row.email,
    passwordHash: row.password_hash,
    disabled: row.disabled_at !== null,
    language: isLanguage(row.language) ? row.language : DEFAULT_LANGUAGE,
    emailVerified: row.email_verified_at !== null
  }
}

export function toPublicUser (user: PublicUser): PublicUser {
  return { id: user.id, email: user.email }
}

export async function findUserByEmail (db: Db, email: string): Promise<UserWithHash | undefined> {
  const row = await db.selectFrom('users').select(['id', 'email', 'password_hash', 'disabled_at', 'language', 'email_verified_at']).where('email', '=', email).executeTakeFirst()
  return row === undefined ? undefined : toUserWithHash(row)
}

export async function findUserById (db: Db, id: number): Promise<UserWithHash | undefined> {
  const row = await db.selectFrom('users').select(['id', 'email', 'password_hash', 'disabled_at', 'language', 'email_verified_at']).where('id', '=', id).executeTakeFirst()
  return row === undefined ? undefined : toUserWithHash(row)
}

async function isEmailTaken (db: Db, email: string): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()
  return row !== undefined
}

/** Replaces the hash only if it is still `expected` (nobody changed the password meanwhile). */
export async function replacePasswordHash (db: Db, userId: number, expected: string, passwordHash: string, now: number): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash, updated_at: now })
    .where('id', '=', userId).where('password_hash', '=', expected)
    .execute()
}

/** Sets the hash; false when the user is gone. */
export async function setPasswordHash (db: Db, userId: number, passwordHash: string, now: number): Promise<boolean> {
  const result = await db.updateTable('users').set({ password_hash: passwordHash, updated_at: now }).where('id', '=', userId).executeTakeFirst()
  return result.numUpdatedRows === 1n
}

/** INSERT that returns the new id: RETURNING where the database has it, else the driver's insert id. */
async function insertUser (db: Db, values: { email: string, passwordHash: string, now: number, language: Language }): Promise<number> {
  const insert = db.insertInto('users').values({ email: values.email, password_hash: values.passwordHash, created_at: values.now, updated_at: values.now, language: values.language })
  if (db.getExecutor().adapter.supportsReturning) return (await insert.returning('id').executeTakeFirstOrThrow()).id
  return Number((await insert.executeTakeFirstOrThrow()).insertId)
}

/** The users holding this id or this email (import-legacy's conflict check). */
export async function findUsersByIdOrEmail (db: Db, id: number, email: string): Promise<PublicUser[]> {
  const rows = await db.selectFrom('users').select(['id', 'email'])
    .where(eb => eb.or([eb('id', '=', id), eb('email', '=', email)]))
    .execute()
  return rows.map(toPublicUser)
}

/** Inserts a user under an id chosen elsewhere (import-legacy keeps the course's ids). */
export async function insertUserWithId (db: Db, user: { id: number, email: string, passwordHash: string, now: number }): Promise<void> {
  await db.insertInto('users')
    .values({ id: user.id, email: user.email, password_hash: user.passwordHash, created_at: user.now, updated_at: user.now })
    .execute()
}

/** Creates the account and mails it a verification link after the reply; returns it, the
 *  email as stored (normalized). `language` is that of its mail (the sign-up's
 *  Accept-Language), English when not given. */
export async function registerUser (ctx: AuthContext, input: { email: string, password: string, language?: Language }, from: Requester): Promise<PublicUser> {
  const email = normalizeEmail(input.email)
  checkPasswordPolicy(ctx.config.passwordPolicy, input.password, email)
  // Checked before hashing to spare the hash; the unique index decides the races.
  if (await isEmailTaken(ctx.db, email)) throw new AuthError('EMAIL_TAKEN')
  const passwordHash = await ctx.hasher.hash(input.password, from.client)
  const now = ctx.now()
  try {
    const language = input.language ?? DEFAULT_LANGUAGE
    // The account and its first verification link are made together; the mail goes after the reply.
    const { id, verification } = await ctx.db.transaction().execute(async trx => {
      const id = await insertUser(trx, { email, passwordHash, now, language })
      await ctx.events.publish(trx, { type: 'user.created', userId: id, at: now, actor: from })
      return { id, verification: await issueVerification(ctx, trx, { id, email, language }, from, { newAccount: true }) }
    })
    mailLater(ctx, 'verification mail', verification)
    return { id, email }
  } catch (error) {
    if (isUniqueViolation(error)) throw new AuthError('EMAIL_TAKEN')
    throw error
  }
}

/** Checks the current password of an account, counted by the login throttle like a sign-in. */
export async function confirmCurrentPassword (ctx: AuthContext, user: UserWithHash, password: string, from: Requester): Promise<void> {
  await reserveLoginAttempt(ctx, user.email)
  const check = await ctx.hasher.verify(user.passwordHash, password, from.client)
  if (!check.valid) throw new AuthError('WRONG_CURRENT_PASSWORD')
  await clearLoginFailures(ctx, user.email)
}

export interface UserChanges {
  readonly email?: string
  readonly password?: string
  readonly currentPassword?: string
}

/** The session a change is made from. */
export interface ActingSession {
  readonly id: string
  readonly createdAt: number
}

/**
 * Changes email and/or password of the session's own user. A new password needs the
 * current one and ends every other session of the user; the current one stays. A new
 * email needs the current password too, unless the session was created within
 * REAUTH_MAX_AGE (a stolen old session cannot take the account over); it voids pending
 * single-use tokens, and the old address is told.
 */
export async function updateUser (ctx: AuthContext, userId: number, session: ActingSession, changes: UserChanges, from: Requester): Promise<PublicUser> {
  if (changes.email === undefined && changes.password === undefined) {
    throw invalidField('nothing to update: send email and/or password')
  }
  const user = await findUserById(ctx.db, userId)
  if (user === undefined) throw new AuthError('FORBIDDEN')
  const email = changes.email === undefined ? user.email : normalizeEmail(changes.email)
  const emailChanges = email !== user.email

  if (changes.password !== undefined) {
    if (changes.currentPassword === undefined) throw invalidField('current_password is required to change the password')
    checkPasswordPolicy(ctx.config.passwordPolicy, changes.password, email)
  }
  const maxAgeSeconds = ctx.config.session.reauthMaxAgeSeconds
  if (emailChanges && changes.currentPassword === undefined && ctx.now() - session.createdAt >= maxAgeSeconds * 1000) {
    throw new AuthError('REAUTHENTICATION_REQUIRED', `changing the email needs current_password, or a sign-in within the last ${maxAgeSeconds} s`)
  }
  if (changes.currentPassword !== undefined) await confirmCurrentPassword(ctx, user, changes.currentPassword, from)
  const passwordHash = changes.password === undefined ? undefined : await ctx.hasher.hash(changes.password, from.client)
  if (emailChanges && await isEmailTaken(ctx.db, email)) throw new AuthError('EMAIL_TAKEN')

  const now = ctx.now()
  let verification = null
  try {
    verification = await ctx.db.transaction().execute(async trx => {
      const result = await trx.updateTable('users')
        .set({ email, updated_at: now, ...(passwordHash === undefined ? {} : { password_hash: passwordHash }), ...(emailChanges ? { email_verified_at: null } : {}) })
        .where('id', '=', userId)
        .executeTakeFirst()
      if (result.numUpdatedRows !== 1n) throw new AuthError('FORBIDDEN')
      if (passwordHash !== undefined) await invalidateUserSessions(trx, userId, session.id)
      // A token mailed to the old address must not serve the account once it has moved;
      // a new password voids the links that could take the account over.
      if (emailChanges) await voidTokens(trx, userId)
      else if (passwordHash !== undefined) await voidTokens(trx, userId, ...TAKEOVER_PURPOSES)
      if (passwordHash !== undefined) await ctx.events.publish(trx, { type: 'password.changed', userId, at: now, actor: from })
      if (!emailChanges) return null
      await ctx.events.publish(trx, { type: 'email.changed', userId, at: now, actor: from })
      // The new address is not verified yet: it gets a link of its own.
      return await issueVerification(ctx, trx, { id: userId, email, language: user.language }, from)
    })
  } catch (error) {
    if (isUniqueViolation(error)) throw new AuthError('EMAIL_TAKEN')
    throw error
  }
  if (emailChanges) {
    const notice = emailChangedNotice({ to: user.email, language: user.language, newEmail: email, at: now, ip: from.ip })
    ctx.background.defer('email change notice', async () => { await ctx.mailer.send(notice) })
    mailLater(ctx, 'verification mail', verification)
  }
  return { id: userId, email }
}

/** Deletes the user; sessions and tokens go with it (ON DELETE CASCADE). */
export async function deleteUser (ctx: AuthContext, userId: number, from: Requester): Promise<void> {
  await ctx.events.atomically(ctx.db, async db => {
    // Published first: a subscriber may still read the account it concerns.
    await ctx.events.publish(db, { type: 'user.deleted', userId, at: ctx.now(), actor: from })
    await db.deleteFrom('users').where('id', '=', userId).execute()
  })
}

/** An account as an operator sees it (`authsvc users …`): never the password hash. */
export interface AccountRecord extends PublicUser {
  readonly createdAt: number
  readonly updatedAt: number
  readonly emailVerifiedAt: number | null
  readonly disabledAt: number | null
  readonly language: Language
}

const ACCOUNT_COLUMNS = ['id', 'email', 'created_at', 'updated_at', 'email_verified_at', 'disabled_at', 'language'] as const

function toAccountRecord (row: Pick<UserRow, typeof ACCOUNT_COLUMNS[number]>): AccountRecord {
  const time = (value: number | null): number | null => value === null ? null : Number(value)
  return {
    id: Number(row.id),
    email: row.email,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    emailVerifiedAt: time(row.email_verified_at),
    disabledAt: time(row.disabled_at),
    language: isLanguage(row.language) ? row.language : DEFAULT_LANGUAGE
  }
}

/** The account with this id (all digits) or else this email, or undefined. */
export async function findAccount (db: Db, idOrEmail: string): Promise<AccountRecord | undefined> {
  const query = db.selectFrom('users').select(ACCOUNT_COLUMNS)
  const row = /^[1-9][0-9]{0,14}$/.test(idOrEmail)
    ? await query.where('id', '=', Number(idOrEmail)).executeTakeFirst()
    : await query.where('email', '=', idOrEmail.trim().toLowerCase()).executeTakeFirst()
  return row === undefined ? undefined : toAccountRecord(row)
}

/** The account by id, or undefined. */
export async function findAccountById (db: Db, id: number): Promise<AccountRecord | undefined> {
  const row = await db.selectFrom('users').select(ACCOUNT_COLUMNS).where('id', '=', id).executeTakeFirst()
  return row === undefined ? undefined : toAccountRecord(row)
}

/** Moves the account to a confirmed address (an email change's link proved it, so it is
 *  verified); false when the user is gone. A taken address fails on the unique index. */
export async function changeEmail (db: Db, userId: number, email: string, now: number): Promise<boolean> {
  const result = await db.updateTable('users').set({ email, email_verified_at: now, updated_at: now }).where('id', '=', userId).executeTakeFirst()
  return result.numUpdatedRows === 1n
}

/** Sets the language of the account's mail; false when the user is gone. */
export async function setLanguage (db: Db, userId: number, language: Language, now: number): Promise<boolean> {
  const result = await db.updateTable('users').set({ language, updated_at: now }).where('id', '=', userId).executeTakeFirst()
  return result.numUpdatedRows === 1n
}

/** Accounts by id, those whose email contains `search` when given (case-insensitively). */
export async function listAccounts (db: Db, { search, limit }: { search?: string, limit: number }): Promise<AccountRecord[]> {
  let query = db.selectFrom('users').select(ACCOUNT_COLUMNS).orderBy('id').limit(limit)
  if (search !== undefined) {
    // '!' escapes LIKE's wildcards the same way on SQLite, PostgreSQL and MySQL.
    const pattern = `%${search.trim().toLowerCase().replace(/[!%_]/g, char => `!${char}`)}%`
    query = query.where(sql<boolean>`email like ${pattern} escape '!'`)
  }
  return (await query.execute()).map(toAccountRecord)
}

/** Sets or clears disabled_at; false when nothing changed (no such user, or already so). */
export async function setDisabled (db: Db, userId: number, disabledAt: number | null): Promise<boolean> {
  const query = db.updateTable('users').set({ disabled_at: disabledAt }).where('id', '=', userId)
  const result = await (disabledAt === null ? query.where('disabled_at', 'is not', null) : query.where('disabled_at', 'is', null)).executeTakeFirst()
  return result.numUpdatedRows === 1n
}

/** Marks the email verified at `at`; false when nothing changed (no such user, or already verified). */
export async function setEmailVerified (db: Db, userId: number, at: number): Promise<boolean> {
  const result = await db.updateTable('users').set({ email_verified_at: at })
    .where('id', '=', userId).where('email_verified_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows === 1n
}

// Ids per statement of the scan below. One scan of a million users took 225 ms on SQLite,
// where the driver blocks the event loop: in ranges of the primary key, requests run between.
const SCAN_BATCH = 10_000

/**
 * The costliest legacy bcrypt hash still stored, or null when none is left: failed logins
 * are padded to its verification time (see password-hasher.ts). A scan of the users table
 * in ranges of ids, run at start and by the sweep, never per request.
 */
export async function findSlowestStoredHash (db: Db): Promise<string | null> {
  const last = await db.selectFrom('users').select(eb => eb.fn.max('id').as('id')).executeTakeFirst()
  const lastId = Number(last?.id ?? 0)
  let slowest: string | null = null
  for (let from = 0; from < lastId; from += SCAN_BATCH) {
    // '$2b$12$' is what the course service stored; the cost is in the first 7 characters.
    const prefixes = await db.selectFrom('users')
      .select(eb => eb.fn<string>('substr', ['password_hash', eb.lit(1), eb.lit(7)]).as('prefix'))
      .where('id', '>', from).where('id', '<=', from + SCAN_BATCH)
      .where('password_hash', 'like', '$2%')
      .distinct()
      .execute()
    for (const { prefix } of prefixes) {
      if ((bcryptCostOf(prefix) ?? 0) > (slowest === null ? -1 : bcryptCostOf(slowest) ?? 0)) slowest = prefix
    }
    await new Promise(resolve => setImmediate(resolve))
  }
  if (slowest === null) return null
  const row = await db.selectFrom('users').select('password_hash').where('password_hash', 'like', `${slowest}%`).limit(1).executeTakeFirst()
  return row?.password_hash ?? null
}
