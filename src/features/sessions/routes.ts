// DELETE /sessions (sign out), GET /profile (who is signed in), POST /sessions/token (a
// JWT of the session for backends), and the account's own sessions: GET /account/sessions,
// DELETE /account/sessions/:id, DELETE /account/sessions.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requesterOf } from '../../http/client-address.js'
import { clearSessionCookie, sessionOf } from '../../http/plugins/session.js'
import { errors, MessageReply, ref, UserReply } from '../../http/schemas.js'
import { issueSessionJwt } from '../../provider/session-jwt.js'
import type { FeatureOptions } from '../options.js'
import { endSession, listUserSessions, revokeOtherSessions, revokeSession } from './sessions.js'

const SessionList = Type.Object({
  sessions: Type.Array(Type.Object({
    id: Type.String({ description: 'A public handle of the session: neither its token nor the token\'s hash. DELETE /account/sessions/{id} ends it.' }),
    created_at: Type.String({ description: 'When the sign-in made it (ISO 8601, UTC).' }),
    last_seen_at: Type.String({ description: 'When it was last used, to the minute (it is written at most once a minute).' }),
    expires_at: Type.String({ description: 'When it ends unless used again (idle expiry, never past the absolute expiry).' }),
    ip: Type.Union([Type.String(), Type.Null()], { description: 'The client address at sign-in.' }),
    user_agent: Type.Union([Type.String(), Type.Null()], { description: 'The User-Agent at sign-in.' }),
    methods: Type.Array(Type.String(), { description: 'How it was authenticated, in the order used: ["password"], ["password","totp"], ["password","recovery_code"], ["passkey"]; [] for a session older than this record.' }),
    authenticated_at: Type.String({ description: 'When it was last authenticated: its sign-in, or its latest POST /sessions/reauthenticate (ISO 8601, UTC).' }),
    current: Type.Boolean({ description: 'The session this request came with.' })
  }, { additionalProperties: false }))
}, { additionalProperties: false, description: 'The account\'s live sessions, newest first.' })

const SessionParams = Type.Object({ id: Type.String({ description: 'A session handle from GET /account/sessions.' }) })

const OthersRevoked = Type.Object({
  message: Type.String(),
  revoked: Type.Integer({ description: 'How many sessions ended.' })
}, { additionalProperties: false })

const TokenQuery = Type.Object({
  audience: Type.Optional(Type.String({ description: 'The JWT\'s `aud`: one of SESSION_JWT_AUDIENCES. Left out: no `aud`.' }))
})

const SessionToken = Type.Object({
  access_token: Type.String({ description: 'A JWT signed RS256 by the service\'s current signing key (its `kid` in the header, `typ` `session+jwt`), with `sub`, `sid`, `amr`, `iat`, `exp`, `iss` and, when asked for, `aud`. Verify it against the JWKS of the OpenID Connect provider.' }),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds it is valid (SESSION_JWT_TTL).' })
}, { additionalProperties: false, description: 'A short-lived JWT of the current session.' })

const iso = (time: number): string => new Date(time).toISOString()

export const sessionRoutes: FastifyPluginAsyncTypebox<FeatureOptions> = async (app, { ctx, config }) => {
  app.delete('/sessions', {
    config: { requireSession: true, sessionCookie: { action: 'clear' } },
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

  app.post('/sessions/token', {
    config: { requireSession: true },
    schema: {
      operationId: 'issueSessionToken',
      summary: 'A JWT of the session, for backends',
      description: `A JWT of the current session, valid ${config.sessionJwt.ttlSeconds} s (SESSION_JWT_TTL), that a backend verifies offline against the service's JWKS: \`sub\` (the account's subject, as in ID tokens), \`sid\` (the session's public handle, as in GET /account/sessions), \`amr\` (how the session was authenticated, RFC 8176 spelling: \`pwd\`, \`otp\`, \`hwk\`, …), \`iat\`, \`exp\`, \`iss\` (PUBLIC_URL), and \`aud\` when \`?audience=\` names one of SESSION_JWT_AUDIENCES.`,
      tags: ['sessions'],
      querystring: TokenQuery,
      response: { 200: SessionToken, ...errors('INVALID_FIELD', 'FORBIDDEN') }
    }
  }, async (request) => {
    const { token, expiresInSeconds } = await issueSessionJwt(ctx, sessionOf(request), request.query.audience)
    return { access_token: token, token_type: 'Bearer' as const, expires_in: expiresInSeconds }
  })

  app.get('/account/sessions', {
    config: { requireSession: true },
    schema: { operationId: 'listAccountSessions', summary: 'The account\'s sessions (devices)', tags: ['account'], response: { 200: SessionList } }
  }, async (request) => {
    const sessions = await listUserSessions(ctx, sessionOf(request))
    return {
      sessions: sessions.map(session => ({
        id: session.handle,
        created_at: iso(session.createdAt),
        last_seen_at: iso(session.lastSeenAt),
        expires_at: iso(session.expiresAt),
        ip: session.ip,
        user_agent: session.userAgent,
        methods: [...session.methods],
        authenticated_at: iso(session.authenticatedAt),
        current: session.current
      }))
    }
  })

  app.delete('/account/sessions/:id', {
    config: { requireSession: true, sessionCookie: { action: 'clear', when: 'Only when the session ended is the one presented.' } },
    schema: {
      operationId: 'revokeAccountSession',
      summary: 'End one of the account\'s sessions',
      description: 'Signs that device out. The current session may be named too (then the cookie is cleared).',
      tags: ['account'],
      params: SessionParams,
      response: { 200: ref(MessageReply, '{"message":"session revoked"}'), ...errors('NOT_FOUND') }
    }
  }, async (request, reply) => {
    const session = sessionOf(request)
    const from = requesterOf(request)
    await revokeSession(ctx, session, request.params.id, from)
    if (request.params.id === from.session) clearSessionCookie(reply, config)
    return { message: 'session revoked' }
  })

  app.delete('/account/sessions', {
    config: { requireSession: true },
    schema: {
      operationId: 'revokeOtherSessions',
      summary: 'Sign out everywhere else',
      description: 'Ends every session of the account but the one presented.',
      tags: ['account'],
      response: { 200: OthersRevoked }
    }
  }, async (request) => {
    const revoked = await revokeOtherSessions(ctx, sessionOf(request), requesterOf(request))
    return { message: 'other sessions revoked', revoked }
  })
}
