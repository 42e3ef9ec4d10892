import { Type } from 'typebox';
import { requesterOf } from '../../http/client-address.js';
import { sessionOf } from '../../http/plugins/session.js';
import { EmailMessageReply, errors, MessageReply, ref } from '../../http/schemas.js';
import { resendVerification, verifyEmail } from './verification.js';
const Verification = Type.Object({ token: Type.String({ description: 'The token of the verification mail (its link\'s `token`).' }) });
export const verificationRoutes = async (app, { ctx, config }) => {
    app.post('/verify_email', {
        // A token route, limited per IP with the reset routes.
        config: { rateLimit: { bucket: 'reset', max: config.limits.resetPerIp }, refuseCrossSite: true },
        schema: {
            operationId: 'verifyEmail',
            summary: 'Verify the email address with a mailed token',
            description: 'The token is used up. It verifies only the address it was mailed to.',
            tags: ['account'],
            body: Verification,
            response: { 200: ref(EmailMessageReply, '{"email","message":"email verified"}'), ...errors('INVALID_TOKEN') }
        }
    }, async (request) => {
        const { email } = await verifyEmail(ctx, request.body.token, requesterOf(request));
        return { email, message: 'email verified' };
    });
    app.post('/account/verify_email', {
        config: { requireSession: true },
        schema: {
            operationId: 'resendVerification',
            summary: 'Mail a new verification link',
            description: `Older links stop working. Past RESET_MAIL_LIMIT (${config.limits.resetMailPerEmail}) mails per RESET_MAIL_WINDOW for the account (the sign-up's counts), the same answer and no mail, as for reset mails.`,
            tags: ['account'],
            response: { 200: ref(MessageReply, '{"message":"verification mail sent"}'), ...errors('ALREADY_VERIFIED', 'FORBIDDEN') }
        }
    }, async (request) => {
        await resendVerification(ctx, sessionOf(request), requesterOf(request));
        return { message: 'verification mail sent' };
    });
};
