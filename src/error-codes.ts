// Every error the service answers with, in one table: which part raises it, its HTTP
// status, its stable snake_case `code` (the contract's list; clients branch on it) and its
// default message. The table is the only source: the domain's AuthError names
// (src/auth/errors.ts) and HTTP's HttpError names (src/http/http-error.ts) are derived from
// the `part` of the rows, the OpenAPI document's error descriptions are made of the rows a
// route declares (errors(...) in src/http/schemas.ts), and src/http/errors.ts alone turns
// any thrown value into a row (classifyError). A name is an internal cause, so two causes
// may share a public code with different statuses (a wrong password at sign-in is 401, a
// wrong current_password on an account route 403; both `invalid_credentials`).
//
// part: 'domain'    thrown as AuthError by the domain (src/auth, src/features); `page: true`
//                   for those only a page shows (a provider's callback is a browser's page);
//       'http'      thrown as HttpError by HTTP's own checks, before any domain function runs;
//       'framework' what the framework, the HTTP parser or the database driver refuse.
export type ErrorPart = 'domain' | 'http' | 'framework'

export const ERRORS = {
  // The domain's
  /** A field is missing, of the wrong type or rejected by a rule (schema validation answers it too). */
  INVALID_FIELD: { part: 'domain', status: 400, code: 'invalid_field', message: 'invalid request' },
  EMAIL_TAKEN: { part: 'domain', status: 400, code: 'email_taken', message: 'email already registered' },
  /** A verification mail for an address already verified. */
  ALREADY_VERIFIED: { part: 'domain', status: 400, code: 'already_verified', message: 'this email is already verified' },
  /** Unknown email or wrong password: one code, one message. */
  INVALID_CREDENTIALS: { part: 'domain', status: 401, code: 'invalid_credentials', message: 'invalid email or password' },
  /** An account route's current_password is wrong. */
  WRONG_CURRENT_PASSWORD: { part: 'domain', status: 403, code: 'invalid_credentials', message: 'current_password is incorrect' },
  /** A single-use token that is wrong, expired, used, or not this account's. */
  INVALID_TOKEN: { part: 'domain', status: 403, code: 'invalid_token', message: 'invalid or expired token' },
  /** The session may not do this. */
  FORBIDDEN: { part: 'domain', status: 403, code: 'forbidden', message: 'forbidden' },
  /** An operator disabled the account: told only after a correct password. */
  ACCOUNT_DISABLED: { part: 'domain', status: 403, code: 'account_disabled', message: 'this account is disabled' },
  /** REQUIRE_EMAIL_VERIFICATION and an unverified email: told only after a correct password. */
  EMAIL_NOT_VERIFIED: { part: 'domain', status: 403, code: 'email_not_verified', message: 'verify your email address first: follow the link mailed to it' },
  /** A TOTP code that does not confirm an enrolment. */
  INVALID_CODE: { part: 'domain', status: 400, code: 'invalid_code', message: 'the code is not right: enter the current 6-digit code of your authenticator app' },
  /** The second step of a sign-in: a wrong code, or an unknown, used or expired mfa_token. */
  // a re-authentication's second-factor code is wrong or missing
  WRONG_CODE: { part: 'domain', status: 401, code: 'invalid_code', message: 'the code is not right: enter the current code of your authenticator app, or a recovery code' },
  MFA_FAILED: { part: 'domain', status: 401, code: 'invalid_code', message: 'invalid code, or this sign-in has expired: sign in again with your password' },
  TOTP_ALREADY_ENABLED: { part: 'domain', status: 400, code: 'totp_already_enabled', message: 'an authenticator app is already set up: turn it off first' },
  TOTP_NOT_ENABLED: { part: 'domain', status: 400, code: 'totp_not_enabled', message: 'no authenticator app is set up for this account' },
  /** A registration response that does not verify, or a used or expired challenge. */
  PASSKEY_INVALID: { part: 'domain', status: 400, code: 'invalid_passkey', message: 'the passkey could not be registered: its response is invalid, or its challenge expired or was used; try again' },
  /** A passkey sign-in that does not verify: one answer for every cause. */
  PASSKEY_REFUSED: { part: 'domain', status: 401, code: 'invalid_credentials', message: 'this passkey could not sign you in' },
  /** PUBLIC_URL is on an IP address, where browsers refuse WebAuthn. */
  PASSKEYS_UNAVAILABLE: { part: 'domain', status: 400, code: 'passkeys_unavailable', message: 'passkeys need PUBLIC_URL on a host name: browsers refuse WebAuthn on an IP address (localhost works)' },
  /** Needs the current password or a recent sign-in. */
  REAUTHENTICATION_REQUIRED: { part: 'domain', status: 403, code: 'reauthentication_required', message: 'this change needs a recent sign-in (POST /sessions/reauthenticate), or current_password where the route takes it' },
  /** Not one of this account's things. */
  NOT_FOUND: { part: 'domain', status: 404, code: 'not_found', message: 'not found' },
  /** Sign-in with another provider: a name that is not in OIDC_PROVIDERS. */
  PROVIDER_NOT_FOUND: { part: 'domain', status: 404, code: 'provider_not_found', message: 'no such identity provider here' },
  /** A provider's sign-in whose email is an account's here, without both sides verifying it. */
  IDENTITY_NOT_LINKED: { part: 'domain', page: true, status: 403, code: 'identity_not_linked', message: 'an account here uses this email address: sign in to it another way, then link this provider from its account page' },
  /** A provider's sign-in that gave no email address to make an account with. */
  IDENTITY_WITHOUT_EMAIL: { part: 'domain', page: true, status: 403, code: 'identity_without_email', message: 'the provider gave no email address: allow it to share your address, or sign up another way' },
  /** A link of an identity that another account already has. */
  IDENTITY_TAKEN: { part: 'domain', page: true, status: 409, code: 'identity_taken', message: 'this identity is already linked to another account' },
  /** An unlink that would leave the account without a way to sign in. */
  LAST_SIGN_IN_METHOD: { part: 'domain', status: 409, code: 'last_sign_in_method', message: 'this is the account\'s last way to sign in: set a password, add a passkey or link another provider first' },
  /** The provider's callback does not check out: another state, a code used or made up, an ID token that does not verify, an expired or missing flow. */
  INVALID_CALLBACK: { part: 'domain', page: true, status: 400, code: 'invalid_callback', message: 'this sign-in with the provider could not be completed (expired, already used, or from another browser): start again' },
  /** The person said no at the provider. */
  PROVIDER_DENIED: { part: 'domain', page: true, status: 403, code: 'access_denied', message: 'the sign-in was cancelled at the provider' },
  /** The provider did not answer (discovery, the code exchange, its API). */
  PROVIDER_UNAVAILABLE: { part: 'domain', status: 502, code: 'provider_unavailable', message: 'the identity provider did not answer: try again shortly' },
  /** Too many attempts; retryAfterSeconds says when to try again. */
  RATE_LIMITED: { part: 'domain', status: 429, code: 'rate_limited', message: 'too many attempts; try again later' },
  /** The password hashers' queue is full; retry shortly. */
  OVERLOADED: { part: 'domain', status: 503, code: 'overloaded', message: 'the service is busy; try again shortly' },
  // HTTP's own: refusals before any domain function runs
  /** An unsafe request from an origin that is not trusted (CSRF). */
  CROSS_SITE: { part: 'http', status: 403, code: 'forbidden', message: 'cross-site request refused: its origin is not trusted' },
  /** No valid session presented. */
  NO_SESSION: { part: 'http', status: 403, code: 'forbidden', message: 'forbidden: no valid session' },
  /** This client address is past its per-IP limit. */
  IP_RATE_LIMITED: { part: 'http', status: 429, code: 'rate_limited', message: 'too many requests from this address; try again later' },
  // What the framework, the HTTP parser or the database driver refuse, by status
  BAD_REQUEST: { part: 'framework', status: 400, code: 'bad_request', message: 'malformed request' },
  ROUTE_NOT_FOUND: { part: 'framework', status: 404, code: 'not_found', message: 'not found' },
  REQUEST_TIMEOUT: { part: 'framework', status: 408, code: 'request_timeout', message: 'request timed out' },
  PAYLOAD_TOO_LARGE: { part: 'framework', status: 413, code: 'payload_too_large', message: 'request body is too large (limit 64 KiB)' },
  UNSUPPORTED_MEDIA_TYPE: { part: 'framework', status: 415, code: 'unsupported_media_type', message: 'unsupported content type: send application/json or application/x-www-form-urlencoded' },
  EXPECTATION_FAILED: { part: 'framework', status: 417, code: 'expectation_failed', message: 'unsupported Expect header (only 100-continue is supported)' },
  HEADERS_TOO_LARGE: { part: 'framework', status: 431, code: 'headers_too_large', message: 'request headers are too large' },
  INTERNAL: { part: 'framework', status: 500, code: 'internal_error', message: 'internal server error' },
  /** The database cannot be reached (or is locked past its busy timeout): retry shortly. */
  DATABASE_UNAVAILABLE: { part: 'framework', status: 503, code: 'unavailable', message: 'service temporarily unavailable: the database cannot be reached; try again shortly' }
} as const satisfies Record<string, { part: ErrorPart, page?: true, status: number, code: string, message: string }>

export type ErrorName = keyof typeof ERRORS

/** The names of the rows of one part: AuthErrorCode is NameOfPart<'domain'>, HttpErrorCode NameOfPart<'http'>. */
export type NameOfPart<P extends ErrorPart> = { [K in keyof typeof ERRORS]: (typeof ERRORS)[K]['part'] extends P ? K : never }[keyof typeof ERRORS]

export function isErrorName (name: string): name is ErrorName {
  return Object.hasOwn(ERRORS, name)
}

/** The names of the framework's rows, by status: for errors that carry only a status. */
const NAME_BY_STATUS = new Map<number, ErrorName>([
  [400, 'BAD_REQUEST'], [404, 'ROUTE_NOT_FOUND'], [408, 'REQUEST_TIMEOUT'], [413, 'PAYLOAD_TOO_LARGE'],
  [415, 'UNSUPPORTED_MEDIA_TYPE'], [417, 'EXPECTATION_FAILED'], [431, 'HEADERS_TOO_LARGE'],
  [500, 'INTERNAL'], [503, 'DATABASE_UNAVAILABLE']
])

/** The name of the row of an error that has only a status (Fastify's and Node's own 4xx/5xx). */
export function nameOfStatus (status: number): ErrorName {
  return NAME_BY_STATUS.get(status) ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST')
}

/** The row of an error that has only a status. */
export function errorOfStatus (status: number): (typeof ERRORS)[ErrorName] {
  return ERRORS[nameOfStatus(status)]
}

/** The names grouped by the status they answer with, each group in the table's order
 *  and without repeats: what errors(...) documents status by status. */
export function namesByStatus (names: Iterable<ErrorName>): Map<number, ErrorName[]> {
  const wanted = new Set(names)
  const groups = new Map<number, ErrorName[]>()
  for (const name of Object.keys(ERRORS) as ErrorName[]) {
    if (!wanted.has(name)) continue
    const { status } = ERRORS[name]
    groups.set(status, [...groups.get(status) ?? [], name])
  }
  return groups
}

/**
 * What the rows of `names` (all of one status) mean, as the OpenAPI document describes
 * that status of a route: one Markdown list item per code and message, in the table's
 * order ("- `invalid_passkey`: the passkey could not be registered …"). Two names with the
 * same code and message (NOT_FOUND, ROUTE_NOT_FOUND) make one item.
 */
export function describeErrors (names: Iterable<ErrorName>): string {
  const items = [...namesByStatus(names).values()].flat().map(name => `- \`${ERRORS[name].code}\`: ${ERRORS[name].message}`)
  return [...new Set(items)].join('\n')
}

/** Every public code, once: the OpenAPI document lists them. */
export const ERROR_CODES: readonly string[] = [...new Set(Object.values(ERRORS).map(error => error.code))]
