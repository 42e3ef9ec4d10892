import { Type } from 'typebox';
import { completeSignIn, MFA_MAX_ATTEMPTS, MFA_TOKEN_TTL_SECONDS } from '../../flows/login/login.js';
import { requesterOf } from '../../http/client-address.js';
import { setSessionCookie } from '../../http/plugins/session.js';
import { errors } from '../../http/schemas.js';
import { provePassword } from './password.js';
const Credentials = Type.Object({ email: Type.String(), password: Type.String() });
const SignInReply = Type.Object({
    email: Type.String(),
    message: Type.String({ description: '"logged in", or "second factor required" with mfa_token and no cookie.' }),
    mfa_token: Type.Optional(Type.String({ description: `With TOTP on: POST it to /sessions/mfa with a code within ${MFA_TOKEN_TTL_SECONDS} s (single use, ${MFA_MAX_ATTEMPTS} codes).` }))
}, { additionalProperties: false, description: 'Signed in (the session_id cookie is set), or the second factor is required (mfa_token, no cookie).' });
export const passwordRoutes = async (app, { ctx, config }) => {
    app.post('/sessions', {
        config: { rateLimit: { bucket: 'login', max: config.limits.loginPerIp }, refuseCrossSite: true, sessionCookie: { action: 'set', when: 'Not when a second factor is still required (mfa_token).' } },
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
        const from = requesterOf(request);
        const outcome = await completeSignIn(ctx, await provePassword(ctx, request.body, from), from);
        if (outcome.kind === 'second_factor')
            return { email: outcome.user.email, message: 'second factor required', mfa_token: outcome.mfaToken };
        setSessionCookie(reply, config, outcome.token);
        return { email: outcome.user.email, message: 'logged in' };
    });
};
