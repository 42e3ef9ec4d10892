import { isUniqueViolation } from '../db/errors.js'
import type { Db } from '../db/index.js'
import { type AuthContext, type PublicUser, toPublicUser } from './context.js'
import { normalizeEmail } from './emails.js'
import { AuthError, invalidField } from './errors.js'
import { emailChangedNotice } from '../mail/messages.js'
import { clearLoginFailures, reserveLoginAttempt } from './login-throttle.js'
import { bcryptCostOf } from './password-forms.js'
import { checkPasswordPolicy } from './password-policy.js'

const EMAIL_TAKEN = 'email already registered'
const INVALID_CREDENTIALS = 'invalid email or password'

async function isEmailTaken (ctx: AuthContext, email: string): Promise<boolean> {
  const row = await ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()
  return row !== undefined
}

/** Who is asking: `client` holds them to their share of the hashing queue, `ip` goes into notices. */
export interface Requester {
  readonly client?: string
  readonly ip?: string | null
}

/** Creates the account; returns the email as stored (normalized). */
export async function registerUser (ctx: AuthContext, input: { email: string, password: string }, from: Requester = {}): Promise<string> {
  const email = normalizeEmail(input.email)
  checkPasswordPolicy(ctx.config.passwordPolicy, input.password, email)
  // Checked before hashing to spare the hash; the unique index decides the races.
  if (await isEmailTaken(ctx, email)) throw new AuthError('EMAIL_TAKEN', EMAIL_TAKEN)
  const passwordHash = await ctx.hasher.hash(input.password, from.client)
  const now = ctx.now()
  try {
    await ctx.db.insertInto('users')
      .values({ email, password_hash: passwordHash, created_at: now, updated_at: now })
      .execute()
  } catch (error) {
    if (isUniqueViolation(error)) throw new AuthError('EMAIL_TAKEN', EMAIL_TAKEN)
    throw error
  }
  return email
}

/**
 * Checks an email and password. Unknown email and wrong password give the same error
 * after about the same time. A legacy bcrypt hash is replaced by argon2id on success.
 */
export async function verifyCredentials (ctx: AuthContext, input: { email: string, password: string }, from: Requester = {}): Promise<PublicUser> {
  const email = normalizeEmail(input.email)
  await reserveLoginAttempt(ctx, email)
  const row = await ctx.db.selectFrom('users').select(['id', 'email', 'password_hash']).where('email', '=', email).executeTakeFirst()
  if (row === undefined) {
    await ctx.hasher.verifyDummy(input.password, from.client)
    throw new AuthError('INVALID_CREDENTIALS', INVALID_CREDENTIALS)
  }
  const check = await ctx.hasher.verify(row.password_hash, input.password, from.client)
  if (!check.valid) throw new AuthError('INVALID_CREDENTIALS', INVALID_CREDENTIALS)
  await clearLoginFailures(ctx, email)
  if (check.needsRehash) {
    const passwordHash = await ctx.hasher.hash(input.password, from.client)
    // Only if nobody changed the password meanwhile.
    await ctx.db.updateTable('users')
      .set({ password_hash: passwordHash, updated_at: ctx.now() })
      .where('id', '=', row.id).where('password_hash', '=', row.password_hash)
      .execute()
  }
  return toPublicUser(row)
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

/** Checks the current password of an account, counted by the login throttle like a sign-in. */
async function confirmCurrentPassword (ctx: AuthContext, row: { email: string, password_hash: string }, password: string, from: Requester): Promise<void> {
  await reserveLoginAttempt(ctx, row.email)
  const check = await ctx.hasher.verify(row.password_hash, password, from.client)
  if (!check.valid) throw new AuthError('FORBIDDEN', 'current_password is incorrect')
  await clearLoginFailures(ctx, row.email)
}

/**
 * Changes email and/or password of the session's own user. A new password needs the
 * current one and ends every other session of the user; the current one stays. A new
 * email needs the current password too, unless the session was created within
 * REAUTH_MAX_AGE (a stolen old session cannot take the account over); it voids pending
 * reset tokens, and the old address is told.
 */
export async function updateUser (ctx: AuthContext, userId: number, session: ActingSession, changes: UserChanges, from: Requester = {}): Promise<PublicUser> {
  if (changes.email === undefined && changes.password === undefined) {
    throw invalidField('nothing to update: send email and/or password')
  }
  const row = await ctx.db.selectFrom('users').select(['id', 'email', 'password_hash']).where('id', '=', userId).executeTakeFirst()
  if (row === undefined) throw new AuthError('FORBIDDEN', 'forbidden')
  const email = changes.email === undefined ? row.email : normalizeEmail(changes.email)
  const emailChanges = email !== row.email

  if (changes.password !== undefined) {
    if (changes.currentPassword === undefined) throw invalidField('current_password is required to change the password')
    checkPasswordPolicy(ctx.config.passwordPolicy, changes.password, email)
  }
  const maxAgeSeconds = ctx.config.session.reauthMaxAgeSeconds
  if (emailChanges && changes.currentPassword === undefined && ctx.now() - session.createdAt >= maxAgeSeconds * 1000) {
    throw new AuthError('REAUTHENTICATION_REQUIRED', `changing the email needs current_password, or a sign-in within the last ${maxAgeSeconds} s`)
  }
  if (changes.currentPassword !== undefined) await confirmCurrentPassword(ctx, row, changes.currentPassword, from)
  const passwordHash = changes.password === undefined ? undefined : await ctx.hasher.hash(changes.password, from.client)
  if (emailChanges && await isEmailTaken(ctx, email)) throw new AuthError('EMAIL_TAKEN', EMAIL_TAKEN)

  const now = ctx.now()
  try {
    await ctx.db.transaction().execute(async trx => {
      const result = await trx.updateTable('users')
        .set({ email, updated_at: now, ...(passwordHash === undefined ? {} : { password_hash: passwordHash }) })
        .where('id', '=', userId)
        .executeTakeFirst()
      if (result.numUpdatedRows !== 1n) throw new AuthError('FORBIDDEN', 'forbidden')
      if (passwordHash !== undefined) {
        await trx.deleteFrom('sessions').where('user_id', '=', userId).where('id', '!=', session.id).execute()
      }
      // A token mailed to the old address must not reset the account once it has moved.
      if (passwordHash !== undefined || emailChanges) {
        await trx.deleteFrom('password_reset_tokens').where('user_id', '=', userId).execute()
      }
    })
  } catch (error) {
    if (isUniqueViolation(error)) throw new AuthError('EMAIL_TAKEN', EMAIL_TAKEN)
    throw error
  }
  if (emailChanges) {
    const notice = emailChangedNotice({ to: row.email, newEmail: email, at: now, ip: from.ip ?? null })
    ctx.background.defer('email change notice', async () => { await ctx.mailer.send(notice) })
  }
  return { id: userId, email }
}

/** Deletes the user; sessions and reset tokens go with it (ON DELETE CASCADE). */
export async function deleteUser (ctx: AuthContext, userId: number): Promise<void> {
  await ctx.db.deleteFrom('users').where('id', '=', userId).execute()
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
