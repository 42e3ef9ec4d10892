// The outbox table: every outgoing message, written on the executor of the change that
// causes it (so a change that rolls back sends nothing, and one that commits cannot lose
// its message), then delivered by the sender (sender.ts). A message's body is sealed
// under ENCRYPTION_KEY, bound to its channel and recipient, and dropped once sent; the
// row stays as the record of what went out until the sweep removes it.
// This module owns the outbox table.
import { randomBytes } from 'node:crypto'
import type { SecretBox } from '../auth/secret-box.js'
import type { Db } from '../db/index.js'
import { deleteInBatches } from '../db/sweep.js'

/** mail: a MailMessage for the mailer; logout: a back-channel logout token to a client
 *  application (src/provider/backchannel-logout.ts). */
export type OutboxChannel = 'mail' | 'logout'
export type OutboxStatus = 'pending' | 'sent' | 'failed'

export interface NewOutboxMessage {
  readonly channel: OutboxChannel
  readonly kind: string
  readonly userId: number | null
  readonly recipient: string
  /** What the channel's deliverer gets back (JSON-serialisable). */
  readonly body: unknown
}

/** A message as the sender and the operator see it; `body` only for a claimed one. */
export interface OutboxRecord {
  readonly id: number
  readonly channel: OutboxChannel
  readonly kind: string
  readonly userId: number | null
  readonly recipient: string
  readonly status: OutboxStatus
  readonly attempts: number
  readonly createdAt: number
  readonly nextAttemptAt: number
  readonly giveUpAt: number
  readonly sentAt: number | null
  readonly lastError: string | null
}

const ERROR_LENGTH = 500

const contextOf = (channel: string, recipient: string): string => `outbox:${channel}:${recipient}`

function toRecord (row: { id: number, channel: string, kind: string, user_id: number | null, recipient: string, status: string, attempts: number, created_at: number, next_attempt_at: number, give_up_at: number, sent_at: number | null, last_error: string | null }): OutboxRecord {
  return {
    id: Number(row.id),
    channel: row.channel as OutboxChannel,
    kind: row.kind,
    userId: row.user_id === null ? null : Number(row.user_id),
    recipient: row.recipient,
    status: row.status as OutboxStatus,
    attempts: Number(row.attempts),
    createdAt: Number(row.created_at),
    nextAttemptAt: Number(row.next_attempt_at),
    giveUpAt: Number(row.give_up_at),
    sentAt: row.sent_at === null ? null : Number(row.sent_at),
    lastError: row.last_error
  }
}

const RECORD_COLUMNS = ['id', 'channel', 'kind', 'user_id', 'recipient', 'status', 'attempts', 'created_at', 'next_attempt_at', 'give_up_at', 'sent_at', 'last_error'] as const

/** Writes a message, due now, to be given up `giveUpAfterMs` from now. A plain INSERT
 *  (MySQL takes no gap lock for it). */
export async function insertOutboxMessage (db: Db, box: SecretBox, message: NewOutboxMessage, now: number, giveUpAfterMs: number): Promise<void> {
  const sealed = box.seal(JSON.stringify(message.body), contextOf(message.channel, message.recipient))
  await db.insertInto('outbox').values({
    channel: message.channel,
    kind: message.kind,
    user_id: message.userId,
    recipient: message.recipient,
    payload: sealed.box,
    key_id: sealed.keyId,
    status: 'pending',
    attempts: 0,
    created_at: now,
    next_attempt_at: now,
    give_up_at: now + giveUpAfterMs
  }).execute()
}

/** Whether any message is due (a read: the sender's idle poll writes nothing). */
export async function hasDueMessages (db: Db, now: number): Promise<boolean> {
  const row = await db.selectFrom('outbox').select('id')
    .where('status', '=', 'pending').where('next_attempt_at', '<=', now)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

/** A message whose attempt a sender took: its body, or unreadable when the key that
 *  sealed it left ENCRYPTION_KEY. */
export type ClaimedMessage = OutboxRecord & ({ readonly body: unknown } | { readonly unreadable: true })

/**
 * Takes the attempts of up to `limit` due messages, oldest first: one conditional UPDATE
 * marks them with a random claim, moves their next attempt `leaseMs` ahead and counts the
 * attempt, so of two senders each message goes to one (and a sender that dies mid-attempt
 * leaves it to be tried again once the lease is over); one SELECT, on the index of due
 * messages, reads back what this sender got, bodies opened.
 */
export async function claimDueMessages (db: Db, box: SecretBox, now: number, limit: number, leaseMs: number): Promise<ClaimedMessage[]> {
  const claim = randomBytes(12).toString('hex')
  const leasedUntil = now + leaseMs
  // The ids through a derived table: MySQL refuses LIMIT in an IN subquery, and a subquery
  // on the table it updates, but takes both from a derived table.
  await db.updateTable('outbox')
    .set(eb => ({ claim, next_attempt_at: leasedUntil, attempts: eb('attempts', '+', 1) }))
    .where('id', 'in', db.selectFrom(db.selectFrom('outbox').select('id')
      .where('status', '=', 'pending').where('next_attempt_at', '<=', now)
      .orderBy('id').limit(limit).as('due')).select('due.id'))
    .where('status', '=', 'pending').where('next_attempt_at', '<=', now)
    .execute()
  const rows = await db.selectFrom('outbox').select([...RECORD_COLUMNS, 'payload', 'key_id'])
    .where('status', '=', 'pending').where('next_attempt_at', '=', leasedUntil).where('claim', '=', claim)
    .orderBy('id')
    .execute()
  return rows.map(row => {
    const record = toRecord(row)
    const text = row.payload === null || row.key_id === null ? null : box.open({ box: row.payload, keyId: row.key_id }, contextOf(record.channel, record.recipient))
    return text === null ? { ...record, unreadable: true as const } : { ...record, body: JSON.parse(text) as unknown }
  })
}

/** The attempts succeeded: the bodies go, the records stay. */
export async function markSent (db: Db, ids: readonly number[], now: number): Promise<void> {
  if (ids.length === 0) return
  await db.updateTable('outbox')
    .set({ status: 'sent', sent_at: now, payload: null, key_id: null, last_error: null })
    .where('id', 'in', ids)
    .execute()
}

/** The attempt failed: tried again at `nextAttemptAt`. */
export async function markRetry (db: Db, id: number, nextAttemptAt: number, error: string): Promise<void> {
  await db.updateTable('outbox')
    .set({ next_attempt_at: nextAttemptAt, last_error: error.slice(0, ERROR_LENGTH) })
    .where('id', '=', id).where('status', '=', 'pending')
    .execute()
}

/** The last attempt failed: given up. The body stays, for `authsvc outbox retry`. */
export async function markFailed (db: Db, id: number, error: string): Promise<void> {
  await db.updateTable('outbox')
    .set({ status: 'failed', last_error: error.slice(0, ERROR_LENGTH) })
    .where('id', '=', id)
    .execute()
}

/** Pending messages now (the authsvc_outbox_pending gauge). */
export async function countPendingMessages (db: Db): Promise<number> {
  const row = await db.selectFrom('outbox').select(eb => eb.fn.countAll<number>().as('count')).where('status', '=', 'pending').executeTakeFirst()
  return Number(row?.count ?? 0)
}

/** What is pending or given up, oldest first (`authsvc outbox`). */
export async function listUndeliveredMessages (db: Db, limit: number): Promise<OutboxRecord[]> {
  const rows = await db.selectFrom('outbox').select(RECORD_COLUMNS)
    .where('status', 'in', ['pending', 'failed'])
    .orderBy('id').limit(limit)
    .execute()
  return rows.map(toRecord)
}

export type RetryOutcome = 'scheduled' | 'not_found' | 'already_sent'

/** Makes a given-up (or pending) message due now, with a new period before it is given
 *  up; a sent message has no body left to send (only markSent drops a body). */
export async function retryMessage (db: Db, id: number, now: number, giveUpAfterMs: number): Promise<RetryOutcome> {
  const row = await db.selectFrom('outbox').select('status').where('id', '=', id).executeTakeFirst()
  if (row === undefined) return 'not_found'
  if (row.status === 'sent') return 'already_sent'
  await db.updateTable('outbox')
    .set({ status: 'pending', next_attempt_at: now, give_up_at: now + giveUpAfterMs })
    .where('id', '=', id).where('status', '<>', 'sent')
    .execute()
  return 'scheduled'
}

/** Removes the records of messages sent before `sentBefore` and of messages given up
 *  before `failedBefore` (the expired-row sweep), in batches as the other sweeps do. Only
 *  a sent message has a sent_at. */
export async function deleteOldMessages (db: Db, sentBefore: number, failedBefore: number): Promise<void> {
  await deleteInBatches(db, { table: 'outbox', column: 'sent_at' }, sentBefore)
  await deleteInBatches(db, { table: 'outbox', column: 'give_up_at', status: 'failed' }, failedBefore)
}
