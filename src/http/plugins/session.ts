// Sessions over HTTP. A route that needs a user says `config: { requireSession: true }`:
// it then gets the check below as an onRequest hook (after any rate limit), the session
// security schemes and its refusals (NO_SESSION, DATABASE_UNAVAILABLE) in the OpenAPI
// document, and `sessionOf(request)` in its handler. The token comes from the X-Session-ID header or the session_id cookie and is
// resolved once per request. The cookie is read and written with `cookie` (jshttp)
// directly rather than through @fastify/cookie, whose two hooks ran on every request.
import { parse, serialize, type SerializeOptions } from 'cookie'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { AuthContext } from '../../auth/context.js'
import type { Config } from '../../config.js'
import { type ValidSession, validateSessionToken } from '../../features/sessions/sessions.js'
import { HttpError } from '../http-error.js'
import { addErrorReply, addOnRequest } from '../route-hooks.js'
import { SESSION_SECURITY } from '../schemas.js'

export const SESSION_COOKIE = 'session_id'
export const SESSION_HEADER = 'x-session-id'

declare module 'fastify' {
  interface FastifyRequest {
    session: ValidSession | null
  }
  interface FastifyContextConfig {
    /** The route answers 403 unless a valid session is presented. */
    requireSession?: boolean
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

function createRequireSession (ctx: AuthContext) {
  return async function requireSession (request: FastifyRequest): Promise<void> {
    const credential = presentedCredential(request)
    const session = credential === undefined ? null : await validateSessionToken(ctx, credential.token)
    if (session === null) throw new HttpError('NO_SESSION')
    request.session = session
  }
}

export const sessionPlugin = fp(async function sessions (app: FastifyInstance, { ctx }: { ctx: AuthContext }) {
  app.decorateRequest('session', null)
  const requireSession = createRequireSession(ctx)
  app.addHook('onRoute', route => {
    if (route.config?.requireSession !== true) return
    addOnRequest(route, requireSession)
    // The session is read from the database before anything else: a route that needs one
    // may answer 503 `unavailable` too, whatever its handler does.
    addErrorReply(route, 'NO_SESSION', 'DATABASE_UNAVAILABLE')
    route.schema = { ...route.schema, security: SESSION_SECURITY }
  })
}, { name: 'authsvc-session' })

function cookieAttributes (config: Config): SerializeOptions {
  return { httpOnly: true, sameSite: 'lax', path: '/', secure: config.env === 'production' }
}

export function setSessionCookie (reply: FastifyReply, config: Config, token: string): void {
  void reply.header('set-cookie', serialize(SESSION_COOKIE, token, { ...cookieAttributes(config), maxAge: config.session.absoluteTtlSeconds }))
}

/** The Set-Cookie value that removes the session cookie. */
export function clearedSessionCookie (config: Config): string {
  return serialize(SESSION_COOKIE, '', { ...cookieAttributes(config), maxAge: 0, expires: new Date(0) })
}

export function clearSessionCookie (reply: FastifyReply, config: Config): void {
  void reply.header('set-cookie', clearedSessionCookie(config))
}

/** request.session of a route with `config: { requireSession: true }`; any other route
 *  calling it is a programming error. */
export function sessionOf (request: FastifyRequest): ValidSession {
  if (request.session === null) throw new Error('route is missing config.requireSession')
  return request.session
}
