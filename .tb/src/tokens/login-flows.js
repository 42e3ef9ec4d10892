import { deleteExpiredInBatches } from '../db/sweep.js';
import { generateToken, hashToken, isWellFormedToken } from '../auth/tokens.js';
import { formatMethods, parseMethods } from '../identity/methods.js';
/** Stores a pending sign-in; returns its token, which only the client that signs in sees. */
export async function beginLoginFlow(db, flow) {
    const token = generateToken();
    await db.insertInto('login_flows').values({
        id: hashToken(token),
        user_id: flow.userId,
        methods: formatMethods(flow.methods),
        return_to: flow.returnTo ?? null,
        attempts: 0,
        created_at: flow.now,
        expires_at: flow.now + flow.ttlSeconds * 1000
    }).execute();
    return token;
}
/**
 * Counts one attempt at the flow's next step and returns the flow, or null when the token
 * is unknown, expired, or has used up its `maxAttempts`. The count and the limit are one
 * statement: of N parallel attempts, at most maxAttempts get a flow back to judge.
 */
export async function claimLoginFlowAttempt(db, token, now, maxAttempts) {
    if (!isWellFormedToken(token))
        return null;
    const id = hashToken(token);
    const claimed = await db.updateTable('login_flows').set(eb => ({ attempts: eb('attempts', '+', 1) }))
        .where('id', '=', id).where('expires_at', '>', now).where('attempts', '<', maxAttempts)
        .executeTakeFirst();
    if (claimed.numUpdatedRows !== 1n)
        return null;
    const row = await db.selectFrom('login_flows').select(['id', 'user_id', 'methods', 'return_to']).where('id', '=', id).executeTakeFirst();
    return row === undefined ? null : { id: row.id, userId: row.user_id, methods: parseMethods(row.methods), returnTo: row.return_to };
}
/** Uses the flow up (its step succeeded): true for the one request whose DELETE removed it. */
export async function consumeLoginFlow(db, id) {
    return (await db.deleteFrom('login_flows').where('id', '=', id).executeTakeFirst()).numDeletedRows === 1n;
}
/** Ends every pending sign-in of the account (its credentials changed under it). */
export async function endLoginFlows(db, userId) {
    await db.deleteFrom('login_flows').where('user_id', '=', userId).execute();
}
export async function deleteExpiredLoginFlows(db, now) {
    return await deleteExpiredInBatches(db, 'login_flows', now);
}
