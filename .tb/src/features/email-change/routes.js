import { Type } from 'typebox';
import { requesterOf } from '../../http/client-address.js';
import { sessionOf } from '../../http/plugins/session.js';
import { EmailMessageReply, errors, MessageReply, ref } from '../../http/schemas.js';
import { confirmEmailChange, requestEmailChange } from './email-change.js';
const EmailChange = Type.Object({
    new_email: Type.String({ description: 'The address to move to; trimmed and lower-cased.' }),
    current_password: Type.Optional(Type.String({ description: 'Needed only when the session was not authenticated within REAUTH_MAX_AGE (and the account has no second factor); a wrong one is 403 `invalid_credentials`.' }))
}, { additionalProperties: false });
const Confirmation = Type.Object({ token: Type.String({ description: 'The token of the confirmation mail (its link\'s `token`).' }) });
export const emailChangeRoutes = async (app, { ctx, config }) => {
    app.post('/account/email', {
        // A wrong current_password costs a hash: limited per IP, and throttled per account.
        config: { rateLimit: { bucket: 'account', max: config.limits.accountPerIp }, requireSession: true, privileged: true },
        schema: {
            operationId: 'requestEmailChange',
            summary: 'Ask to change the email address',
            description: 'A privileged action (a recent authentication, or current_password; see PUT /account/password). Mails a confirmation link (1 h) to the new address and a notice to the current one; nothing changes until POST /email_change/confirm. ' +
                'A new address that already has an account gets a mail saying so instead, and the answer is the same. Past RESET_MAIL_LIMIT requests per RESET_MAIL_WINDOW for the account, the same answer and no mail.',
            tags: ['account'],
            body: EmailChange,
            response: { 200: ref(MessageReply, '{"message":"confirmation sent"}'), ...errors('INVALID_FIELD', 'FORBIDDEN', 'WRONG_CURRENT_PASSWORD', 'RATE_LIMITED', 'OVERLOADED') }
        }
    }, async (request) => {
        await requestEmailChange(ctx, sessionOf(request), { newEmail: request.body.new_email }, requesterOf(request));
        return { message: 'confirmation sent' };
    });
    app.post('/email_change/confirm', {
        // A token route, limited per IP with the reset routes.
        config: { rateLimit: { bucket: 'reset', max: config.limits.resetPerIp }, refuseCrossSite: true },
        schema: {
            operationId: 'confirmEmailChange',
            summary: 'Confirm a change of email address',
            description: 'The token is used up; the account moves to the new address, which is thereby verified; pending reset links void; the old address is told.',
            tags: ['account'],
            body: Confirmation,
            response: { 200: ref(EmailMessageReply, '{"email":NEW,"message":"email changed"}'), ...errors('INVALID_TOKEN', 'EMAIL_TAKEN') }
        }
    }, async (request) => {
        const { email } = await confirmEmailChange(ctx, request.body.token, requesterOf(request));
        return { email, message: 'email changed' };
    });
};
