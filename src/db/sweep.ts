// Removes a table's old rows in batches. One DELETE of every expired row took 4 s for
// 500,000 sessions on SQLite, where the driver is synchronous: the event loop, and every
// session check with it, would stand still that long. In batches, requests run between.
import type { Kysely } from 'kysely'
import type { Db } from './index.js'

const SWEEP_BATCH = 1000

type Sweepable =
  | { table: 'sessions' | 'one_time_tokens' | 'webauthn_challenges' | 'login_flows' | 'oidc_records' | 'upstream_flows', column: 'expires_at', status?: undefined }
  | { table: 'audit_events', column: 'created_at', status?: undefined }
  /** The outbox's records: sent ones by sent_at, given-up ones by give_up_at. */
  | { table: 'outbox', column: 'sent_at', status?: undefined }
  | { table: 'outbox', column: 'give_up_at', status: 'failed' }

/** Deletes the rows whose `column` is at or before `cutoff` (and whose status is
 *  `status`, when given); returns how many went. */
export async function deleteInBatches (typed: Db, { table, column, status }: Sweepable, cutoff: number): Promise<number> {
  // The tables share the shape this needs (an id, a time column); Kysely's types cannot
  // follow a table chosen at run time.
  const db = typed as unknown as Kysely<any>
  let deleted = 0
  for (;;) {
    // Ids first, then those rows: DELETE … LIMIT and LIMIT in an IN subquery are not
    // portable (MySQL refuses the one, SQLite builds usually lack the other).
    let select = db.selectFrom(table).select('id').where(column, '<=', cutoff)
    if (status !== undefined) select = select.where('status', '=', status)
    const ids = (await select.limit(SWEEP_BATCH).execute()).map(row => row.id as string | number)
    if (ids.length === 0) return deleted
    // The time again (a session refreshed since the SELECT stays), and the status.
    let remove = db.deleteFrom(table).where('id', 'in', ids).where(column, '<=', cutoff)
    if (status !== undefined) remove = remove.where('status', '=', status)
    const result = await remove.executeTakeFirst()
    deleted += Number(result.numDeletedRows)
    if (ids.length < SWEEP_BATCH) return deleted
    await new Promise(resolve => setImmediate(resolve))
  }
}

/** Deletes the rows whose expires_at has passed; returns how many went. */
export async function deleteExpiredInBatches (db: Db, table: 'sessions' | 'one_time_tokens' | 'webauthn_challenges' | 'login_flows' | 'oidc_records' | 'upstream_flows', now: number): Promise<number> {
  return await deleteInBatches(db, { table, column: 'expires_at' }, now)
}
