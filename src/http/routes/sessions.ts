import type { FastifyInstance } from 'fastify'
import { createSession, invalidateSession } from '../../auth/sessions.js'
import { verifyCredentials } from '../../auth/users.js'
import { requesterOf } from '../client-address.js'
import { clearSessionCookie, sessionOf, setSessionCookie } from '../plugins/session.js'
import { bodyOf, replies } from '../schemas.js'
import { onRequest, type RouteDeps } from './context.js'

interface Credentials { email: string, password: string }

export function sessionRoutes (app: FastifyInstance, { ctx, config, requireSession, rateLimits }: RouteDeps): void {
  app.post<{ Body: Credentials }>('/sessions', {
    onRequest: onRequest(rateLimits.login),
    config: { refuseCrossSite: true },
    schema: { body: bodyOf(['email', 'password'], ['email', 'password']), response: { 200: replies.emailMessage } }
  }, async (request, reply) => {
    const user = await verifyCredentials(ctx, request.body, requesterOf(request))
    // Always a fresh token: a session id planted before login is never reused.
    const token = await createSession(ctx, user.id, { ip: request.ip, userAgent: request.headers['user-agent'] ?? null })
    setSessionCookie(reply, config, token)
    return { email: user.email, message: 'logged in' }
  })

  app.delete('/sessions', {
    onRequest: requireSession,
    schema: { response: { 200: replies.message, 204: { type: 'null' }, 302: { type: 'null' } } }
  }, async (request, reply) => {
    await invalidateSession(ctx, sessionOf(request).id)
    clearSessionCookie(reply, config)
    // The course project's app.py answers with redirect('/'); its clients follow it.
    if (config.compat === 'course') return await reply.code(302).header('location', '/').send()
    // RFC 7240: a client that asks for a minimal answer gets 204 (seed 000's behaviour).
    if (/\breturn=minimal\b/i.test(String(request.headers.prefer ?? ''))) {
      return await reply.code(204).header('preference-applied', 'return=minimal').send()
    }
    return { message: 'logged out' }
  })

  app.get('/profile', {
    onRequest: requireSession,
    schema: { response: { 200: replies.user } }
  }, async (request) => sessionOf(request).user)
}
