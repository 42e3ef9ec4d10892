// The ways an identity is proven, as a session records them (API.md v3, "Sessions know how
// they were made"): in the order used, e.g. ['password', 'totp'] or ['passkey'].
// `oidc:<provider>` and `email_code` come with their methods.
/** Proofs that count as the second factor of an account with TOTP on. A passkey with user
 *  verification (required here) is possession and a PIN or biometric in one. */
const STRONG_METHODS = new Set(['totp', 'recovery_code', 'passkey']);
/** Whether these methods satisfy an account that has a second factor. */
export function includesSecondFactor(methods) {
    return methods.some(method => STRONG_METHODS.has(method));
}
/** How a row stores them: comma-separated ('' for none). */
export function formatMethods(methods) {
    return methods.join(',');
}
export function parseMethods(stored) {
    return stored === '' ? [] : stored.split(',');
}
