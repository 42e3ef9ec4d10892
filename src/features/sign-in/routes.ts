// POST /sessions: sign in with email and password.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requesterOf } from '../../http/client-address.js'
import { setSessionCookie } from '../../http/plugins/session.js'
import { EmailMessageReply, errors, ref } from '../../http/schemas.js'
import type { FeatureOptions } from '../options.js'
import { signIn } from './sign-in.js'

const Credentials = Type.Object({ email: Type.String(), password: Type.String() })

export const signInRoutes: FastifyPluginAsyncTypebox<FeatureOptions> = async (app, { ctx, config }) => {
  app.post('/sessions', {
    config: { rateLimit: { bucket: 'login', max: config.limits.loginPerIp }, refuseCrossSite: true },
    schema: {
      operationId: 'signIn',
      summary: 'Sign in',
      description: 'Sets the session_id cookie (HttpOnly, SameSite=Lax); the same token works in the X-Session-ID header. ' +
        'Unknown email and wrong password get the same 401; the right password of an account an operator disabled gets 403 `account_disabled`.',
      tags: ['sessions'],
      body: Credentials,
      response: { 200: ref(EmailMessageReply, 'Signed in: the session_id cookie is set.'), ...errors(401, 403, 429, 503) }
    }
  }, async (request, reply) => {
    const { user, token } = await signIn(ctx, request.body, requesterOf(request))
    setSessionCookie(reply, config, token)
    return { email: user.email, message: 'logged in' }
  })
}
