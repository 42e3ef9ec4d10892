// The one place that turns errors into statuses: domain codes, schema failures, Fastify's
// own 4xx errors. Anything else is logged and answered with a bare 500.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AuthError, type AuthErrorCode } from '../auth/errors.js'
import { isDatabaseUnavailable } from '../db/errors.js'

/** Seconds a client should wait before retrying while the database is unreachable. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 2

const STATUS_BY_CODE: Record<AuthErrorCode, number> = {
  INVALID_FIELD: 400,
  EMAIL_TAKEN: 400,
  INVALID_CREDENTIALS: 401,
  INVALID_RESET_TOKEN: 403,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  OVERLOADED: 503
}

// Fastify's parser errors, reworded for clients of this API.
const FRAMEWORK_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'request body is too large (limit 64 KiB)',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported content type: send application/json or application/x-www-form-urlencoded',
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

function sendMessage (reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ message })
}

function rawJson (status: number, message: string): { head: string, body: string } {
  const body = JSON.stringify({ message })
  const reason = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : status === 417 ? 'Expectation Failed' : 'Bad Request'
  return {
    head: `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n`,
    body
  }
}

/** Requests Node's HTTP parser rejects before Fastify sees them: still a JSON message. */
export function handleClientError (error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return
  const [status, message] = error.code === 'HPE_HEADER_OVERFLOW'
    ? [431, 'request headers are too large']
    : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'request timed out'] : [400, 'malformed HTTP request']
  const { head, body } = rawJson(status, message)
  socket.end(head + body)
}

/** Node answers an Expect header other than 100-continue with a bare 417; say it in JSON. */
export function handleExpectation (_request: IncomingMessage, response: ServerResponse): void {
  const body = JSON.stringify({ message: 'unsupported Expect header (only 100-continue is supported)' })
  response.writeHead(417, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' })
  response.end(body)
}

/** Errors Fastify meets before routing (bad URL, unknown content type …), all 4xx. */
export function handleFrameworkError (error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400
  void sendMessage(reply, status, FRAMEWORK_MESSAGES[error.code] ?? 'malformed request')
}

export function registerErrorHandlers (app: FastifyInstance): void {
  app.setNotFoundHandler(async (_request, reply) => sendMessage(reply, 404, 'not found'))

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error instanceof AuthError) {
      if (error.retryAfterSeconds !== undefined) void reply.header('retry-after', String(error.retryAfterSeconds))
      return sendMessage(reply, STATUS_BY_CODE[error.code], error.message)
    }
    if (error.validation !== undefined) return sendMessage(reply, 400, describeSchemaIssue(error.validation[0]))
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500) {
      return sendMessage(reply, status, FRAMEWORK_MESSAGES[error.code] ?? (error.code?.startsWith('FST_') === true ? error.message : 'bad request'))
    }
    if (isDatabaseUnavailable(error)) {
      // Drivers reconnect on their own: the next request may well succeed.
      request.log.warn({ err: error }, 'database unavailable')
      void reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS))
      return sendMessage(reply, 503, 'service temporarily unavailable: the database cannot be reached; try again shortly')
    }
    request.log.error({ err: error }, 'unhandled error')
    return sendMessage(reply, 500, 'internal server error')
  })
}
