import { deleteExpiredInBatches } from '../db/sweep.js';
import { generateToken, hashToken, isWellFormedToken } from './tokens.js';
/** The links that hand an account to whoever holds them (a new password, a new address):
 *  a new password voids them, so one who noticed a takeover attempt and changed the
 *  password has stopped it. A verification link gives nothing away and stays. */
export const TAKEOVER_PURPOSES = ['password_reset', 'email_change'];
function toOneTimeToken(row) {
    return { id: row.id, userId: row.user_id, data: row.data, createdAt: row.created_at, expiresAt: row.expires_at };
}
/** Stores a new token, voiding the user's older ones of the same purpose; returns the
 *  token itself, which only its recipient ever sees. */
export async function issueToken(db, request) {
    const token = generateToken();
    if (request.voidOlder !== false)
        await voidTokens(db, request.userId, request.purpose);
    await db.insertInto('one_time_tokens').values({
        id: hashToken(token),
        purpose: request.purpose,
        user_id: request.userId,
        data: request.data ?? null,
        created_at: request.now,
        expires_at: request.now + request.ttlSeconds * 1000
    }).execute();
    return token;
}
/** The live token of this purpose, without using it up; null when it is malformed,
 *  unknown, of another purpose or expired. */
export async function findToken(db, purpose, token, now) {
    if (!isWellFormedToken(token))
        return null;
    const row = await db.selectFrom('one_time_tokens')
        .select(['id', 'user_id', 'data', 'created_at', 'expires_at'])
        .where('id', '=', hashToken(token)).where('purpose', '=', purpose).where('expires_at', '>', now)
        .executeTakeFirst();
    return row === undefined ? null : toOneTimeToken(row);
}
/**
 * Uses the token up: deletes it and returns it, or null when it was not live. Of two
 * requests consuming one token at once, exactly one gets it (the DELETE decides, on every
 * database). Run it in the transaction of the change the token authorizes, so a failed
 * change leaves the token usable.
 */
export async function consumeToken(db, purpose, token, now) {
    const found = await findToken(db, purpose, token, now);
    if (found === null)
        return null;
    const deleted = await db.deleteFrom('one_time_tokens')
        .where('id', '=', found.id).where('purpose', '=', purpose).where('expires_at', '>', now)
        .executeTakeFirst();
    return deleted.numDeletedRows === 1n ? found : null;
}
/**
 * Counts a wrong attempt against a live token (its `data` holds the count): the token is
 * deleted at the `maxFailures`th. A compare-and-set, retried, so concurrent wrong attempts
 * are each counted.
 */
export async function recordTokenFailure(db, purpose, token, now, maxFailures) {
    for (let attempt = 0; attempt < 10; attempt++) {
        const found = await findToken(db, purpose, token, now);
        if (found === null)
            return;
        const failures = (Number(found.data) || 0) + 1;
        if (failures >= maxFailures) {
            await db.deleteFrom('one_time_tokens').where('id', '=', found.id).execute();
            return;
        }
        let update = db.updateTable('one_time_tokens').set({ data: String(failures) }).where('id', '=', found.id);
        update = found.data === null ? update.where('data', 'is', null) : update.where('data', '=', found.data);
        if ((await update.executeTakeFirst()).numUpdatedRows === 1n)
            return;
    }
}
/** Voids the user's tokens of the given purposes (all of them when none is named). */
export async function voidTokens(db, userId, ...purposes) {
    let query = db.deleteFrom('one_time_tokens').where('user_id', '=', userId);
    if (purposes.length > 0)
        query = query.where('purpose', 'in', purposes);
    await query.execute();
}
/** Removes expired tokens (the scheduled sweep). */
export async function deleteExpiredTokens(db, now) {
    return await deleteExpiredInBatches(db, 'one_time_tokens', now);
}
