import { Type } from 'typebox';
import { requesterOf } from '../../http/client-address.js';
import { sessionOf } from '../../http/plugins/session.js';
import { errors, MessageReply, ref } from '../../http/schemas.js';
import { LANGUAGES } from '../../i18n/languages.js';
import { changeLanguage, changePassword, getAccount } from './account.js';
const AccountReply = Type.Object({
    id: Type.Integer(),
    email: Type.String(),
    email_verified: Type.Boolean({ description: 'Accounts created before verification existed, and imported ones, start unverified.' }),
    created_at: Type.String({ description: 'ISO 8601, UTC.' }),
    language: Type.String({ description: `The language of the account's mail: ${LANGUAGES.join(', ')}.` }),
    totp_enabled: Type.Boolean({ description: 'Whether sign-in asks for a TOTP code after the password.' }),
    passkeys: Type.Integer({ description: 'How many passkeys the account has.' })
}, { additionalProperties: false, description: 'The session\'s own account.' });
const AccountUpdate = Type.Object({
    language: Type.String({ description: `One of ${LANGUAGES.join(', ')}.` })
}, { additionalProperties: false });
const PasswordChange = Type.Object({
    current_password: Type.Optional(Type.String({ description: 'Needed only when the session was not authenticated within REAUTH_MAX_AGE (and the account has no second factor); a wrong one is 403 `invalid_credentials`.' })),
    new_password: Type.String({ description: 'Under the password policy (PASSWORD_MIN_LENGTH to 1024 characters, not a common password).' })
}, { additionalProperties: false });
function accountReply(account) {
    return {
        id: account.id,
        email: account.email,
        email_verified: account.emailVerifiedAt !== null,
        created_at: new Date(account.createdAt).toISOString(),
        language: account.language,
        totp_enabled: account.totpEnabled,
        passkeys: account.passkeys
    };
}
export const accountRoutes = async (app, { ctx, config }) => {
    app.get('/account', {
        config: { requireSession: true },
        schema: { operationId: 'getAccount', summary: 'The account', tags: ['account'], response: { 200: AccountReply, ...errors('FORBIDDEN') } }
    }, async (request) => accountReply(await getAccount(ctx, sessionOf(request).user.id)));
    app.put('/account', {
        config: { requireSession: true },
        schema: {
            operationId: 'updateAccount',
            summary: 'Change the account\'s language',
            tags: ['account'],
            body: AccountUpdate,
            response: { 200: AccountReply, ...errors('INVALID_FIELD', 'FORBIDDEN') }
        }
    }, async (request) => accountReply(await changeLanguage(ctx, sessionOf(request).user.id, request.body.language)));
    app.put('/account/password', {
        // A wrong current_password costs a hash: limited per IP, and throttled per account.
        config: { rateLimit: { bucket: 'account', max: config.limits.accountPerIp }, requireSession: true, privileged: true },
        schema: {
            operationId: 'changePassword',
            summary: 'Change the password',
            description: 'A privileged action: a session authenticated within REAUTH_MAX_AGE (with the second factor when TOTP is on), or current_password; else 403 `reauthentication_required`. Every other session of the account ends, this one stays; pending reset and email-change links void; a notice is mailed.',
            tags: ['account'],
            body: PasswordChange,
            response: { 200: ref(MessageReply, '{"message":"password updated"}'), ...errors('INVALID_FIELD', 'FORBIDDEN', 'WRONG_CURRENT_PASSWORD', 'RATE_LIMITED', 'OVERLOADED') }
        }
    }, async (request) => {
        await changePassword(ctx, sessionOf(request), request.body.new_password, requesterOf(request));
        return { message: 'password updated' };
    });
};
