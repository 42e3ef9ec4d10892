// Recovery codes: 10 per account, each 16 characters of Crockford's base32 (80 random
// bits, written xxxx-xxxx-xxxx-xxxx), shown once, stored as their SHA-256 only (80 bits
// leave nothing to brute-force offline), used up by an atomic DELETE. This module owns
// the recovery_codes table.
import { createHash, randomBytes } from 'node:crypto';
export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const LENGTH = 16;
/** Lower case, no separators, and the letters Crockford's base32 reads as digits. */
function normalize(code) {
    return code.toLowerCase().replace(/[\s-]/g, '').replace(/[o]/g, '0').replace(/[il]/g, '1');
}
export function looksLikeRecoveryCode(code) {
    return new RegExp(`^[${ALPHABET}]{${LENGTH}}$`).test(normalize(code));
}
function hashCode(code) {
    return createHash('sha256').update(normalize(code)).digest('hex');
}
export function generateRecoveryCodes() {
    return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
        // 5 bits per character from 10 random bytes: no modulo bias.
        const bits = BigInt(`0x${randomBytes(10).toString('hex')}`);
        let code = '';
        for (let i = 0; i < LENGTH; i++)
            code += ALPHABET[Number((bits >> BigInt(5 * i)) & 31n)];
        return code.match(/.{4}/g)?.join('-') ?? code;
    });
}
/** Replaces the account's codes with `codes` (older ones void). Run in the change's transaction. */
export async function replaceRecoveryCodes(db, userId, codes, now) {
    await deleteRecoveryCodes(db, userId);
    await db.insertInto('recovery_codes').values(codes.map(code => ({ id: hashCode(code), user_id: userId, created_at: now }))).execute();
}
/** Uses the code up; true when it was one of the account's unused codes. */
export async function useRecoveryCode(db, userId, code) {
    if (!looksLikeRecoveryCode(code))
        return false;
    const deleted = await db.deleteFrom('recovery_codes').where('id', '=', hashCode(code)).where('user_id', '=', userId).executeTakeFirst();
    return deleted.numDeletedRows === 1n;
}
export async function countRecoveryCodes(db, userId) {
    const row = await db.selectFrom('recovery_codes').select(eb => eb.fn.countAll().as('count')).where('user_id', '=', userId).executeTakeFirst();
    return Number(row?.count ?? 0);
}
export async function deleteRecoveryCodes(db, userId) {
    await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
}
