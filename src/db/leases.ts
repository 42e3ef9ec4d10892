// Leases in the database, for work one instance at a time (scheduled jobs): acquire(name,
// ttl) is true for the one holder whose lease is live after the call. A holder renews its
// own lease; another takes it only once it has expired. One conditional UPDATE decides,
// or, for a name never leased, one INSERT (of two racing, the primary key lets one in).
// This module owns the job_leases table.
import type { Db } from './index.js'
import { isUniqueViolation } from './errors.js'

export interface Leases {
  /** True when `holder` now holds `name` until now + ttlMs. */
  acquire: (name: string, ttlMs: number) => Promise<boolean>
  /** Gives the lease up (at shutdown), so another instance need not wait for it to expire. */
  release: (name: string) => Promise<void>
}

export function createLeases (db: Db, holder: string, now: () => number = Date.now): Leases {
  return {
    async acquire (name, ttlMs) {
      const at = now()
      const taken = await db.updateTable('job_leases').set({ holder, expires_at: at + ttlMs })
        .where('name', '=', name)
        .where(eb => eb.or([eb('holder', '=', holder), eb('expires_at', '<=', at)]))
        .executeTakeFirst()
      if (taken.numUpdatedRows === 1n) return true
      try {
        await db.insertInto('job_leases').values({ name, holder, expires_at: at + ttlMs }).execute()
        return true
      } catch (error) {
        if (isUniqueViolation(error)) return false // another holder's live lease
        throw error
      }
    },
    async release (name) {
      await db.deleteFrom('job_leases').where('name', '=', name).where('holder', '=', holder).execute()
    }
  }
}
