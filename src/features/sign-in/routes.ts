// POST /sessions: sign in with email and password; POST /sessions/mfa: the TOTP step.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requesterOf } from '../../http/client-address.js'
import { setSessionCookie } from '../../http/plugins/session.js'
import { EmailMessageReply, errors, ref } from '../../http/schemas.js'
import type { FeatureOptions } from '../options.js'
import { completeSecondFactor } from './second-factor.js'
import { MFA_MAX_FAILURES, MFA_TOKEN_TTL_SECONDS, signIn } from './sign-in.js'

const Credentials = Type.Object({ email: Type.String(), password: Type.String() })
const SecondFactor = Type.Object({
  mfa_token: Type.String({ description: 'The mfa_token of the POST /sessions reply.' }),
  code: Type.String({ description: 'The 6-digit code of the authenticator app, or a recovery code (xxxx-xxxx-xxxx-xxxx).' })
})
const SignInReply = Type.Object({
  email: Type.String(),
  message: Type.String({ description: '"logged in", or "second factor required" with mfa_token and no cookie.' }),
  mfa_token: Type.Optional(Type.String({ description: `With TOTP on: POST it to /sessions/mfa with a code within ${MFA_TOKEN_TTL_SECONDS} s (single use, ${MFA_MAX_FAILURES} wrong codes).` }))
}, { additionalProperties: false, description: 'Signed in (the session_id cookie is set), or the second factor is required (mfa_token, no cookie).' })

export const signInRoutes: FastifyPluginAsyncTypebox<FeatureOptions> = async (app, { ctx, config }) => {
  const rateLimit = { bucket: 'login', max: config.limits.loginPerIp }
  app.post('/sessions', {
    config: { rateLimit, refuseCrossSite: true },
    schema: {
      operationId: 'signIn',
      summary: 'Sign in',
      description: 'Sets the session_id cookie (HttpOnly, SameSite=Lax); the same token works in the X-Session-ID header. ' +
        'Unknown email and wrong password get the same 401; the right password of an account an operator disabled gets 403 `account_disabled`. ' +
        'With TOTP on, the right password answers `second factor required` with an `mfa_token` and sets no cookie: finish with POST /sessions/mfa.',
      tags: ['sessions'],
      body: Credentials,
      response: { 200: SignInReply, ...errors('INVALID_FIELD', 'INVALID_CREDENTIALS', 'ACCOUNT_DISABLED', 'EMAIL_NOT_VERIFIED', 'FORBIDDEN', 'RATE_LIMITED', 'OVERLOADED') }
    }
  }, async (request, reply) => {
    const outcome = await signIn(ctx, request.body, requesterOf(request))
    if (outcome.kind === 'second_factor') return { email: outcome.user.email, message: 'second factor required', mfa_token: outcome.mfaToken }
    setSessionCookie(reply, config, outcome.token)
    return { email: outcome.user.email, message: 'logged in' }
  })

  app.post('/sessions/mfa', {
    config: { rateLimit, refuseCrossSite: true },
    schema: {
      operationId: 'signInSecondFactor',
      summary: 'Finish a sign-in with a TOTP or recovery code',
      description: 'A TOTP code is accepted once (a window of one 30-second step either side); a recovery code is used up. ' +
        `A wrong code counts toward the account's login throttle; after ${MFA_MAX_FAILURES} the mfa_token is void. ` +
        'A wrong code and an unknown, used or expired mfa_token get the same 401 `invalid_code`.',
      tags: ['sessions'],
      body: SecondFactor,
      response: { 200: ref(EmailMessageReply, 'Signed in: the session_id cookie is set.'), ...errors('MFA_FAILED', 'FORBIDDEN', 'RATE_LIMITED') }
    }
  }, async (request, reply) => {
    const { user, token } = await completeSecondFactor(ctx, { mfaToken: request.body.mfa_token, code: request.body.code }, requesterOf(request))
    setSessionCookie(reply, config, token)
    return { email: user.email, message: 'logged in' }
  })
}
