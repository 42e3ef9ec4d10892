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
};
export function isErrorName(name) {
    return Object.hasOwn(ERRORS, name);
}
/** The names of the framework's rows, by status: for errors that carry only a status. */
const NAME_BY_STATUS = new Map([
    [400, 'BAD_REQUEST'], [404, 'ROUTE_NOT_FOUND'], [408, 'REQUEST_TIMEOUT'], [413, 'PAYLOAD_TOO_LARGE'],
    [415, 'UNSUPPORTED_MEDIA_TYPE'], [417, 'EXPECTATION_FAILED'], [431, 'HEADERS_TOO_LARGE'],
    [500, 'INTERNAL'], [503, 'DATABASE_UNAVAILABLE']
]);
/** The name of the row of an error that has only a status (Fastify's and Node's own 4xx/5xx). */
export function nameOfStatus(status) {
    return NAME_BY_STATUS.get(status) ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');
}
/** The row of an error that has only a status. */
export function errorOfStatus(status) {
    return ERRORS[nameOfStatus(status)];
}
/** The names grouped by the status they answer with, each group in the table's order
 *  and without repeats: what errors(...) documents status by status. */
export function namesByStatus(names) {
    const wanted = new Set(names);
    const groups = new Map();
    for (const name of Object.keys(ERRORS)) {
        if (!wanted.has(name))
            continue;
        const { status } = ERRORS[name];
        groups.set(status, [...groups.get(status) ?? [], name]);
    }
    return groups;
}
/**
 * What the rows of `names` (all of one status) mean, as the OpenAPI document describes
 * that status of a route: one Markdown list item per code and message, in the table's
 * order ("- `invalid_passkey`: the passkey could not be registered …"). Two names with the
 * same code and message (NOT_FOUND, ROUTE_NOT_FOUND) make one item.
 */
export function describeErrors(names) {
    const items = [...namesByStatus(names).values()].flat().map(name => `- \`${ERRORS[name].code}\`: ${ERRORS[name].message}`);
    return [...new Set(items)].join('\n');
}
/** Every public code, once: the OpenAPI document lists them. */
export const ERROR_CODES = [...new Set(Object.values(ERRORS).map(error => error.code))];
