// Removes a table's expired rows in batches. One DELETE of every expired row took 4 s for
// 500,000 sessions on SQLite, where the driver is synchronous: the event loop, and every
// session check with it, would stand still that long. In batches, requests run between.
import type { Db } from './index.js'

const SWEEP_BATCH = 1000

/** Deletes the rows whose expires_at has passed; returns how many went. */
export async function deleteExpiredInBatches (db: Db, table: 'sessions' | 'one_time_tokens', now: number): Promise<number> {
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
