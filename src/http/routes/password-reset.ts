import type { FastifyInstance } from 'fastify'
import { requestPasswordReset, resetPassword } from '../../auth/password-reset.js'
import { requesterOf } from '../client-address.js'
import { bodyOf, replies } from '../schemas.js'
import { onRequest, type RouteDeps } from './context.js'

interface ResetRequestBody { email: string }
interface ResetBody { email: string, reset_token: string, new_password: string }

export function passwordResetRoutes (app: FastifyInstance, { ctx, config, rateLimits }: RouteDeps): void {
  app.post<{ Body: ResetRequestBody }>('/reset_password', {
    onRequest: onRequest(rateLimits.reset),
    schema: { body: bodyOf(['email'], ['email']), response: { 200: replies.resetRequested } }
  }, async (request) => {
    const { email, token } = await requestPasswordReset(ctx, request.body.email)
    const reply = { email, message: 'reset token sent' }
    // Legacy clients only; config.ts refuses this mode in production.
    return config.resetToken.inResponse && token !== null ? { ...reply, reset_token: token } : reply
  })

  app.put<{ Body: ResetBody }>('/reset_password', {
    onRequest: onRequest(rateLimits.reset),
    schema: { body: bodyOf(['email', 'reset_token', 'new_password'], ['email', 'reset_token', 'new_password']), response: { 200: replies.emailMessage } }
  }, async (request) => {
    const { email } = await resetPassword(ctx, {
      email: request.body.email,
      token: request.body.reset_token,
      newPassword: request.body.new_password,
      client: requesterOf(request).client
    })
    return { email, message: 'Password updated' }
  })
}
