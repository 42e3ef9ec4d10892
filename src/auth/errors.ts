// Rule violations of the domain. Each name's status, public code and default message are
// in the one table of src/error-codes.ts, where a row of part 'domain' is all a new name
// needs; src/http/errors.ts alone turns them into replies.
import { ERRORS, type NameOfPart } from '../error-codes.js'

/** The names of the table's 'domain' rows (what each means is said there). */
export type AuthErrorCode = NameOfPart<'domain'>

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
