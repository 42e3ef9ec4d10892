// What this service remembers beside the library's models, as rows of oidc_records (swept
// with them when they expire), keyed '<kind>:<key>':
// - RememberedGrant:<subject>:<client id>: the grant (the scopes and claims a person
//   allowed a client) an account last gave a client. The library finds a grant only through
//   its session of the browser; with this, consent is remembered across sessions (another
//   browser, or after signing out). A revoked grant (revocation, a refresh token used
//   twice) is not found, and its consent is asked again.
// - ServiceSession:<uid>: the session of this service (sessions.id) whose sign-in the
//   library's session `uid` last took. A browser keeps the library's session cookie after
//   it signs out here; signed in here again, it must not continue the ended session's
//   sign-ins (provider.ts, the `service_session` check).
// - SeenInteraction:<uid>: when this service first handled an interaction (prompt=login).
import type { Db } from '../db/index.js'
import { isUniqueViolation } from '../db/errors.js'
import { upsertRow } from '../db/upsert.js'

type Kind = 'RememberedGrant' | 'ServiceSession' | 'SeenInteraction'

function rowOf (kind: Kind, key: string, value: unknown, expiresAt: number): { id: string, model: string, payload: string, grant_id: null, uid: null, user_code: null, expires_at: number, consumed_at: null } {
  return { id: `${kind}:${key}`, model: kind, payload: JSON.stringify(value), grant_id: null, uid: null, user_code: null, expires_at: expiresAt, consumed_at: null }
}

async function put (db: Db, kind: Kind, key: string, value: unknown, expiresAt: number): Promise<void> {
  await upsertRow(db, 'oidc_records', 'id', rowOf(kind, key, value, expiresAt))
}

async function get<T> (db: Db, kind: Kind, key: string, now: number): Promise<T | undefined> {
  const row = await db.selectFrom('oidc_records').select(['payload', 'expires_at']).where('id', '=', `${kind}:${key}`).executeTakeFirst()
  if (row === undefined || (row.expires_at !== null && row.expires_at <= now)) return undefined
  return JSON.parse(row.payload) as T
}

/** Remembers `grantId` as the account's consent to the client until `expiresAt` (ms). */
export async function rememberGrant (db: Db, grant: { readonly accountId: string, readonly clientId: string, readonly grantId: string, readonly expiresAt: number }): Promise<void> {
  await put(db, 'RememberedGrant', `${grant.accountId}:${grant.clientId}`, { grantId: grant.grantId }, grant.expiresAt)
}

/** The grant the account last gave the client, unless that record expired. */
export async function rememberedGrant (db: Db, accountId: string, clientId: string, now: number): Promise<string | undefined> {
  return (await get<{ grantId: string }>(db, 'RememberedGrant', `${accountId}:${clientId}`, now))?.grantId
}

/** Binds the library's session `uid` to the session of this service `sessionId` until `expiresAt` (ms). */
export async function bindServiceSession (db: Db, uid: string, sessionId: string, expiresAt: number): Promise<void> {
  await put(db, 'ServiceSession', uid, { sessionId }, expiresAt)
}

/** The session of this service the library's session `uid` is bound to, if any. */
export async function boundServiceSession (db: Db, uid: string, now: number): Promise<string | undefined> {
  return (await get<{ sessionId: string }>(db, 'ServiceSession', uid, now))?.sessionId
}

/**
 * When this service first handled the interaction `uid` (milliseconds): the start of what
 * prompt=login asks, an authentication after it. The library's own `iat` is in whole
 * seconds, too coarse to tell a sign-in just before the request from one just after. Of
 * concurrent first calls, one row is written and every caller reads it.
 */
export async function interactionSeenAt (db: Db, uid: string, now: number, ttlSeconds: number): Promise<number> {
  try {
    await db.insertInto('oidc_records').values(rowOf('SeenInteraction', uid, { at: now }, now + ttlSeconds * 1000)).execute()
    return now
  } catch (error) {
    if (!isUniqueViolation(error)) throw error
  }
  return (await get<{ at: number }>(db, 'SeenInteraction', uid, now))?.at ?? now
}
