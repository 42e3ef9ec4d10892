// Opaque bearer tokens: 256 bits from the CSPRNG, base64url; only SHA-256 is stored.
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
const TOKEN_BYTES = 32;
/** base64url of 32 bytes, no padding. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
export function generateToken() {
    return randomBytes(TOKEN_BYTES).toString('base64url');
}
/** Cheap shape check, so garbage never reaches the database. */
export function isWellFormedToken(token) {
    return TOKEN_PATTERN.test(token);
}
// The course service's session ids: str(uuid.uuid4()). Imported live sessions keep them.
const LEGACY_SESSION_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A session token of ours, or one the course service issued (see import-legacy). */
export function isWellFormedSessionToken(token) {
    return TOKEN_PATTERN.test(token) || LEGACY_SESSION_PATTERN.test(token);
}
/** SHA-256, hex. The one-shot crypto.hash() is five times cheaper than createHash() here,
 *  and this runs on every authenticated request. */
export function hashToken(token) {
    return hash('sha256', token, 'hex');
}
/** A short digest of an email for counter keys: Redis then holds no addresses. */
export function counterKeyOf(email) {
    return hashToken(email).slice(0, 32);
}
export function constantTimeEqual(a, b) {
    const left = Buffer.from(a);
    const right = Buffer.from(b);
    return left.length === right.length && timingSafeEqual(left, right);
}
