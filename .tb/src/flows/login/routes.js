import { Type } from 'typebox';
import { requesterOf } from '../../http/client-address.js';
import { sessionOf, setSessionCookie } from '../../http/plugins/session.js';
import { EmailMessageReply, errors, MessageReply, ref } from '../../http/schemas.js';
import { continueSignIn, MFA_MAX_ATTEMPTS, MFA_TOKEN_TTL_SECONDS } from './login.js';
import { reauthenticate } from './reauthenticate.js';
const SecondFactor = Type.Object({
    mfa_token: Type.String({ description: 'The mfa_token of the POST /sessions reply.' }),
    code: Type.String({ description: 'The 6-digit code of the authenticator app, or a recovery code (xxxx-xxxx-xxxx-xxxx).' })
});
const Reauthentication = Type.Object({
    password: Type.Optional(Type.String({ description: 'The account\'s password.' })),
    code: Type.Optional(Type.String({ description: 'With TOTP on: the authenticator app\'s code, or a recovery code.' })),
    response: Type.Optional(Type.Object({ id: Type.String(), response: Type.Object({ clientDataJSON: Type.String() }, { additionalProperties: true }) }, {
        additionalProperties: true,
        description: 'Instead of password and code: a passkey assertion of this account (startAuthentication() of @simplewebauthn/browser, with the options of POST /sessions/passkey/options).'
    }))
}, { additionalProperties: false });
export const loginFlowRoutes = async (app, { ctx, config }) => {
    const rateLimit = { bucket: 'login', max: config.limits.loginPerIp };
    app.post('/sessions/mfa', {
        config: { rateLimit, refuseCrossSite: true, sessionCookie: { action: 'set' } },
        schema: {
            operationId: 'signInSecondFactor',
            summary: 'Finish a sign-in with a TOTP or recovery code',
            description: 'A TOTP code is accepted once (a window of one 30-second step either side); a recovery code is used up. ' +
                `Each code counts toward the account's login throttle and, before it is judged, toward the mfa_token's ${MFA_MAX_ATTEMPTS} (it lives ${MFA_TOKEN_TTL_SECONDS} s). ` +
                'A wrong code and an unknown, used or expired mfa_token get the same 401 `invalid_code`.',
            tags: ['sessions'],
            body: SecondFactor,
            response: { 200: ref(EmailMessageReply, 'Signed in: the session_id cookie is set.'), ...errors('MFA_FAILED', 'ACCOUNT_DISABLED', 'EMAIL_NOT_VERIFIED', 'FORBIDDEN', 'RATE_LIMITED') }
        }
    }, async (request, reply) => {
        const { user, token } = await continueSignIn(ctx, { mfaToken: request.body.mfa_token, code: request.body.code }, requesterOf(request));
        setSessionCookie(reply, config, token);
        return { email: user.email, message: 'logged in' };
    });
    app.post('/sessions/reauthenticate', {
        config: { rateLimit, requireSession: true, refuseCrossSite: true },
        schema: {
            operationId: 'reauthenticate',
            summary: 'Authenticate the current session again',
            description: 'Before a privileged action (adding or removing a passkey or TOTP, changing the email or password, deleting the account) from a session older than REAUTH_MAX_AGE: ' +
                'the password, plus `code` when TOTP is on; or a passkey `response`. The session\'s `methods` and `authenticated_at` are updated (GET /account/sessions). ' +
                'A wrong password is 401 `invalid_credentials`, a wrong or missing code 401 `invalid_code`; both count toward the account\'s login throttle.',
            tags: ['sessions'],
            body: Reauthentication,
            response: { 200: ref(MessageReply, '{"message":"reauthenticated"}'), ...errors('INVALID_FIELD', 'INVALID_CREDENTIALS', 'WRONG_CODE', 'PASSKEY_REFUSED', 'PASSKEYS_UNAVAILABLE', 'FORBIDDEN', 'RATE_LIMITED', 'OVERLOADED') }
        }
    }, async (request) => {
        const { password, code, response } = request.body;
        await reauthenticate(ctx, sessionOf(request), { password, code, passkeyResponse: response }, requesterOf(request));
        return { message: 'reauthenticated' };
    });
};
