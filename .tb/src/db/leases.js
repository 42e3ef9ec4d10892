import { isUniqueViolation } from './errors.js';
export function createLeases(db, holder, now = Date.now) {
    return {
        async acquire(name, ttlMs) {
            const at = now();
            const taken = await db.updateTable('job_leases').set({ holder, expires_at: at + ttlMs })
                .where('name', '=', name)
                .where(eb => eb.or([eb('holder', '=', holder), eb('expires_at', '<=', at)]))
                .executeTakeFirst();
            if (taken.numUpdatedRows === 1n)
                return true;
            try {
                await db.insertInto('job_leases').values({ name, holder, expires_at: at + ttlMs }).execute();
                return true;
            }
            catch (error) {
                if (isUniqueViolation(error))
                    return false; // another holder's live lease
                throw error;
            }
        },
        async release(name) {
            await db.deleteFrom('job_leases').where('name', '=', name).where('holder', '=', holder).execute();
        }
    };
}
/** The row readiness rewrites; no job is named so. */
const WRITE_PROBE = 'health:write-probe';
/**
 * Readiness: resolves once the database has taken a write, so that a database that reads
 * but cannot write (a full disk, a read-only server or file) is not ready. One row of
 * this table, shared by the instances, is rewritten with the time, which changes at every
 * probe: an UPDATE that changes nothing would write nothing to SQLite's file. Bounded by
 * DATABASE_QUERY_TIMEOUT like every statement; rejects with the database's error.
 */
export async function probeWrite(db, now = Date.now()) {
    // A lease of one holder that every instance shares, taken for no time: acquire() always
    // rewrites it (expires_at = now). Its answer does not matter: false only when another
    // instance inserted the row first (or, on MySQL, the time had not changed): written.
    await createLeases(db, 'readiness', () => now).acquire(WRITE_PROBE, 0);
}
