// DELETE /sessions (sign out) and GET /profile (who is signed in).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requesterOf } from '../../http/client-address.js'
import { clearSessionCookie, sessionOf } from '../../http/plugins/session.js'
import { MessageReply, ref, UserReply } from '../../http/schemas.js'
import type { FeatureOptions } from '../options.js'
import { endSession } from './sessions.js'

export const sessionRoutes: FastifyPluginAsyncTypebox<FeatureOptions> = async (app, { ctx, config }) => {
  app.delete('/sessions', {
    config: { requireSession: true },
    schema: {
      operationId: 'signOut',
      summary: 'Sign out',
      description: 'Ends the session presented and clears the cookie. `Prefer: return=minimal` gets 204; under COMPAT=course the answer is 302 to /.',
      tags: ['sessions'],
      response: { 200: ref(MessageReply, 'Signed out: {"message":"logged out"}.'), 204: Type.Null({ description: 'With Prefer: return=minimal' }), 302: Type.Null({ description: 'Under COMPAT=course: Location: /' }) }
    }
  }, async (request, reply) => {
    await endSession(ctx, sessionOf(request), requesterOf(request))
    clearSessionCookie(reply, config)
    // The course project's app.py answers with redirect('/'); its clients follow it.
    if (config.compat === 'course') return await reply.code(302).header('location', '/').send(null)
    // RFC 7240: a client that asks for a minimal answer gets 204 (seed 000's behaviour).
    if (/\breturn=minimal\b/i.test(String(request.headers.prefer ?? ''))) {
      return await reply.code(204).header('preference-applied', 'return=minimal').send(null)
    }
    return { message: 'logged out' }
  })

  app.get('/profile', {
    config: { requireSession: true },
    schema: { operationId: 'getProfile', summary: 'The signed-in user', tags: ['sessions'], response: { 200: ref(UserReply, 'The signed-in user.') } }
  }, async (request) => sessionOf(request).user)
}
