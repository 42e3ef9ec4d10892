// Single-use tokens (Copenhagen Book, "Server-side tokens"): 256 bits from the CSPRNG, only
// their SHA-256 stored, an expiry, one purpose each. Issuing one voids the user's older
// tokens of the same purpose; consuming one deletes it, and only the request whose DELETE
// removed the row may go on, so of two racing requests exactly one wins. This module owns
// the one_time_tokens table. Every function takes the executor to run on: the caller's
// transaction when the token is part of a larger change.
import type { Db } from '../db/index.js'
import type { OneTimeTokenRow } from '../db/schema.js'
import { deleteExpiredInBatches } from '../db/sweep.js'
import { generateToken, hashToken, isWellFormedToken } from './tokens.js'

/** What a token is for; a token of one purpose never serves another. */
export type TokenPurpose = 'password_reset' | 'email_verification' | 'email_change' | 'mfa'

/** The links that hand an account to whoever holds them (a new password, a new address):
 *  a new password voids them, so one who noticed a takeover attempt and changed the
 *  password has stopped it. A verification link gives nothing away and stays. */
export const TAKEOVER_PURPOSES: readonly TokenPurpose[] = ['password_reset', 'email_change']

export interface OneTimeToken {
  /** The stored SHA-256 of the token. */
  readonly id: string
  readonly userId: number
  readonly data: string | null
  readonly createdAt: number
  readonly expiresAt: number
}

function toOneTimeToken (row: Pick<OneTimeTokenRow, 'id' | 'user_id' | 'data' | 'created_at' | 'expires_at'>): OneTimeToken {
  return { id: row.id, userId: row.user_id, data: row.data, createdAt: row.created_at, expiresAt: row.expires_at }
}

export interface TokenRequest {
  readonly purpose: TokenPurpose
  readonly userId: number
  readonly ttlSeconds: number
  readonly now: number
  readonly data?: string | null
  /** False for an account that cannot hold one yet (it is being created): no void step. On
   *  MySQL, concurrent sign-ups each deleting from an empty range of the user_id index and
   *  then inserting into it deadlock on the gap locks. */
  readonly voidOlder?: boolean
}

/** Stores a new token, voiding the user's older ones of the same purpose; returns the
 *  token itself, which only its recipient ever sees. */
export async function issueToken (db: Db, request: TokenRequest): Promise<string> {
  const token = generateToken()
  if (request.voidOlder !== false) await voidTokens(db, request.userId, request.purpose)
  await db.insertInto('one_time_tokens').values({
    id: hashToken(token),
    purpose: request.purpose,
    user_id: request.userId,
    data: request.data ?? null,
    created_at: request.now,
    expires_at: request.now + request.ttlSeconds * 1000
  }).execute()
  return token
}

/** The live token of this purpose, without using it up; null when it is malformed,
 *  unknown, of another purpose or expired. */
export async function findToken (db: Db, purpose: TokenPurpose, token: string, now: number): Promise<OneTimeToken | null> {
  if (!isWellFormedToken(token)) return null
  const row = await db.selectFrom('one_time_tokens')
    .select(['id', 'user_id', 'data', 'created_at', 'expires_at'])
    .where('id', '=', hashToken(token)).where('purpose', '=', purpose).where('expires_at', '>', now)
    .executeTakeFirst()
  return row === undefined ? null : toOneTimeToken(row)
}

/**
 * Uses the token up: deletes it and returns it, or null when it was not live. Of two
 * requests consuming one token at once, exactly one gets it (the DELETE decides, on every
 * database). Run it in the transaction of the change the token authorizes, so a failed
 * change leaves the token usable.
 */
export async function consumeToken (db: Db, purpose: TokenPurpose, token: string, now: number): Promise<OneTimeToken | null> {
  const found = await findToken(db, purpose, token, now)
  if (found === null) return null
  const deleted = await db.deleteFrom('one_time_tokens')
    .where('id', '=', found.id).where('purpose', '=', purpose).where('expires_at', '>', now)
    .executeTakeFirst()
  return deleted.numDeletedRows === 1n ? found : null
}

/**
 * Counts a wrong attempt against a live token (its `data` holds the count): the token is
 * deleted at the `maxFailures`th. A compare-and-set, retried, so concurrent wrong attempts
 * are each counted.
 */
export async function recordTokenFailure (db: Db, purpose: TokenPurpose, token: string, now: number, maxFailures: number): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const found = await findToken(db, purpose, token, now)
    if (found === null) return
    const failures = (Number(found.data) || 0) + 1
    if (failures >= maxFailures) {
      await db.deleteFrom('one_time_tokens').where('id', '=', found.id).execute()
      return
    }
    let update = db.updateTable('one_time_tokens').set({ data: String(failures) }).where('id', '=', found.id)
    update = found.data === null ? update.where('data', 'is', null) : update.where('data', '=', found.data)
    if ((await update.executeTakeFirst()).numUpdatedRows === 1n) return
  }
}

/** Voids the user's tokens of the given purposes (all of them when none is named). */
export async function voidTokens (db: Db, userId: number, ...purposes: TokenPurpose[]): Promise<void> {
  let query = db.deleteFrom('one_time_tokens').where('user_id', '=', userId)
  if (purposes.length > 0) query = query.where('purpose', 'in', purposes)
  await query.execute()
}

/** Removes expired tokens (the scheduled sweep). */
export async function deleteExpiredTokens (db: Db, now: number): Promise<number> {
  return await deleteExpiredInBatches(db, 'one_time_tokens', now)
}
