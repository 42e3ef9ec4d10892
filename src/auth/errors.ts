// Rule violations of the domain. src/http/errors.ts alone turns a code into a status.
export type AuthErrorCode =
  | 'INVALID_FIELD' // a field is missing, of the wrong type or rejected by a rule
  | 'EMAIL_TAKEN'
  | 'INVALID_CREDENTIALS' // unknown email or wrong password: one code, one message
  | 'INVALID_RESET_TOKEN' // wrong, expired, used, or not this email's
  | 'FORBIDDEN' // the session may not do this
  | 'REAUTHENTICATION_REQUIRED' // needs the current password or a recent sign-in
  | 'RATE_LIMITED' // too many attempts; retryAfterSeconds says when to try again
  | 'OVERLOADED' // the password hashers' queue is full; retry shortly

export class AuthError extends Error {
  constructor (readonly code: AuthErrorCode, message: string, readonly retryAfterSeconds?: number) {
    super(message)
    this.name = 'AuthError'
  }
}

export function rateLimited (message: string, retryAfterMs: number): AuthError {
  return new AuthError('RATE_LIMITED', message, Math.max(1, Math.ceil(retryAfterMs / 1000)))
}

export function invalidField (message: string): AuthError {
  return new AuthError('INVALID_FIELD', message)
}
