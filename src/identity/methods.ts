// The ways an identity is proven, as a session records them (API.md v3, "Sessions know how
// they were made"): in the order used, e.g. ['password', 'totp'] or ['passkey'].
// `oidc:<provider>` and `email_code` come with their methods.

export type SignInMethod = 'password' | 'totp' | 'recovery_code' | 'passkey' | 'email_code' | `oidc:${string}`

/** Proofs that count as the second factor of an account with TOTP on. A passkey with user
 *  verification (required here) is possession and a PIN or biometric in one. */
const STRONG_METHODS: ReadonlySet<string> = new Set(['totp', 'recovery_code', 'passkey'])

/** Whether these methods satisfy an account that has a second factor. */
export function includesSecondFactor (methods: readonly string[]): boolean {
  return methods.some(method => STRONG_METHODS.has(method))
}

/** How a row stores them: comma-separated ('' for none). */
export function formatMethods (methods: readonly string[]): string {
  return methods.join(',')
}

export function parseMethods (stored: string): readonly string[] {
  return stored === '' ? [] : stored.split(',')
}

/**
 * RFC 8176 spelling of a method (the `amr` of ID tokens and session JWTs), one spelling
 * everywhere: password → `pwd`; totp → `otp`; recovery_code → `otp` too (a single-use
 * code standing in for the authenticator's: RFC 8176 registers no value of its own for
 * look-up secrets, and a relying party that asks "was there a second factor?" reads `otp`);
 * passkey → `hwk` (a key held by an authenticator, used with user verification);
 * `email_code` and `oidc:<provider>` as they are (RFC 8176 has no value for them;
 * unregistered values are allowed).
 */
const AMR: Readonly<Record<string, string>> = { password: 'pwd', totp: 'otp', recovery_code: 'otp', passkey: 'hwk' }

/** The `amr` claim of these methods: in the order used, each value once. */
export function amrOf (methods: readonly string[]): string[] {
  return [...new Set(methods.map(method => AMR[method] ?? method))]
}
