import { Type } from 'typebox';
import { requesterOf } from '../../http/client-address.js';
import { EmailMessageReply, errors, ref } from '../../http/schemas.js';
import { requestPasswordReset, resetPassword } from './password-reset.js';
const ResetRequest = Type.Object({ email: Type.String() });
const ResetRequested = Type.Object({
    email: Type.String(),
    message: Type.String(),
    reset_token: Type.Optional(Type.String({ description: 'Only with RESET_TOKEN_IN_RESPONSE or COMPAT=course (never in production).' }))
}, { additionalProperties: false, description: 'The same answer whether or not the email has an account.' });
const Reset = Type.Object({
    email: Type.String(),
    reset_token: Type.String({ description: 'The token of the reset mail.' }),
    new_password: Type.String()
});
export const passwordResetRoutes = async (app, { ctx, config, v1 }) => {
    const rateLimit = { bucket: 'reset', max: config.limits.resetPerIp };
    app.post('/reset_password', {
        config: { rateLimit },
        schema: {
            operationId: 'requestPasswordReset',
            summary: 'Mail a reset token',
            description: 'An unknown email gets the same answer and no mail (403 only in the legacy RESET_TOKEN_IN_RESPONSE mode).',
            tags: ['password reset'],
            body: ResetRequest,
            response: { 200: ResetRequested, ...errors('INVALID_FIELD', 'FORBIDDEN', 'ACCOUNT_DISABLED') }
        }
    }, async (request) => {
        const { email, token } = await requestPasswordReset(ctx, request.body.email, requesterOf(request));
        const reply = { email, message: 'reset token sent' };
        // Legacy clients only; config.ts refuses this mode in production.
        return config.resetToken.inResponse && token !== null ? { ...reply, reset_token: token } : reply;
    });
    app.put('/reset_password', {
        config: { rateLimit },
        schema: {
            operationId: 'resetPassword',
            summary: 'Set a new password with a reset token',
            description: 'The token is used up and every session of the account ends (COMPAT=course keeps them, as the course does).',
            tags: ['password reset'],
            body: Reset,
            response: { 200: ref(EmailMessageReply, 'The password is changed; every session of the account has ended.'), ...errors('INVALID_FIELD', 'INVALID_TOKEN', 'FORBIDDEN', 'OVERLOADED') }
        }
    }, async (request) => {
        const { email } = await resetPassword(ctx, {
            email: request.body.email,
            token: request.body.reset_token,
            newPassword: request.body.new_password
        }, requesterOf(request), v1?.resetPassword);
        return { email, message: 'Password updated' };
    });
};
