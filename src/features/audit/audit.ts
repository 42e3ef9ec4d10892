// The security audit log: every security event becomes a row of audit_events, written by
// the event seam's subscriber on the executor of the change's transaction. Users read
// their own, newest first, a page at a time; rows older than AUDIT_RETENTION_DAYS go in
// batches. This module owns the audit_events table.
import type { AuthContext } from '../../auth/context.js'
import { invalidField } from '../../auth/errors.js'
import type { SecurityEvent, SecurityEventSubscriber, SecurityEventType } from '../../auth/events.js'
import type { Db } from '../../db/index.js'
import type { AuditEventTable } from '../../db/schema.js'
import { deleteInBatches } from '../../db/sweep.js'

const FAILURES: ReadonlySet<SecurityEventType> = new Set(['login.failed', 'login.throttled', 'mail.given_up', 'oidc.refresh_reused', 'oidc.logout_given_up'])
const MAX_USER_AGENT_LENGTH = 512

export interface AuditEvent {
  /** Opaque to clients; also the paging cursor. */
  readonly id: string
  readonly type: string
  /** Milliseconds since the epoch. */
  readonly createdAt: number
  readonly ip: string | null
  readonly userAgent: string | null
}

/** The event's details, and for an operator's command who ran it, as a small JSON object. */
function detailsOf ({ details, actor }: SecurityEvent): string | null {
  const all = { ...details, ...(actor.operator === undefined ? {} : { via: 'cli', operator: actor.operator.slice(0, 64) }) }
  return Object.keys(all).length === 0 ? null : JSON.stringify(all)
}

/** The subscriber that writes each event into audit_events, in the change's transaction. */
export const recordAuditEvent: SecurityEventSubscriber = async (db: Db, event: SecurityEvent) => {
  const row: Omit<AuditEventTable, 'id'> = {
    created_at: event.at,
    type: event.type,
    outcome: FAILURES.has(event.type) ? 'failure' : 'success',
    user_id: event.userId,
    session_handle: event.actor.session ?? null,
    ip: event.actor.ip?.slice(0, 45) ?? null,
    user_agent: event.actor.userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null,
    details: detailsOf(event)
  }
  await db.insertInto('audit_events').values(row).execute()
}

export const PAGE_DEFAULT = 50
export const PAGE_MAX = 100

/** The paging input as HTTP gives it: strings or nothing. */
export interface PageRequest {
  readonly limit?: string
  readonly before?: string
}

function parsePage ({ limit, before }: PageRequest): { limit: number, before: number | null } {
  const size = limit === undefined ? PAGE_DEFAULT : /^[0-9]{1,3}$/.test(limit) ? Number(limit) : NaN
  if (!(size >= 1 && size <= PAGE_MAX)) throw invalidField(`limit must be a whole number from 1 to ${PAGE_MAX}`)
  if (before !== undefined && !/^[1-9][0-9]{0,15}$/.test(before)) throw invalidField('before must be a cursor from an earlier page (its "next")')
  return { limit: size, before: before === undefined ? null : Number(before) }
}

/** The account's events, newest first, a page at a time; `next` is the cursor of the next page, or null. */
export async function listAccountEvents (ctx: Pick<AuthContext, 'db'>, userId: number, page: PageRequest): Promise<{ events: AuditEvent[], next: string | null }> {
  const { limit, before } = parsePage(page)
  let query = ctx.db.selectFrom('audit_events')
    .select(['id', 'type', 'created_at', 'ip', 'user_agent'])
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .limit(limit + 1)
  if (before !== null) query = query.where('id', '<', before)
  const rows = await query.execute()
  const events = rows.slice(0, limit).map(row => ({ id: String(row.id), type: row.type, createdAt: Number(row.created_at), ip: row.ip, userAgent: row.user_agent }))
  return { events, next: rows.length > limit ? events[events.length - 1]?.id ?? null : null }
}

/** An event as an operator sees it (`authsvc events`): every column. */
export interface AuditRecord extends AuditEvent {
  readonly outcome: string
  readonly userId: number | null
  /** The public handle of the session it happened through, or null. */
  readonly session: string | null
  readonly details: Readonly<Record<string, unknown>> | null
}

export interface AuditQuery {
  readonly userId?: number
  readonly type?: string
  /** Milliseconds since the epoch: events at or after it. */
  readonly since?: number
  readonly limit: number
}

/** Events of every account, or of one, newest first (the operator's view). */
export async function findAuditEvents (db: Db, query: AuditQuery): Promise<AuditRecord[]> {
  let select = db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(query.limit)
  if (query.userId !== undefined) select = select.where('user_id', '=', query.userId)
  if (query.type !== undefined) select = select.where('type', '=', query.type)
  if (query.since !== undefined) select = select.where('created_at', '>=', query.since)
  const rows = await select.execute()
  return rows.map(row => ({
    id: String(row.id),
    type: row.type,
    createdAt: Number(row.created_at),
    outcome: row.outcome,
    userId: row.user_id === null ? null : Number(row.user_id),
    session: row.session_handle,
    ip: row.ip,
    userAgent: row.user_agent,
    details: row.details === null ? null : JSON.parse(row.details) as Record<string, unknown>
  }))
}

/** Removes events older than the retention, in batches (the scheduled sweep). */
export async function purgeAuditEvents (db: Db, olderThan: number): Promise<number> {
  return await deleteInBatches(db, { table: 'audit_events', column: 'created_at' }, olderThan)
}
