// TypeBox schemas shared by the routes. Each validates (requests), serializes (replies:
// fast-json-stringify drops any key a reply schema does not name), types the handlers
// through @fastify/type-provider-typebox, and becomes a named component of the OpenAPI
// document through its $id (app.addSchema in plugins/openapi.ts).
import { type Static, type TSchema, type TUnsafe, Type } from 'typebox'
import { ERROR_CODES } from '../error-codes.js'

export const ErrorReply = Type.Object({
  message: Type.String({ description: 'What went wrong, for people; it may change.' }),
  code: Type.String({ description: `Stable and machine-readable: one of ${ERROR_CODES.join(', ')}.`, examples: ['invalid_field'] })
}, { $id: 'Error', additionalProperties: false, description: 'Every error reply.' })

export const MessageReply = Type.Object({ message: Type.String() }, { $id: 'Message', additionalProperties: false })

export const EmailMessageReply = Type.Object({
  email: Type.String({ description: 'The account\'s email, trimmed and lower-cased.' }),
  message: Type.String()
}, { $id: 'EmailMessage', additionalProperties: false })

export const UserReply = Type.Object({
  email: Type.String(),
  id: Type.Integer()
}, { $id: 'User', additionalProperties: false })

/** Added to the app once (app.addSchema): routes refer to them with ref(). */
export const SHARED_SCHEMAS = [ErrorReply, MessageReply, EmailMessageReply, UserReply] as const

/** A $ref to a shared schema that keeps its TypeScript type for the handler; the
 *  description says what the reply means on this route (OpenAPI's response description). */
export function ref<T extends TSchema> (schema: T, description?: string): TUnsafe<Static<T>> {
  const id = (schema as { $id?: unknown }).$id
  if (typeof id !== 'string') throw new Error('ref() needs a shared schema: one with an $id')
  return Type.Unsafe<Static<T>>(Type.Ref(id, description === undefined ? {} : { description }))
}

// What an error status means, wherever it is answered (the `code` tells the cause).
const ERROR_MEANINGS: Record<number, string> = {
  400: 'A field is missing or invalid (invalid_field, email_taken, already_verified, invalid_code, totp_already_enabled, totp_not_enabled), or the body is malformed (bad_request).',
  401: 'Unknown email or wrong password (invalid_credentials); at POST /sessions/mfa, a wrong code or an unknown, used or expired mfa_token (invalid_code).',
  403: 'Refused: no valid session or not this session\'s account (forbidden), a wrong or used token (invalid_token), a wrong current_password (invalid_credentials), a cross-site request (forbidden), the right password of a disabled account (account_disabled) or, with REQUIRE_EMAIL_VERIFICATION, of an unverified one (email_not_verified).',
  404: 'Not found (not_found).',
  413: 'The body is over 64 KiB (payload_too_large).',
  415: 'The body is neither JSON nor form data (unsupported_media_type).',
  429: 'Too many attempts from this address or for this account (rate_limited); Retry-After says when to try again.',
  503: 'Too busy (overloaded) or the database cannot be reached (unavailable); Retry-After says when to try again.'
}

/** The error reply of a status, as the OpenAPI document shows it. */
export function errorReply (status: number): TUnsafe<Static<typeof ErrorReply>> {
  return ref(ErrorReply, ERROR_MEANINGS[status] ?? 'An error.')
}

/** The error replies of a route, by status: `response: { 200: …, ...errors(400, 403) }`. */
export function errors (...statuses: number[]): Record<number, TUnsafe<Static<typeof ErrorReply>>> {
  return Object.fromEntries(statuses.map(status => [status, errorReply(status)]))
}

/** Session security requirement of the OpenAPI document: the cookie or the header. */
export const SESSION_SECURITY: Array<Record<string, string[]>> = [{ sessionCookie: [] }, { sessionHeader: [] }]
