import { Type } from 'typebox';
import { requesterOf } from '../../http/client-address.js';
import { sessionOf } from '../../http/plugins/session.js';
import { errors, MessageReply, ref } from '../../http/schemas.js';
import { beginTotpEnrolment, confirmTotp, disableTotp, regenerateRecoveryCodes } from './totp.js';
const CurrentPassword = Type.Object({ current_password: Type.Optional(Type.String({ description: 'Needed only when the session was not authenticated within REAUTH_MAX_AGE (and the account has no second factor); a wrong one is 403 `invalid_credentials`.' })) }, { additionalProperties: false });
const Code = Type.Object({ code: Type.String({ description: 'The 6-digit code the authenticator app shows.' }) }, { additionalProperties: false });
const RecoveryCodes = Type.Array(Type.String(), { description: '10 codes (xxxx-xxxx-xxxx-xxxx), each good for one sign-in; shown only now, stored hashed.' });
const EnrolmentReply = Type.Object({
    secret: Type.String({ description: 'The key in base32, to type into the app.' }),
    otpauth_url: Type.String({ description: 'otpauth://totp/… for a QR code.' })
}, { additionalProperties: false, description: 'Pending until POST /account/totp/confirm; a new POST replaces it.' });
export const mfaRoutes = async (app, { ctx, config }) => {
    const routeConfig = { rateLimit: { bucket: 'account', max: config.limits.accountPerIp }, requireSession: true, privileged: true };
    app.post('/account/totp', {
        config: routeConfig,
        schema: {
            operationId: 'beginTotp',
            summary: 'Start setting up an authenticator app',
            description: 'A privileged action: a session authenticated within REAUTH_MAX_AGE, or current_password (a wrong one is 403 `invalid_credentials` and counts toward the login throttle); 403 `email_not_verified` until the address is verified. The pending secret lives 10 minutes.',
            tags: ['second factors'],
            body: CurrentPassword,
            response: { 200: EnrolmentReply, ...errors('FORBIDDEN', 'WRONG_CURRENT_PASSWORD', 'RATE_LIMITED', 'OVERLOADED', 'TOTP_ALREADY_ENABLED', 'EMAIL_NOT_VERIFIED') }
        }
    }, async (request) => {
        const { secret, otpauthUrl } = await beginTotpEnrolment(ctx, sessionOf(request));
        return { secret, otpauth_url: otpauthUrl };
    });
    app.post('/account/totp/confirm', {
        config: routeConfig,
        schema: {
            operationId: 'confirmTotp',
            summary: 'Turn TOTP on with a first code',
            description: 'Only from a session authenticated within REAUTH_MAX_AGE (403 `reauthentication_required` otherwise), within 10 minutes of POST /account/totp.',
            tags: ['second factors'],
            body: Code,
            response: {
                200: Type.Object({ message: Type.String(), recovery_codes: RecoveryCodes }, { additionalProperties: false, description: 'TOTP is on: sign-in asks for a code after the password.' }),
                ...errors('FORBIDDEN', 'TOTP_NOT_ENABLED', 'TOTP_ALREADY_ENABLED', 'INVALID_CODE', 'EMAIL_NOT_VERIFIED')
            }
        }
    }, async (request) => {
        const codes = await confirmTotp(ctx, sessionOf(request), request.body.code, requesterOf(request));
        return { message: 'totp enabled', recovery_codes: codes };
    });
    app.delete('/account/totp', {
        config: routeConfig,
        schema: {
            operationId: 'disableTotp',
            summary: 'Turn TOTP off',
            description: 'Its recovery codes go too.',
            tags: ['second factors'],
            body: CurrentPassword,
            response: { 200: ref(MessageReply, 'TOTP is off.'), ...errors('FORBIDDEN', 'WRONG_CURRENT_PASSWORD', 'RATE_LIMITED', 'OVERLOADED', 'TOTP_NOT_ENABLED') }
        }
    }, async (request) => {
        await disableTotp(ctx, sessionOf(request), requesterOf(request));
        return { message: 'totp disabled' };
    });
    app.post('/account/recovery_codes', {
        config: routeConfig,
        schema: {
            operationId: 'regenerateRecoveryCodes',
            summary: 'New recovery codes',
            description: 'The older codes void.',
            tags: ['second factors'],
            body: CurrentPassword,
            response: { 200: Type.Object({ recovery_codes: RecoveryCodes }, { additionalProperties: false, description: 'The new codes.' }), ...errors('FORBIDDEN', 'WRONG_CURRENT_PASSWORD', 'RATE_LIMITED', 'OVERLOADED', 'TOTP_NOT_ENABLED') }
        }
    }, async (request) => {
        return { recovery_codes: await regenerateRecoveryCodes(ctx, sessionOf(request), requesterOf(request)) };
    });
};
