// Rule violations of the domain. Each name's status, public code and default message are
// in the one table of src/error-codes.ts; src/http/errors.ts alone turns them into replies.
import { ERRORS } from '../error-codes.js'

export type AuthErrorCode =
  | 'INVALID_FIELD' // a field is missing, of the wrong type or rejected by a rule
  | 'EMAIL_TAKEN'
  | 'ALREADY_VERIFIED' // a verification mail for an address already verified
  | 'INVALID_CREDENTIALS' // unknown email or wrong password: one code, one message
  | 'WRONG_CURRENT_PASSWORD' // an account route's current_password is wrong
  | 'INVALID_TOKEN' // a single-use token that is wrong, expired, used, or not this account's
  | 'FORBIDDEN' // the session may not do this
  | 'ACCOUNT_DISABLED' // an operator disabled the account: told only after a correct password
  | 'EMAIL_NOT_VERIFIED' // REQUIRE_EMAIL_VERIFICATION and an unverified email: told only after a correct password
  | 'REAUTHENTICATION_REQUIRED' // needs the current password or a recent sign-in
  | 'INVALID_CODE' // a TOTP code that does not confirm an enrolment
  | 'WRONG_CODE' // a re-authentication's second-factor code is wrong or missing
  | 'MFA_FAILED' // the second step of a sign-in: a wrong code, or an unknown, used or expired mfa_token
  | 'TOTP_ALREADY_ENABLED'
  | 'TOTP_NOT_ENABLED'
  | 'PASSKEY_INVALID' // a registration response that does not verify, or a used or expired challenge
  | 'PASSKEY_REFUSED' // a passkey sign-in that does not verify: one answer for every cause
  | 'PASSKEYS_UNAVAILABLE' // PUBLIC_URL is on an IP address, where browsers refuse WebAuthn
  | 'NOT_FOUND' // not one of this account's things
  | 'RATE_LIMITED' // too many attempts; retryAfterSeconds says when to try again
  | 'OVERLOADED' // the password hashers' queue is full; retry shortly

/** Which field a rule rejected, and why, for a caller that words it in its own language
 *  (the hosted pages): `rule` is a stable name, `values` the numbers in the message. */
export interface FieldIssue {
  readonly field: string
  readonly rule: string
  readonly values?: Readonly<Record<string, number>>
}

export class AuthError extends Error {
  constructor (readonly code: AuthErrorCode, message: string = ERRORS[code].message, readonly retryAfterSeconds?: number, readonly issue?: FieldIssue) {
    super(message)
    this.name = 'AuthError'
  }
}

export function rateLimited (message: string, retryAfterMs: number): AuthError {
  return new AuthError('RATE_LIMITED', message, Math.max(1, Math.ceil(retryAfterMs / 1000)))
}

export function invalidField (message: string, issue?: FieldIssue): AuthError {
  return new AuthError('INVALID_FIELD', message, undefined, issue)
}
