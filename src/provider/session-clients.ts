// Which client applications each session of this service signed in to, and the `sid` each
// was given in its ID token: who gets a back-channel logout token when that session ends
// (backchannel-logout.ts). A row is written as the provider issues an authorization code
// to a browser carrying our session cookie, and removed in the transaction that queues its
// logout token: removing it is the claim, so of two removers only one queues a token.
// This module owns oidc_session_clients.
import type { Db } from '../db/index.js'
import { upsertRow } from '../db/upsert.js'
import { liveSessionById } from '../features/sessions/sessions.js'

export interface SessionClient {
  /** sessions.id: the SHA-256 of the session's token. */
  readonly sessionId: string
  readonly clientId: string
  readonly userId: number
  /** The `sid` of the client's ID token (and of its logout token). */
  readonly sid: string
  readonly createdAt: number
}

const COLUMNS = ['session_id', 'client_id', 'user_id', 'sid', 'created_at'] as const

function toSessionClient (row: { session_id: string, client_id: string, user_id: number, sid: string, created_at: number }): SessionClient {
  return { sessionId: row.session_id, clientId: row.client_id, userId: Number(row.user_id), sid: row.sid, createdAt: Number(row.created_at) }
}

/** Records that the session signed in to the client with this `sid` (the latest sid wins:
 *  a client signed in again within one session is told of the sid it holds now). */
export async function recordSessionClient (db: Db, entry: SessionClient): Promise<void> {
  await upsertRow(db, 'oidc_session_clients', ['session_id', 'client_id'], {
    session_id: entry.sessionId,
    client_id: entry.clientId,
    user_id: entry.userId,
    sid: entry.sid,
    created_at: entry.createdAt
  })
}

/**
 * The rows whose session has ended (signed out, revoked, expired, swept, its account
 * disabled or deleted: the session row is gone or past its expiry), oldest session first;
 * only the user's when `userId` is given. One NOT EXISTS probe of the sessions' primary
 * key per row.
 */
export async function findEndedSessionClients (db: Db, now: number, options: { userId?: number, limit: number }): Promise<SessionClient[]> {
  let query = db.selectFrom('oidc_session_clients').select(COLUMNS)
    .where(eb => eb.not(eb.exists(liveSessionById(db, eb.ref('oidc_session_clients.session_id'), now))))
  if (options.userId !== undefined) query = query.where('user_id', '=', options.userId)
  // One order for every remover (the job, a change's transaction): on MySQL two of them
  // then wait on each other's rows rather than deadlock.
  const rows = await query.orderBy('session_id').orderBy('client_id').limit(options.limit).execute()
  return rows.map(toSessionClient)
}

/** Every row of the user, ended or not (an account about to be deleted; the library's
 *  RP-initiated logout, which names a client's sid). */
export async function listSessionClientsOfUser (db: Db, userId: number): Promise<SessionClient[]> {
  const rows = await db.selectFrom('oidc_session_clients').select(COLUMNS)
    .where('user_id', '=', userId)
    .orderBy('session_id').orderBy('client_id')
    .execute()
  return rows.map(toSessionClient)
}

/** Removes the row as it was read; true when this caller removed it (the claim of its
 *  logout token: a row removed by another, or signed in again with a new sid, is not this
 *  caller's to tell). */
export async function takeSessionClient (db: Db, entry: SessionClient): Promise<boolean> {
  const result = await db.deleteFrom('oidc_session_clients')
    .where('session_id', '=', entry.sessionId).where('client_id', '=', entry.clientId).where('sid', '=', entry.sid)
    .executeTakeFirst()
  return result.numDeletedRows === 1n
}
