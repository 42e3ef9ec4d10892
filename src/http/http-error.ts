// Refusals that belong to HTTP, not to the domain: a cross-site request, a request without
// a valid session, a client past its per-IP limit. Their status, code and default message
// are in the one table of src/error-codes.ts, beside the domain's.
import { ERRORS } from '../error-codes.js'

export type HttpErrorCode =
  | 'CROSS_SITE' // an unsafe request from an origin that is not trusted (CSRF)
  | 'NO_SESSION' // no valid session presented
  | 'IP_RATE_LIMITED' // this client address is past its per-IP limit

export class HttpError extends Error {
  constructor (readonly code: HttpErrorCode, message: string = ERRORS[code].message, readonly retryAfterSeconds?: number) {
    super(message)
    this.name = 'HttpError'
  }
}
