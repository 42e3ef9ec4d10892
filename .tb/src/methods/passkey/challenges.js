// The single-use challenges of the WebAuthn ceremonies, shared by every instance through
// the database: stored as their SHA-256, used up by an atomic DELETE (of two responses to
// one challenge, one goes on), CHALLENGE_TTL_SECONDS. A registration's belongs to its
// account; a sign-in's to nobody yet. This module owns webauthn_challenges.
import { createHash } from 'node:crypto';
import { deleteExpiredInBatches } from '../../db/sweep.js';
export const CHALLENGE_TTL_SECONDS = 300;
const idOf = (challenge) => createHash('sha256').update(challenge).digest('hex');
export async function storeChallenge(db, challenge, purpose, userId, now) {
    await db.insertInto('webauthn_challenges').values({ id: idOf(challenge), purpose, user_id: userId, expires_at: now + CHALLENGE_TTL_SECONDS * 1000 }).execute();
}
/** Uses the challenge up: true when it was live, of this purpose and (for a registration) this account's. */
export async function consumeChallenge(db, challenge, purpose, userId, now) {
    let query = db.deleteFrom('webauthn_challenges').where('id', '=', idOf(challenge)).where('purpose', '=', purpose).where('expires_at', '>', now);
    query = userId === null ? query.where('user_id', 'is', null) : query.where('user_id', '=', userId);
    return (await query.executeTakeFirst()).numDeletedRows === 1n;
}
export async function deleteExpiredChallenges(db, now) {
    return await deleteExpiredInBatches(db, 'webauthn_challenges', now);
}
