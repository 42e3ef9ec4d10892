// Server-side sessions (Lucia's model): the client holds a random token, the database
// holds its SHA-256, a user may hold many. Idle expiry slides, absolute expiry does not.
// This module owns the sessions table.
import { hash } from 'node:crypto'
import type { Expression } from 'kysely'
import type { Actor } from '../../auth/events.js'
import type { AuthContext, PublicUser } from '../../auth/context.js'
import { formatMethods, parseMethods, type SignInMethod } from '../../identity/methods.js'
import { AuthError } from '../../auth/errors.js'
import { generateToken, hashToken, isWellFormedSessionToken } from '../../auth/tokens.js'
import { isDatabaseWriteFailure, isForeignKeyViolation } from '../../db/errors.js'
import type { Db } from '../../db/index.js'
import { deleteExpiredInBatches } from '../../db/sweep.js'

export interface ValidSession {
  readonly id: string
  /** When the session was created, by a sign-in: milliseconds since the epoch. */
  readonly createdAt: number
  /** When it was last authenticated (its sign-in, or a re-authentication since). */
  readonly authenticatedAt: number
  /** The methods of that authentication, in the order used. */
  readonly methods: readonly string[]
  readonly user: PublicUser
}

const MAX_USER_AGENT_LENGTH = 512
// last_seen_at is written at most this often per session, not on every request.
const MAX_REFRESH_INTERVAL_MS = 60_000

function ttls (ctx: AuthContext): { idleMs: number, absoluteMs: number } {
  return { idleMs: ctx.config.session.idleTtlSeconds * 1000, absoluteMs: ctx.config.session.absoluteTtlSeconds * 1000 }
}

/**
 * The public handle of a session (the audit log's, the account's session list): derived
 * from the stored id by a one-way hash, so it is neither the token nor its stored hash,
 * gives neither away, and needs no column of its own. 128 bits, base64url.
 */
export function sessionHandle (sessionId: string): string {
  return hash('sha256', `authsvc session handle:${sessionId}`, 'base64url').slice(0, 22)
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
    user_agent: null,
    methods: 'password',
    authenticated_at: now
  }).execute()
}

/**
 * Starts a session for the user, authenticated now by `methods`, and returns the token,
 * which is shown to nobody else. `db` is the executor to insert on (a sign-in's
 * transaction with its event). Only flows/login.ts calls it.
 */
export async function createSession (ctx: AuthContext, db: Db, userId: number, methods: readonly SignInMethod[], from: Actor): Promise<string> {
  const token = generateToken()
  const now = ctx.now()
  const { idleMs, absoluteMs } = ttls(ctx)
  try {
    await db.insertInto('sessions').values({
      id: hashToken(token),
      user_id: userId,
      created_at: now,
      last_seen_at: now,
      expires_at: now + Math.min(idleMs, absoluteMs),
      ip: from.ip?.slice(0, 45) ?? null,
      user_agent: from.userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null,
      methods: formatMethods(methods),
      authenticated_at: now
    }).execute()
  } catch (error) {
    // The account was deleted between the password check and this insert.
    if (isForeignKeyViolation(error)) throw new AuthError('FORBIDDEN', 'this account no longer exists')
    throw error
  }
  return token
}

/**
 * A session check only reads; its housekeeping writes (sliding the expiry, deleting an
 * expired session) are not worth failing it for when the database can read but not write
 * (a full disk): the session is valid either way. The failure is logged, rate-limited.
 */
async function unlessWritesFail (ctx: AuthContext, what: string, write: Promise<unknown>): Promise<void> {
  try {
    await write
  } catch (error) {
    if (!isDatabaseWriteFailure(error)) throw error
    ctx.outages.report(error, what)
  }
}

/** The session and its user, or null for an unknown, malformed or expired token. */
export async function validateSessionToken (ctx: AuthContext, token: string): Promise<ValidSession | null> {
  if (!isWellFormedSessionToken(token)) return null
  const id = hashToken(token)
  const row = await ctx.sessionLookup.find(id)
  if (row === undefined) return null
  const now = ctx.now()
  if (now >= row.expiresAt) {
    await unlessWritesFail(ctx, 'expired session not deleted', invalidateSession(ctx.db, id))
    return null
  }
  const { idleMs, absoluteMs } = ttls(ctx)
  if (now - row.lastSeenAt >= Math.min(MAX_REFRESH_INTERVAL_MS, idleMs / 2)) {
    await unlessWritesFail(ctx, 'session last_seen_at not written', ctx.db.updateTable('sessions')
      .set({ last_seen_at: now, expires_at: Math.min(now + idleMs, row.createdAt + absoluteMs) })
      .where('id', '=', id)
      .execute())
  }
  return { id, createdAt: row.createdAt, authenticatedAt: row.authenticatedAt ?? row.createdAt, methods: parseMethods(row.methods), user: { id: row.userId, email: row.email } }
}

/** Records a fresh authentication of the session (re-authentication): its methods and time. */
export async function markReauthenticated (db: Db, sessionId: string, methods: readonly SignInMethod[], now: number): Promise<void> {
  await db.updateTable('sessions').set({ methods: formatMethods(methods), authenticated_at: now }).where('id', '=', sessionId).execute()
}

/** Adds a method to the session's record (a TOTP set-up confirmed with a code proves it). */
export async function addSessionMethod (db: Db, session: ValidSession, method: SignInMethod): Promise<void> {
  if (session.methods.includes(method)) return
  await db.updateTable('sessions').set({ methods: formatMethods([...session.methods, method]) }).where('id', '=', session.id).execute()
}

async function invalidateSession (db: Db, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute()
}

/** Signs out: ends the session presented, and reports it. */
export async function endSession (ctx: AuthContext, session: ValidSession, from: Actor): Promise<void> {
  await ctx.events.atomically(ctx.db, async db => {
    await invalidateSession(db, session.id)
    await ctx.events.publish(db, { type: 'logout', userId: session.user.id, at: ctx.now(), actor: from })
  })
}

/** Ends every session of the user, but `exceptId` when given (the one making the change);
 *  returns how many ended. */
export async function invalidateUserSessions (db: Db, userId: number, exceptId?: string): Promise<number> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId)
  if (exceptId !== undefined) query = query.where('id', '!=', exceptId)
  return Number((await query.executeTakeFirst()).numDeletedRows)
}

/** How many unexpired sessions the user holds. */
export async function countActiveSessions (db: Db, userId: number, now: number): Promise<number> {
  const row = await db.selectFrom('sessions').select(eb => eb.fn.countAll<number | string | bigint>().as('count'))
    .where('user_id', '=', userId).where('expires_at', '>', now)
    .executeTakeFirst()
  return Number(row?.count ?? 0)
}

/** A session as its user sees it in their list: by public handle, never by token or hash. */
export interface SessionSummary {
  readonly handle: string
  readonly createdAt: number
  readonly lastSeenAt: number
  readonly expiresAt: number
  readonly ip: string | null
  readonly userAgent: string | null
  readonly methods: readonly string[]
  readonly authenticatedAt: number
  /** The session this list was asked with. */
  readonly current: boolean
}

async function liveSessionsOf (db: Db, userId: number, now: number): Promise<Array<{ id: string, created_at: number, last_seen_at: number, expires_at: number, ip: string | null, user_agent: string | null, methods: string, authenticated_at: number | null }>> {
  return await db.selectFrom('sessions').select(['id', 'created_at', 'last_seen_at', 'expires_at', 'ip', 'user_agent', 'methods', 'authenticated_at'])
    .where('user_id', '=', userId).where('expires_at', '>', now)
    .orderBy('created_at', 'desc').orderBy('id')
    .execute()
}

/** The user's unexpired sessions, newest first. */
export async function listUserSessions (ctx: AuthContext, session: ValidSession): Promise<SessionSummary[]> {
  const rows = await liveSessionsOf(ctx.db, session.user.id, ctx.now())
  return rows.map(row => ({
    handle: sessionHandle(row.id),
    createdAt: Number(row.created_at),
    lastSeenAt: Number(row.last_seen_at),
    expiresAt: Number(row.expires_at),
    ip: row.ip,
    userAgent: row.user_agent,
    methods: parseMethods(row.methods),
    authenticatedAt: Number(row.authenticated_at ?? row.created_at),
    current: row.id === session.id
  }))
}

/**
 * Ends one session of the user, named by its handle (the current one too: that is a sign
 * out). A handle that is not one of this user's live sessions is NOT_FOUND, whoever's it is.
 */
export async function revokeSession (ctx: AuthContext, session: ValidSession, handle: string, from: Actor): Promise<void> {
  const now = ctx.now()
  const target = (await liveSessionsOf(ctx.db, session.user.id, now)).find(row => sessionHandle(row.id) === handle)
  if (target === undefined) throw new AuthError('NOT_FOUND', 'no such session of this account')
  await ctx.db.transaction().execute(async trx => {
    const deleted = await trx.deleteFrom('sessions').where('id', '=', target.id).where('user_id', '=', session.user.id).executeTakeFirst()
    if (deleted.numDeletedRows !== 1n) throw new AuthError('NOT_FOUND', 'no such session of this account')
    await ctx.events.publish(trx, { type: 'session.revoked', userId: session.user.id, at: now, actor: from, details: { revoked: handle } })
  })
}

/** Ends every session of the user but the one presented; returns how many ended. */
export async function revokeOtherSessions (ctx: AuthContext, session: ValidSession, from: Actor): Promise<number> {
  return await ctx.db.transaction().execute(async trx => {
    const revoked = await invalidateUserSessions(trx, session.user.id, session.id)
    if (revoked > 0) await ctx.events.publish(trx, { type: 'session.revoked', userId: session.user.id, at: ctx.now(), actor: from, details: { sessions_ended: revoked } })
    return revoked
  })
}

/**
 * The session `sessionId` names while it lasts, as a subquery for the owner of a table that
 * refers to sessions (provider/session-clients.ts: NOT EXISTS of it means that session ended,
 * whichever way it did).
 */
export function liveSessionById (db: Db, sessionId: Expression<string>, now: number) {
  return db.selectFrom('sessions').select('sessions.id').where('sessions.id', '=', sessionId).where('sessions.expires_at', '>', now)
}

/** Removes expired sessions (the scheduled sweep); returns how many went. */
export async function deleteExpiredSessions (db: Db, now: number): Promise<number> {
  return await deleteExpiredInBatches(db, 'sessions', now)
}
