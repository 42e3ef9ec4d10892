// Accounts: sign-up, and the users table: its queries and the mapping of its rows (other
// modules get camelCase objects). Changes of password or email and deletion go through
// flows/settings.ts, the only paths that change them.
import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import type { AuthContext, PublicUser, Requester } from '../../auth/context.js'
import { normalizeEmail } from '../../auth/emails.js'
import { AuthError } from '../../auth/errors.js'
import { checkPasswordPolicy } from '../../auth/password-policy.js'
import { isUniqueViolation } from '../../db/errors.js'
import type { Db } from '../../db/index.js'
import type { UserRow } from '../../db/schema.js'
import { DEFAULT_LANGUAGE, isLanguage, type Language } from '../../i18n/languages.js'
import { insertPasswordHash } from '../../identity/password-credential.js'
import { queueMail } from '../../auth/outgoing-mail.js'
import { issueVerification } from '../verification/verification-mail.js'

/** An account's state as the rules read it: never a credential. */
export interface UserAccount extends PublicUser {
  /** An operator disabled the account: no sign-in, no reset. */
  readonly disabled: boolean
  /** The language of its mail. */
  readonly language: Language
  readonly emailVerified: boolean
}

function toUserAccount (row: Pick<UserRow, 'id' | 'email' | 'disabled_at' | 'language' | 'email_verified_at'>): UserAccount {
  return {
    id: row.id,
    email: row.email,
    disabled: row.disabled_at !== null,
    language: isLanguage(row.language) ? row.language : DEFAULT_LANGUAGE,
    emailVerified: row.email_verified_at !== null
  }
}

export function toPublicUser (user: PublicUser): PublicUser {
  return { id: user.id, email: user.email }
}

const USER_COLUMNS = ['id', 'email', 'disabled_at', 'language', 'email_verified_at'] as const

export async function findUserByEmail (db: Db, email: string): Promise<UserAccount | undefined> {
  const row = await db.selectFrom('users').select(USER_COLUMNS).where('email', '=', email).executeTakeFirst()
  return row === undefined ? undefined : toUserAccount(row)
}

export async function findUserById (db: Db, id: number): Promise<UserAccount | undefined> {
  const row = await db.selectFrom('users').select(USER_COLUMNS).where('id', '=', id).executeTakeFirst()
  return row === undefined ? undefined : toUserAccount(row)
}

/**
 * The account's subject (`sub` of ID tokens and session JWTs): 128 random bits, the same for
 * every client and for the account's life, unrelated to its email and id. Given on first
 * need; of two concurrent first needs, the first UPDATE wins and both return its value.
 */
export async function subjectOf (db: Db, userId: number): Promise<string | undefined> {
  const row = await db.selectFrom('users').select('subject').where('id', '=', userId).executeTakeFirst()
  if (row === undefined) return undefined
  if (row.subject !== null) return row.subject
  await db.updateTable('users').set({ subject: randomBytes(16).toString('base64url') }).where('id', '=', userId).where('subject', 'is', null).execute()
  return (await db.selectFrom('users').select('subject').where('id', '=', userId).executeTakeFirst())?.subject ?? undefined
}

/** The account whose subject this is. */
export async function findUserBySubject (db: Db, subject: string): Promise<UserAccount | undefined> {
  const row = await db.selectFrom('users').select(USER_COLUMNS).where('subject', '=', subject).executeTakeFirst()
  return row === undefined ? undefined : toUserAccount(row)
}

export async function isEmailTaken (db: Db, email: string): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()
  return row !== undefined
}

/** INSERT that returns the new id: RETURNING where the database has it, else the driver's insert id. */
async function insertUser (db: Db, values: { email: string, now: number, language: Language }): Promise<number> {
  const insert = db.insertInto('users').values({ email: values.email, created_at: values.now, updated_at: values.now, language: values.language })
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

/** Inserts a user under an id chosen elsewhere (import-legacy keeps the course's ids), with its password hash. */
export async function insertUserWithId (db: Db, user: { id: number, email: string, passwordHash: string, now: number }): Promise<void> {
  await db.insertInto('users')
    .values({ id: user.id, email: user.email, created_at: user.now, updated_at: user.now })
    .execute()
  await insertPasswordHash(db, user.id, user.passwordHash, user.now)
}

/** Creates the account and, in the same transaction, its verification mail; returns it, the
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
    // The account, its first verification link and the mail that carries it are made together.
    const id = await ctx.db.transaction().execute(async trx => {
      const id = await insertUser(trx, { email, now, language })
      await insertPasswordHash(trx, id, passwordHash, now)
      await ctx.events.publish(trx, { type: 'user.created', userId: id, at: now, actor: from })
      await queueMail(ctx, trx, await issueVerification(ctx, trx, { id, email, language }, from, { newAccount: true }), id)
      return id
    })
    ctx.outbox.wake()
    return { id, email }
  } catch (error) {
    if (isUniqueViolation(error)) throw new AuthError('EMAIL_TAKEN')
    throw error
  }
}

/**
 * Creates an account without a password, on `trx` (the transaction that also stores the
 * credential it is made for: an identity at another provider). Its address is verified
 * when that provider said so; else its verification mail goes out as a sign-up's does.
 * EMAIL_TAKEN when the address is in use (the unique index decides races).
 */
export async function createPasswordlessUser (ctx: AuthContext, trx: Db, input: { email: string, verified: boolean, language: Language, details?: Record<string, string> }, from: Requester): Promise<number> {
  const email = normalizeEmail(input.email)
  const now = ctx.now()
  let id: number
  try {
    id = await insertUser(trx, { email, now, language: input.language })
  } catch (error) {
    if (isUniqueViolation(error)) throw new AuthError('EMAIL_TAKEN')
    throw error
  }
  if (input.verified) await trx.updateTable('users').set({ email_verified_at: now }).where('id', '=', id).execute()
  await ctx.events.publish(trx, { type: 'user.created', userId: id, at: now, actor: from, ...(input.details === undefined ? {} : { details: input.details }) })
  if (!input.verified) await queueMail(ctx, trx, await issueVerification(ctx, trx, { id, email, language: input.language }, from, { newAccount: true }), id)
  return id
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

/** Moves the account to another address, verified at `verifiedAt` (an email change's
 *  link proved it) or unverified (null); false when the user is gone. A taken address
 *  fails on the unique index. */
export async function setEmail (db: Db, userId: number, email: string, verifiedAt: number | null, now: number): Promise<boolean> {
  const result = await db.updateTable('users').set({ email, email_verified_at: verifiedAt, updated_at: now }).where('id', '=', userId).executeTakeFirst()
  return result.numUpdatedRows === 1n
}

/** Deletes the account row; its sessions, credentials and tokens go with it (ON DELETE CASCADE).
 *  Its id is retired (the watermark of migration 0013, in the same transaction): its audit
 *  events stay, so no later account may hold it. */
export async function deleteUserRow (db: Db, userId: number): Promise<boolean> {
  const deleted = (await db.deleteFrom('users').where('id', '=', userId).executeTakeFirst()).numDeletedRows === 1n
  if (deleted) {
    await db.updateTable('id_watermarks').set({ highest_retired_id: userId })
      .where('name', '=', 'users').where('highest_retired_id', '<', userId)
      .execute()
  }
  return deleted
}

/** The highest id an account has ever held, here now or deleted: an id chosen elsewhere
 *  (import-legacy) must be above it. 0 on a database that never had an account. */
export async function highestUserIdEverHeld (db: Db): Promise<number> {
  const inUse = await db.selectFrom('users').select(eb => eb.fn.max('id').as('id')).executeTakeFirst()
  const retired = await db.selectFrom('id_watermarks').select('highest_retired_id').where('name', '=', 'users').executeTakeFirst()
  return Math.max(Number(inUse?.id ?? 0), Number(retired?.highest_retired_id ?? 0))
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
