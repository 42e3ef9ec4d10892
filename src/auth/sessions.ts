// Server-side sessions (Lucia's model): the client holds a random token, the database
// holds its SHA-256, a user may hold many. Idle expiry slides, absolute expiry does not.
import { isForeignKeyViolation } from '../db/errors.js'
import type { Db } from '../db/index.js'
import type { AuthContext, PublicUser } from './context.js'
import { AuthError } from './errors.js'
import { generateToken, hashToken, isWellFormedSessionToken } from './tokens.js'

export interface SessionMeta {
  readonly ip: string | null
  readonly userAgent: string | null
}

export interface ValidSession {
  readonly id: string
  /** When the session was created, by a sign-in: milliseconds since the epoch. */
  readonly createdAt: number
  readonly user: PublicUser
}

const MAX_USER_AGENT_LENGTH = 512
// last_seen_at is written at most this often per session, not on every request.
const MAX_REFRESH_INTERVAL_MS = 60_000

function ttls (ctx: AuthContext): { idleMs: number, absoluteMs: number } {
  return { idleMs: ctx.config.session.idleTtlSeconds * 1000, absoluteMs: ctx.config.session.absoluteTtlSeconds * 1000 }
}

/** A session with the usual expiry from `now`, for a token issued elsewhere (the course
 *  service's, kept by import-legacy); only its SHA-256 is stored. */
export async function adoptSession (db: Db, userId: number, token: string, now: number, ttl: { idleTtlSeconds: number, absoluteTtlSeconds: number }): Promise<void> {
  await db.insertInto('sessions').values({
    id: hashToken(token),
    user_id: userId,
    created_at: now,
    last_seen_at: now,
    expires_at: now + Math.min(ttl.idleTtlSeconds, ttl.absoluteTtlSeconds) * 1000,
    ip: null,
    user_agent: null
  }).execute()
}

/** Starts a session for the user and returns the token, which is shown to nobody else. */
export async function createSession (ctx: AuthContext, userId: number, meta: SessionMeta): Promise<string> {
  const token = generateToken()
  const now = ctx.now()
  const { idleMs, absoluteMs } = ttls(ctx)
  try {
    await ctx.db.insertInto('sessions').values({
      id: hashToken(token),
      user_id: userId,
      created_at: now,
      last_seen_at: now,
      expires_at: now + Math.min(idleMs, absoluteMs),
      ip: meta.ip?.slice(0, 45) ?? null,
      user_agent: meta.userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null
    }).execute()
  } catch (error) {
    // The account was deleted between the password check and this insert.
    if (isForeignKeyViolation(error)) throw new AuthError('FORBIDDEN', 'this account no longer exists')
    throw error
  }
  return token
}

/** The session and its user, or null for an unknown, malformed or expired token. */
export async function validateSessionToken (ctx: AuthContext, token: string): Promise<ValidSession | null> {
  if (!isWellFormedSessionToken(token)) return null
  const id = hashToken(token)
  const row = await ctx.sessionLookup.find(id)
  if (row === undefined) return null
  const now = ctx.now()
  if (now >= row.expires_at) {
    await invalidateSession(ctx, id)
    return null
  }
  const { idleMs, absoluteMs } = ttls(ctx)
  if (now - row.last_seen_at >= Math.min(MAX_REFRESH_INTERVAL_MS, idleMs / 2)) {
    await ctx.db.updateTable('sessions')
      .set({ last_seen_at: now, expires_at: Math.min(now + idleMs, row.created_at + absoluteMs) })
      .where('id', '=', id)
      .execute()
  }
  return { id, createdAt: row.created_at, user: { id: row.user_id, email: row.email } }
}

export async function invalidateSession (ctx: AuthContext, sessionId: string): Promise<void> {
  await ctx.db.deleteFrom('sessions').where('id', '=', sessionId).execute()
}

// Rows deleted per statement by the sweep. One DELETE of every expired row took 4 s for
// 500,000 sessions on SQLite, where the driver is synchronous: the event loop, and every
// session check with it, would stand still that long. In batches, requests run between.
const SWEEP_BATCH = 1000

/** Removes expired sessions and reset tokens, in batches; returns how many rows went. */
export async function deleteExpiredRows (db: Db, now: number): Promise<number> {
  return await deleteExpired(db, 'sessions', now) + await deleteExpired(db, 'password_reset_tokens', now)
}

async function deleteExpired (db: Db, table: 'sessions' | 'password_reset_tokens', now: number): Promise<number> {
  let deleted = 0
  for (;;) {
    // Ids first, then those rows: DELETE … LIMIT and LIMIT in an IN subquery are not
    // portable (MySQL refuses the one, SQLite builds usually lack the other).
    const ids = (await db.selectFrom(table).select('id').where('expires_at', '<=', now).limit(SWEEP_BATCH).execute()).map(row => row.id)
    if (ids.length === 0) return deleted
    // expires_at again: a session refreshed since the SELECT stays.
    const result = await db.deleteFrom(table).where('id', 'in', ids).where('expires_at', '<=', now).executeTakeFirst()
    deleted += Number(result.numDeletedRows)
    if (ids.length < SWEEP_BATCH) return deleted
    await new Promise(resolve => setImmediate(resolve))
  }
}
