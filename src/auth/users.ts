import { isUniqueViolation } from '../db/errors.js'
import { type AuthContext, type PublicUser, toPublicUser } from './context.js'
import { normalizeEmail } from './emails.js'
import { AuthError, invalidField } from './errors.js'
import { checkLoginThrottle, clearLoginFailures, recordLoginFailure } from './login-throttle.js'
import { checkPasswordPolicy } from './password-policy.js'

const EMAIL_TAKEN = 'email already registered'
const INVALID_CREDENTIALS = 'invalid email or password'

async function isEmailTaken (ctx: AuthContext, email: string): Promise<boolean> {
  const row = await ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()
  return row !== undefined
}

/** Creates the account; returns the email as stored (normalized). */
export async function registerUser (ctx: AuthContext, input: { email: string, password: string }): Promise<string> {
  const email = normalizeEmail(input.email)
  checkPasswordPolicy(ctx.config.passwordPolicy, input.password, email)
  // Checked before hashing to spare the hash; the unique index decides the races.
  if (await isEmailTaken(ctx, email)) throw new AuthError('EMAIL_TAKEN', EMAIL_TAKEN)
  const passwordHash = await ctx.hasher.hash(input.password)
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
export async function verifyCredentials (ctx: AuthContext, input: { email: string, password: string }): Promise<PublicUser> {
  const email = normalizeEmail(input.email)
  await checkLoginThrottle(ctx, email)
  const row = await ctx.db.selectFrom('users').select(['id', 'email', 'password_hash']).where('email', '=', email).executeTakeFirst()
  if (row === undefined) {
    await ctx.hasher.verifyDummy(input.password)
    await recordLoginFailure(ctx, email)
    throw new AuthError('INVALID_CREDENTIALS', INVALID_CREDENTIALS)
  }
  const check = await ctx.hasher.verify(row.password_hash, input.password)
  if (!check.valid) {
    await recordLoginFailure(ctx, email)
    throw new AuthError('INVALID_CREDENTIALS', INVALID_CREDENTIALS)
  }
  await clearLoginFailures(ctx, email)
  if (check.needsRehash) {
    const passwordHash = await ctx.hasher.hash(input.password)
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

/**
 * Changes email and/or password of the session's own user. A new password needs the
 * current one and ends every other session of the user; the current one stays.
 */
export async function updateUser (ctx: AuthContext, userId: number, currentSessionId: string, changes: UserChanges): Promise<PublicUser> {
  if (changes.email === undefined && changes.password === undefined) {
    throw invalidField('nothing to update: send email and/or password')
  }
  const row = await ctx.db.selectFrom('users').select(['id', 'email', 'password_hash']).where('id', '=', userId).executeTakeFirst()
  if (row === undefined) throw new AuthError('FORBIDDEN', 'forbidden')
  const email = changes.email === undefined ? row.email : normalizeEmail(changes.email)

  let passwordHash: string | undefined
  if (changes.password !== undefined) {
    if (changes.currentPassword === undefined) throw invalidField('current_password is required to change the password')
    checkPasswordPolicy(ctx.config.passwordPolicy, changes.password, email)
    const check = await ctx.hasher.verify(row.password_hash, changes.currentPassword)
    if (!check.valid) throw new AuthError('FORBIDDEN', 'current_password is incorrect')
    passwordHash = await ctx.hasher.hash(changes.password)
  }
  if (email !== row.email && await isEmailTaken(ctx, email)) throw new AuthError('EMAIL_TAKEN', EMAIL_TAKEN)

  try {
    await ctx.db.transaction().execute(async trx => {
      const result = await trx.updateTable('users')
        .set({ email, updated_at: ctx.now(), ...(passwordHash === undefined ? {} : { password_hash: passwordHash }) })
        .where('id', '=', userId)
        .executeTakeFirst()
      if (result.numUpdatedRows !== 1n) throw new AuthError('FORBIDDEN', 'forbidden')
      if (passwordHash !== undefined) {
        await trx.deleteFrom('sessions').where('user_id', '=', userId).where('id', '!=', currentSessionId).execute()
        await trx.deleteFrom('password_reset_tokens').where('user_id', '=', userId).execute()
      }
    })
  } catch (error) {
    if (isUniqueViolation(error)) throw new AuthError('EMAIL_TAKEN', EMAIL_TAKEN)
    throw error
  }
  return { id: userId, email }
}

/** Deletes the user; sessions and reset tokens go with it (ON DELETE CASCADE). */
export async function deleteUser (ctx: AuthContext, userId: number): Promise<void> {
  await ctx.db.deleteFrom('users').where('id', '=', userId).execute()
}
