import { bcryptCostOf } from '../auth/password-forms.js';
/** The stored hash of the account's password, or null when it has none. */
export async function findPasswordHash(db, userId) {
    const row = await db.selectFrom('password_credentials').select('hash').where('user_id', '=', userId).executeTakeFirst();
    return row?.hash ?? null;
}
/** Whether the account can sign in with a password. */
export async function hasPassword(db, userId) {
    return await findPasswordHash(db, userId) !== null;
}
/** The first password of a new account. A plain INSERT: on MySQL, concurrent sign-ups each
 *  updating an empty range of the key first would deadlock on its gap locks. */
export async function insertPasswordHash(db, userId, hash, now) {
    await db.insertInto('password_credentials').values({ user_id: userId, hash, created_at: now, updated_at: now }).execute();
}
/** Stores the account's password hash (a new one in place of the old, or a first one). */
export async function storePasswordHash(db, userId, hash, now) {
    const updated = await db.updateTable('password_credentials').set({ hash, updated_at: now }).where('user_id', '=', userId).executeTakeFirst();
    if (updated.numUpdatedRows === 1n)
        return;
    await db.insertInto('password_credentials').values({ user_id: userId, hash, created_at: now, updated_at: now }).execute();
}
/** Replaces the hash only if it is still `expected` (a re-hash at sign-in: nobody changed the password meanwhile). */
export async function replacePasswordHash(db, userId, expected, hash, now) {
    await db.updateTable('password_credentials').set({ hash, updated_at: now })
        .where('user_id', '=', userId).where('hash', '=', expected)
        .execute();
}
// Rows per statement of the scan below. One scan of a million users took 225 ms on SQLite,
// where the driver blocks the event loop: in ranges of the primary key, requests run between.
const SCAN_BATCH = 10_000;
/**
 * The costliest legacy bcrypt hash still stored, or null when none is left: failed logins
 * are padded to its verification time (see password-hasher.ts). A scan in ranges of the
 * primary key, run at start and by the sweep, never per request.
 */
export async function findSlowestStoredHash(db) {
    const last = await db.selectFrom('password_credentials').select(eb => eb.fn.max('user_id').as('id')).executeTakeFirst();
    const lastId = Number(last?.id ?? 0);
    let slowest = null;
    for (let from = 0; from < lastId; from += SCAN_BATCH) {
        // '$2b$12$' is what the course service stored; the cost is in the first 7 characters.
        const prefixes = await db.selectFrom('password_credentials')
            .select(eb => eb.fn('substr', ['hash', eb.lit(1), eb.lit(7)]).as('prefix'))
            .where('user_id', '>', from).where('user_id', '<=', from + SCAN_BATCH)
            .where('hash', 'like', '$2%')
            .distinct()
            .execute();
        for (const { prefix } of prefixes) {
            if ((bcryptCostOf(prefix) ?? 0) > (slowest === null ? -1 : bcryptCostOf(slowest) ?? 0))
                slowest = prefix;
        }
        await new Promise(resolve => setImmediate(resolve));
    }
    if (slowest === null)
        return null;
    const row = await db.selectFrom('password_credentials').select('hash').where('hash', 'like', `${slowest}%`).limit(1).executeTakeFirst();
    return row?.hash ?? null;
}
