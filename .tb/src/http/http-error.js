// Refusals that belong to HTTP, not to the domain: a cross-site request, a request without
// a valid session, a client past its per-IP limit. Their status, code and default message
// are in the one table of src/error-codes.ts, beside the domain's: a row of part 'http' is
// all a new name needs.
import { ERRORS } from '../error-codes.js';
export class HttpError extends Error {
    code;
    retryAfterSeconds;
    constructor(code, message = ERRORS[code].message, retryAfterSeconds) {
        super(message);
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
        this.name = 'HttpError';
    }
}
