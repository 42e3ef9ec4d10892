import { AuthError } from '../auth/errors.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import { ERRORS, errorOfStatus, nameOfStatus } from '../error-codes.js';
import { HttpError } from './http-error.js';
/** Seconds a client should wait before retrying while the database is unreachable. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;
// Fastify's parser errors, reworded for clients of this API.
const FRAMEWORK_MESSAGES = {
    FST_ERR_CTP_BODY_TOO_LARGE: ERRORS.PAYLOAD_TOO_LARGE.message,
    FST_ERR_CTP_INVALID_MEDIA_TYPE: ERRORS.UNSUPPORTED_MEDIA_TYPE.message,
    FST_ERR_CTP_INVALID_JSON_BODY: 'request body is not valid JSON',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'request body is empty but the content type says JSON',
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body',
    FST_ERR_BAD_URL: 'malformed URL',
    FST_ERR_ASYNC_CONSTRAINT: 'malformed request'
};
/** "email is required", "password must be a string", "response.id is required" — the
 *  field named by its path from the body, nothing internal. */
export function describeSchemaIssue(issue) {
    if (issue === undefined)
        return 'invalid request';
    const field = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const within = field === '' ? '' : `${field}.`;
    switch (issue.keyword) {
        case 'required': return `${within}${String(issue.params.missingProperty)} is required`;
        case 'additionalProperties': return `${within}${String(issue.params.additionalProperty)} cannot be set here (unknown or protected attribute)`;
        case 'type': return field === '' ? 'request body must be an object' : `${field} must be a ${String(issue.params.type)}`;
        default: return field === '' ? 'invalid request body' : `${field} is invalid`;
    }
}
/**
 * The one classifier: any thrown value as the row of src/error-codes.ts it is, with the
 * status, code and message to answer. AuthError and HttpError carry their name; a schema
 * failure is INVALID_FIELD naming the field; a form token that @fastify/csrf-protection
 * refuses (the hosted pages) is CROSS_SITE; Fastify's and Node's own 4xx errors keep their
 * status, with the code of that status's row (reworded when the parser's words would
 * confuse, their own message when they are Fastify's); a database that cannot be reached
 * is DATABASE_UNAVAILABLE, to retry shortly; anything else is INTERNAL, with nothing of it
 * told. It logs nothing: its callers log DATABASE_UNAVAILABLE (through the outage log) and
 * INTERNAL with their context.
 */
export function classifyError(error) {
    if (error instanceof AuthError || error instanceof HttpError) {
        const { status, code } = ERRORS[error.code];
        return { name: error.code, status, code, message: error.message, retryAfterSeconds: error.retryAfterSeconds };
    }
    const { validation, statusCode, code } = (typeof error === 'object' && error !== null ? error : {});
    const frameworkCode = typeof code === 'string' ? code : '';
    if (Array.isArray(validation))
        return answer('INVALID_FIELD', describeSchemaIssue(validation[0]));
    if (frameworkCode.startsWith('FST_CSRF_'))
        return answer('CROSS_SITE');
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
        const message = FRAMEWORK_MESSAGES[frameworkCode] ?? (frameworkCode.startsWith('FST_') && error instanceof Error ? error.message : 'bad request');
        return { ...answer(nameOfStatus(statusCode), message), status: statusCode };
    }
    // Drivers reconnect on their own: the next request may well succeed.
    if (isDatabaseUnavailable(error))
        return { ...answer('DATABASE_UNAVAILABLE'), retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS };
    return answer('INTERNAL');
}
function answer(name, message = ERRORS[name].message) {
    const { status, code } = ERRORS[name];
    return { name, status, code, message };
}
function sendError(reply, status, message, code = errorOfStatus(status).code) {
    return reply.code(status).type('application/json; charset=utf-8').send({ message, code });
}
/** Longest a refused connection is kept for its answer to be written. */
const CLOSE_LINGER_MS = 1000;
const REASONS = { 400: 'Bad Request', 408: 'Request Timeout', 417: 'Expectation Failed', 431: 'Request Header Fields Too Large' };
/**
 * The handlers for what Node's HTTP parser and Fastify's router refuse before any hook
 * runs: still a JSON body with `message` and `code`, and still the security headers.
 */
export function createEarlyErrorHandlers(headers) {
    const headerLines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
    return {
        // Node's HTTP server keeps sockets half-open: end() alone leaves the socket (and its
        // descriptor) to the client, which a silent or hostile one never closes. So the answer
        // is written, then the socket destroyed, whatever the client does.
        handleClientError(error, socket) {
            if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) {
                socket.destroy();
                return;
            }
            const [status, message] = error.code === 'HPE_HEADER_OVERFLOW'
                ? [431, ERRORS.HEADERS_TOO_LARGE.message]
                : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, ERRORS.REQUEST_TIMEOUT.message] : [400, 'malformed HTTP request'];
            const body = JSON.stringify({ message, code: errorOfStatus(status).code });
            // A client that does not read cannot hold the socket either: destroyed after a moment.
            const linger = setTimeout(() => { socket.destroy(); }, CLOSE_LINGER_MS).unref();
            socket.once('close', () => { clearTimeout(linger); });
            socket.end(`HTTP/1.1 ${status} ${REASONS[status] ?? 'Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headerLines}Connection: close\r\n\r\n${body}`, () => { socket.destroy(); });
        },
        // Node answers an Expect header other than 100-continue with a bare 417; say it in JSON.
        handleExpectation(_request, response) {
            const { message, code } = ERRORS.EXPECTATION_FAILED;
            const body = JSON.stringify({ message, code });
            response.writeHead(417, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
            response.end(body);
        },
        // Errors Fastify meets before routing (bad URL, unknown content type …), all 4xx.
        handleFrameworkError(error, _request, reply) {
            const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
            void sendError(reply.headers(headers), status, FRAMEWORK_MESSAGES[error.code] ?? ERRORS.BAD_REQUEST.message);
        }
    };
}
/**
 * What every error handler (JSON and pages) does with a classified failure besides
 * answering: DATABASE_UNAVAILABLE goes to the outage log (a line naming the cause, then a
 * count per interval, never a stack per request), INTERNAL is logged with its stack, and a
 * retryable answer gets its Retry-After.
 */
export function reportFailure(failure, error, request, reply, outages) {
    if (failure.name === 'DATABASE_UNAVAILABLE')
        outages.report(error, 'database unavailable', request.log);
    else if (failure.name === 'INTERNAL')
        request.log.error({ err: error }, 'unhandled error');
    if (failure.retryAfterSeconds !== undefined)
        void reply.header('retry-after', String(failure.retryAfterSeconds));
}
export function registerErrorHandlers(app, outages) {
    app.setNotFoundHandler(async (_request, reply) => sendError(reply, 404, ERRORS.ROUTE_NOT_FOUND.message));
    app.setErrorHandler(async (error, request, reply) => {
        const failure = classifyError(error);
        reportFailure(failure, error, request, reply, outages);
        return sendError(reply, failure.status, failure.message, failure.code);
    });
}
