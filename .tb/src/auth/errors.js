// Rule violations of the domain. Each name's status, public code and default message are
// in the one table of src/error-codes.ts, where a row of part 'domain' is all a new name
// needs; src/http/errors.ts alone turns them into replies.
import { ERRORS } from '../error-codes.js';
export class AuthError extends Error {
    code;
    retryAfterSeconds;
    issue;
    constructor(code, message = ERRORS[code].message, retryAfterSeconds, issue) {
        super(message);
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
        this.issue = issue;
        this.name = 'AuthError';
    }
}
export function rateLimited(message, retryAfterMs) {
    return new AuthError('RATE_LIMITED', message, Math.max(1, Math.ceil(retryAfterMs / 1000)));
}
export function invalidField(message, issue) {
    return new AuthError('INVALID_FIELD', message, undefined, issue);
}
