// What the event loop needs to know of a password or a stored hash, without loading the
// native hashing modules (those run in the hashing threads only).
const BCRYPT_PREFIX = /^\$2[aby]\$(\d\d)\$/;
/** The cost of a bcrypt hash (the course service's: 12), or null for any other hash. */
export function bcryptCostOf(stored) {
    const match = BCRYPT_PREFIX.exec(stored);
    return match === null ? null : Number(match[1]);
}
/**
 * NFKC (NIST SP 800-63B): "é" typed precomposed or combined, and fullwidth "ｐａｓｓ", are
 * the same password as their normal forms, for the policy and for the hash alike.
 */
export function normalizePassword(password) {
    return password.normalize('NFKC');
}
