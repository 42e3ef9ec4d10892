// Identities at other providers: a credential of its own kind (API.md v3, "Sign in with
// another identity provider"), keyed by (issuer, subject) — never by email, which a
// provider may let anyone claim, and which changes. The email kept beside it is only what
// the provider last said, shown on the account page. This module owns `identities`.
import { randomBytes } from 'node:crypto'
import type { Db } from '../../db/index.js'
import type { IdentityTable } from '../../db/schema.js'

export interface Identity {
  readonly id: string
  readonly userId: number
  readonly provider: string
  readonly issuer: string
  readonly subject: string
  readonly email: string | null
  readonly emailVerified: boolean
  readonly createdAt: number
  readonly lastUsedAt: number | null
}

const COLUMNS = ['id', 'user_id', 'provider', 'issuer', 'subject', 'email', 'email_verified', 'created_at', 'last_used_at'] as const

function toIdentity (row: Pick<IdentityTable, typeof COLUMNS[number]>): Identity {
  return {
    id: row.id,
    userId: Number(row.user_id),
    provider: row.provider,
    issuer: row.issuer,
    subject: row.subject,
    email: row.email,
    emailVerified: Number(row.email_verified) === 1,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at)
  }
}

export async function findIdentity (db: Db, issuer: string, subject: string): Promise<Identity | undefined> {
  const row = await db.selectFrom('identities').select(COLUMNS).where('issuer', '=', issuer).where('subject', '=', subject).executeTakeFirst()
  return row === undefined ? undefined : toIdentity(row)
}

export async function listIdentities (db: Db, userId: number): Promise<Identity[]> {
  const rows = await db.selectFrom('identities').select(COLUMNS).where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute()
  return rows.map(toIdentity)
}

export async function countIdentities (db: Db, userId: number): Promise<number> {
  const row = await db.selectFrom('identities').select(eb => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).executeTakeFirst()
  return Number(row?.n ?? 0)
}

/** Stores a new identity of the account; a unique violation means (issuer, subject) is
 *  already linked (to this account or another): the caller decides. */
export async function insertIdentity (db: Db, identity: { userId: number, provider: string, issuer: string, subject: string, email: string | null, emailVerified: boolean, tokens: string | null, now: number }): Promise<Identity> {
  const row = {
    id: randomBytes(16).toString('base64url'),
    user_id: identity.userId,
    provider: identity.provider,
    issuer: identity.issuer,
    subject: identity.subject,
    email: identity.email,
    email_verified: identity.emailVerified ? 1 : 0,
    tokens: identity.tokens,
    created_at: identity.now,
    last_used_at: identity.now
  }
  await db.insertInto('identities').values(row).execute()
  return toIdentity(row)
}

/** A sign-in through the identity: what the provider says now, and when. The link itself
 *  (issuer, subject → account) never moves. */
export async function touchIdentity (db: Db, id: string, update: { email: string | null, emailVerified: boolean, tokens: string | null, now: number }): Promise<void> {
  await db.updateTable('identities')
    .set({ email: update.email, email_verified: update.emailVerified ? 1 : 0, tokens: update.tokens, last_used_at: update.now })
    .where('id', '=', id)
    .execute()
}

/** Removes the account's identity `id`; false when it has none by that id. */
export async function deleteIdentity (db: Db, userId: number, id: string): Promise<boolean> {
  const result = await db.deleteFrom('identities').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst()
  return result.numDeletedRows === 1n
}

/** Every identity of the account goes (a reset of an unverified address: what a
 *  pre-hijacker linked must not survive the owner's proof). */
export async function deleteIdentitiesOf (db: Db, userId: number): Promise<number> {
  const result = await db.deleteFrom('identities').where('user_id', '=', userId).executeTakeFirst()
  return Number(result.numDeletedRows)
}
