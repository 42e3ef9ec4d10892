import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AuthError, invalidField } from '../../auth/errors.js'
import { deleteUser, registerUser, updateUser } from '../../auth/users.js'
import { requesterOf } from '../client-address.js'
import { clearSessionCookie, sessionOf } from '../plugins/session.js'
import { bodyOf, replies } from '../schemas.js'
import { onRequest, type RouteDeps } from './context.js'

interface Registration { email: string, password?: string, hashed_password?: string }
interface UserUpdateBody { email?: string, password?: string, current_password?: string }
interface UserParams { id: string }

/** The session's own user id; any other id, existing or not, is 403. */
function ownUserId (request: FastifyRequest<{ Params: UserParams }>): number {
  const { user } = sessionOf(request)
  if (request.params.id !== String(user.id)) throw new AuthError('FORBIDDEN', 'forbidden: not your account')
  return user.id
}

export function userRoutes (app: FastifyInstance, { ctx, config, requireSession, rateLimits }: RouteDeps): void {
  app.post<{ Body: Registration }>('/users', {
    onRequest: onRequest(rateLimits.register),
    config: { refuseCrossSite: true },
    schema: { body: bodyOf(['email'], ['email', 'password', 'hashed_password']), response: { 200: replies.emailMessage } }
  }, async (request) => {
    // `hashed_password` is seed 004's name for the same plain-text field.
    const password = request.body.password ?? request.body.hashed_password
    if (password === undefined) throw invalidField('password is required')
    const email = await registerUser(ctx, { email: request.body.email, password }, requesterOf(request))
    return { email, message: 'user created' }
  })

  app.get<{ Params: UserParams }>('/users/:id', {
    onRequest: requireSession,
    schema: { response: { 200: replies.user } }
  }, async (request) => {
    ownUserId(request)
    return sessionOf(request).user
  })

  app.put<{ Params: UserParams, Body: UserUpdateBody }>('/users/:id', {
    // A wrong current_password costs a hash: limited per IP, and throttled per account.
    onRequest: onRequest(rateLimits.account, requireSession),
    schema: { body: bodyOf([], ['email', 'password', 'current_password'], true), response: { 200: replies.emailMessage } }
  }, async (request) => {
    const userId = ownUserId(request)
    const { email, password, current_password: currentPassword } = request.body
    const user = await updateUser(ctx, userId, sessionOf(request), { email, password, currentPassword }, requesterOf(request))
    return { email: user.email, message: 'user updated' }
  })

  app.delete<{ Params: UserParams }>('/users/:id', {
    onRequest: requireSession,
    schema: { response: { 200: replies.empty } }
  }, async (request, reply) => {
    await deleteUser(ctx, ownUserId(request))
    clearSessionCookie(reply, config)
    return {}
  })
}
