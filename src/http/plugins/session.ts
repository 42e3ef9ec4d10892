// Reads the session token from the X-Session-ID header or the session_id cookie and
// resolves it once per request. Routes that need a user add `onRequest: requireSession`.
// The cookie is read and written with `cookie` (jshttp) directly rather than through
// @fastify/cookie, whose two hooks ran on every request, cookie or not.
import { parse, serialize, type SerializeOptions } from 'cookie'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { AuthContext } from '../../auth/context.js'
import { type ValidSession, validateSessionToken } from '../../auth/sessions.js'
import type { Config } from '../../config.js'
import { HttpError } from '../http-error.js'

export const SESSION_COOKIE = 'session_id'
export const SESSION_HEADER = 'x-session-id'

declare module 'fastify' {
  interface FastifyRequest {
    session: ValidSession | null
  }
}

/** The session_id cookie's value, if the request has one. */
export function sessionCookie (request: FastifyRequest): string | undefined {
  const header = request.headers.cookie
  return header === undefined ? undefined : parse(header)[SESSION_COOKIE]
}

/**
 * The session token a request presents and how: X-Session-ID when it is not empty, else
 * the cookie. The CSRF check goes by the same answer, so an empty header beside a cookie
 * cannot exempt a request that the cookie authenticates.
 */
export function presentedCredential (request: FastifyRequest): { token: string, transport: 'header' | 'cookie' } | undefined {
  const header = request.headers[SESSION_HEADER]
  if (typeof header === 'string' && header !== '') return { token: header, transport: 'header' }
  const cookie = sessionCookie(request)
  return cookie === undefined ? undefined : { token: cookie, transport: 'cookie' }
}

/** An onRequest hook: 403 unless a valid session is presented; sets request.session. */
export function createRequireSession (ctx: AuthContext) {
  return async function requireSession (request: FastifyRequest): Promise<void> {
    const credential = presentedCredential(request)
    const session = credential === undefined ? null : await validateSessionToken(ctx, credential.token)
    if (session === null) throw new HttpError('NO_SESSION', 'forbidden: no valid session')
    request.session = session
  }
}

function cookieAttributes (config: Config): SerializeOptions {
  return { httpOnly: true, sameSite: 'lax', path: '/', secure: config.env === 'production' }
}

export function setSessionCookie (reply: FastifyReply, config: Config, token: string): void {
  void reply.header('set-cookie', serialize(SESSION_COOKIE, token, { ...cookieAttributes(config), maxAge: config.session.absoluteTtlSeconds }))
}

export function clearSessionCookie (reply: FastifyReply, config: Config): void {
  void reply.header('set-cookie', serialize(SESSION_COOKIE, '', { ...cookieAttributes(config), maxAge: 0, expires: new Date(0) }))
}

/** request.session after requireSession ran; a route without the hook is a programming error. */
export function sessionOf (request: FastifyRequest): ValidSession {
  if (request.session === null) throw new Error('route is missing the requireSession hook')
  return request.session
}
