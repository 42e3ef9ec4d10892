// Refusals that belong to HTTP, not to the domain: a cross-site request, a request without
// a valid session, a client past its per-IP limit. Their status, code and default message
// are in the one table of src/error-codes.ts, beside the domain's: a row of part 'http' is
// all a new name needs.
import { ERRORS, type NameOfPart } from '../error-codes.js'

/** The names of the table's 'http' rows (what each means is said there). */
export type HttpErrorCode = NameOfPart<'http'>

export class HttpError extends Error {
  constructor (readonly code: HttpErrorCode, message: string = ERRORS[code].message, readonly retryAfterSeconds?: number) {
    super(message)
    this.name = 'HttpError'
  }
}
