// The `amr` claim (RFC 8176) of a session's methods, for ID tokens and session JWTs.
const AMR: Readonly<Record<string, string>> = { password: 'pwd', totp: 'otp', recovery_code: 'otp', passkey: 'hwk' }

export function amrOf (methods: readonly string[]): string[] {
  return [...new Set(methods.map(method => AMR[method] ?? method))]
}
