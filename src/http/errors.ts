// The one place that turns errors into statuses: domain codes, schema failures, Fastify's
// own 4xx errors. Anything else is logged and answered with a bare 500.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AuthError } from '../auth/errors.js'
import { isDatabaseUnavailable } from '../db/errors.js'
import { ERRORS, errorOfStatus } from '../error-codes.js'
import { HttpError } from './http-error.js'

/** Seconds a client should wait before retrying while the database is unreachable. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 2

// Fastify's parser errors, reworded for clients of this API.
const FRAMEWORK_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ERRORS.PAYLOAD_TOO_LARGE.message,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ERRORS.UNSUPPORTED_MEDIA_TYPE.message,
  FST_ERR_CTP_INVALID_JSON_BODY: 'request body is not valid JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'request body is empty but the content type says JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body',
  FST_ERR_BAD_URL: 'malformed URL',
  FST_ERR_ASYNC_CONSTRAINT: 'malformed request'
}

interface SchemaIssue {
  keyword: string
  instancePath: string
  params: Record<string, unknown>
}

/** "email is required", "password must be a string" — the field named, nothing internal. */
export function describeSchemaIssue (issue: SchemaIssue | undefined): string {
  if (issue === undefined) return 'invalid request'
  const field = issue.instancePath.replace(/^\//, '').replaceAll('/', '.')
  switch (issue.keyword) {
    case 'required': return `${String(issue.params.missingProperty)} is required`
    case 'additionalProperties': return `${String(issue.params.additionalProperty)} cannot be set here (unknown or protected attribute)`
    case 'type': return field === '' ? 'request body must be an object' : `${field} must be a ${String(issue.params.type)}`
    default: return field === '' ? 'invalid request body' : `${field} is invalid`
  }
}

function sendError (reply: FastifyReply, status: number, message: string, code = errorOfStatus(status).code): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ message, code })
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 417: 'Expectation Failed', 431: 'Request Header Fields Too Large' }

/**
 * The handlers for what Node's HTTP parser and Fastify's router refuse before any hook
 * runs: still a JSON body with `message` and `code`, and still the security headers.
 */
export function createEarlyErrorHandlers (headers: Readonly<Record<string, string>>): {
  handleClientError: (error: NodeJS.ErrnoException, socket: Socket) => void
  handleExpectation: (request: IncomingMessage, response: ServerResponse) => void
  handleFrameworkError: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void
} {
  const headerLines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')
  return {
    handleClientError (error, socket) {
      if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return
      const [status, message] = error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, ERRORS.HEADERS_TOO_LARGE.message]
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, ERRORS.REQUEST_TIMEOUT.message] : [400, 'malformed HTTP request']
      const body = JSON.stringify({ message, code: errorOfStatus(status).code })
      socket.end(`HTTP/1.1 ${status} ${REASONS[status] ?? 'Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headerLines}Connection: close\r\n\r\n${body}`)
    },
    // Node answers an Expect header other than 100-continue with a bare 417; say it in JSON.
    handleExpectation (_request, response) {
      const { message, code } = ERRORS.EXPECTATION_FAILED
      const body = JSON.stringify({ message, code })
      response.writeHead(417, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) })
      response.end(body)
    },
    // Errors Fastify meets before routing (bad URL, unknown content type …), all 4xx.
    handleFrameworkError (error, _request, reply) {
      const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400
      void sendError(reply.headers(headers), status, FRAMEWORK_MESSAGES[error.code] ?? ERRORS.BAD_REQUEST.message)
    }
  }
}

export function registerErrorHandlers (app: FastifyInstance): void {
  app.setNotFoundHandler(async (_request, reply) => sendError(reply, 404, ERRORS.ROUTE_NOT_FOUND.message))

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error instanceof AuthError || error instanceof HttpError) {
      if (error.retryAfterSeconds !== undefined) void reply.header('retry-after', String(error.retryAfterSeconds))
      const { status, code } = ERRORS[error.code]
      return sendError(reply, status, error.message, code)
    }
    if (error.validation !== undefined) return sendError(reply, 400, describeSchemaIssue(error.validation[0]), ERRORS.INVALID_FIELD.code)
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500) {
      return sendError(reply, status, FRAMEWORK_MESSAGES[error.code] ?? (error.code?.startsWith('FST_') === true ? error.message : 'bad request'))
    }
    if (isDatabaseUnavailable(error)) {
      // Drivers reconnect on their own: the next request may well succeed.
      request.log.warn({ err: error }, 'database unavailable')
      void reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS))
      return sendError(reply, 503, ERRORS.DATABASE_UNAVAILABLE.message)
    }
    request.log.error({ err: error }, 'unhandled error')
    return sendError(reply, 500, ERRORS.INTERNAL.message)
  })
}
