// Refusals that belong to HTTP, not to the domain: a cross-site request, a request without
// a valid session, a client past its per-IP limit. src/http/errors.ts gives each its
// status and code, in the same table as the domain's codes.
export type HttpErrorCode =
  | 'CROSS_SITE' // an unsafe request from an origin that is not trusted (CSRF)
  | 'NO_SESSION' // no valid session presented
  | 'IP_RATE_LIMITED' // this client address is past its per-IP limit

export class HttpError extends Error {
  constructor (readonly code: HttpErrorCode, message: string, readonly retryAfterSeconds?: number) {
    super(message)
    this.name = 'HttpError'
  }
}
