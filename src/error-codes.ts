// Every error the service answers with, in one table: its HTTP status, its stable
// snake_case `code` (the contract's list; clients branch on it) and its default message.
// The domain throws AuthError with a name of its own part (src/auth/errors.ts), HTTP
// throws HttpError with a name of its part (src/http/http-error.ts); src/http/errors.ts
// alone turns either into a reply. A name is an internal cause, so two causes may share a
// public code with different statuses (a wrong password at sign-in is 401, a wrong
// current_password on an account route 403; both `invalid_credentials`).
export const ERRORS = {
  // The domain's
  INVALID_FIELD: { status: 400, code: 'invalid_field', message: 'invalid request' },
  EMAIL_TAKEN: { status: 400, code: 'email_taken', message: 'email already registered' },
  ALREADY_VERIFIED: { status: 400, code: 'already_verified', message: 'this email is already verified' },
  INVALID_CREDENTIALS: { status: 401, code: 'invalid_credentials', message: 'invalid email or password' },
  WRONG_CURRENT_PASSWORD: { status: 403, code: 'invalid_credentials', message: 'current_password is incorrect' },
  INVALID_TOKEN: { status: 403, code: 'invalid_token', message: 'invalid or expired token' },
  FORBIDDEN: { status: 403, code: 'forbidden', message: 'forbidden' },
  ACCOUNT_DISABLED: { status: 403, code: 'account_disabled', message: 'this account is disabled' },
  EMAIL_NOT_VERIFIED: { status: 403, code: 'email_not_verified', message: 'verify your email address first: follow the link mailed to it' },
  INVALID_CODE: { status: 400, code: 'invalid_code', message: 'the code is not right: enter the current 6-digit code of your authenticator app' },
  WRONG_CODE: { status: 401, code: 'invalid_code', message: 'the code is not right: enter the current code of your authenticator app, or a recovery code' },
  MFA_FAILED: { status: 401, code: 'invalid_code', message: 'invalid code, or this sign-in has expired: sign in again with your password' },
  TOTP_ALREADY_ENABLED: { status: 400, code: 'totp_already_enabled', message: 'an authenticator app is already set up: turn it off first' },
  TOTP_NOT_ENABLED: { status: 400, code: 'totp_not_enabled', message: 'no authenticator app is set up for this account' },
  PASSKEY_INVALID: { status: 400, code: 'invalid_passkey', message: 'the passkey could not be registered: its response is invalid, or its challenge expired or was used; try again' },
  PASSKEY_REFUSED: { status: 401, code: 'invalid_credentials', message: 'this passkey could not sign you in' },
  PASSKEYS_UNAVAILABLE: { status: 400, code: 'passkeys_unavailable', message: 'passkeys need PUBLIC_URL on a host name: browsers refuse WebAuthn on an IP address (localhost works)' },
  REAUTHENTICATION_REQUIRED: { status: 403, code: 'reauthentication_required', message: 'this change needs current_password or a recent sign-in' },
  NOT_FOUND: { status: 404, code: 'not_found', message: 'not found' },
  RATE_LIMITED: { status: 429, code: 'rate_limited', message: 'too many attempts; try again later' },
  OVERLOADED: { status: 503, code: 'overloaded', message: 'the service is busy; try again shortly' },
  // HTTP's own: refusals before any domain function runs
  CROSS_SITE: { status: 403, code: 'forbidden', message: 'cross-site request refused: its origin is not trusted' },
  NO_SESSION: { status: 403, code: 'forbidden', message: 'forbidden: no valid session' },
  IP_RATE_LIMITED: { status: 429, code: 'rate_limited', message: 'too many requests from this address; try again later' },
  // What the framework, the HTTP parser or the database driver refuse, by status
  BAD_REQUEST: { status: 400, code: 'bad_request', message: 'malformed request' },
  ROUTE_NOT_FOUND: { status: 404, code: 'not_found', message: 'not found' },
  REQUEST_TIMEOUT: { status: 408, code: 'request_timeout', message: 'request timed out' },
  PAYLOAD_TOO_LARGE: { status: 413, code: 'payload_too_large', message: 'request body is too large (limit 64 KiB)' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type', message: 'unsupported content type: send application/json or application/x-www-form-urlencoded' },
  EXPECTATION_FAILED: { status: 417, code: 'expectation_failed', message: 'unsupported Expect header (only 100-continue is supported)' },
  HEADERS_TOO_LARGE: { status: 431, code: 'headers_too_large', message: 'request headers are too large' },
  INTERNAL: { status: 500, code: 'internal_error', message: 'internal server error' },
  DATABASE_UNAVAILABLE: { status: 503, code: 'unavailable', message: 'service temporarily unavailable: the database cannot be reached; try again shortly' }
} as const satisfies Record<string, { status: number, code: string, message: string }>

export type ErrorName = keyof typeof ERRORS

/** The names of the framework's rows, by status: for errors that carry only a status. */
const NAME_BY_STATUS = new Map<number, ErrorName>([
  [400, 'BAD_REQUEST'], [404, 'ROUTE_NOT_FOUND'], [408, 'REQUEST_TIMEOUT'], [413, 'PAYLOAD_TOO_LARGE'],
  [415, 'UNSUPPORTED_MEDIA_TYPE'], [417, 'EXPECTATION_FAILED'], [431, 'HEADERS_TOO_LARGE'],
  [500, 'INTERNAL'], [503, 'DATABASE_UNAVAILABLE']
])

/** The row of an error that has only a status (Fastify's and Node's own 4xx/5xx). */
export function errorOfStatus (status: number): (typeof ERRORS)[ErrorName] {
  return ERRORS[NAME_BY_STATUS.get(status) ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST')]
}

/** Every public code, once: the OpenAPI document lists them. */
export const ERROR_CODES: readonly string[] = [...new Set(Object.values(ERRORS).map(error => error.code))]
