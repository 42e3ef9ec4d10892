import { Type } from 'typebox';
import { AuthError, invalidField } from '../../auth/errors.js';
import { requesterOf } from '../../http/client-address.js';
import { languageOf } from '../../http/language.js';
import { clearSessionCookie, sessionOf } from '../../http/plugins/session.js';
import { EmailMessageReply, errors, integerParam, ref, UserReply } from '../../http/schemas.js';
import { deleteAccount, updateAccount } from '../../flows/settings.js';
import { registerUser } from './users.js';
const PASSWORD_DOC = 'The password (PASSWORD_MIN_LENGTH to 1024 characters unless COMPAT=course).';
const HASHED_PASSWORD_DOC = 'Another name for `password` (seed 004\'s clients), plain text all the same; `password` wins when both are sent.';
// email and a password, under either name. The fields and their types are checked first,
// then that a password came, so each refusal names the field it did before (the first
// failing keyword is the one reported): "email is required", "hashed_password must be a
// string", "password is required".
const Registration = Type.Intersect([
    Type.Object({
        email: Type.String({ description: 'Trimmed and lower-cased; at most 254 characters.' }),
        password: Type.Optional(Type.String({ description: PASSWORD_DOC })),
        hashed_password: Type.Optional(Type.String({ description: HASHED_PASSWORD_DOC }))
    }),
    Type.Union([
        Type.Object({ password: Type.String({ description: PASSWORD_DOC }) }),
        Type.Object({ hashed_password: Type.String({ description: HASHED_PASSWORD_DOC }) })
    ], { description: '`password` is required; `hashed_password` may stand for it.' })
]);
const UserUpdate = Type.Object({
    email: Type.Optional(Type.String({ description: 'A new email: left unverified, a verification link is mailed to it and a notice to the old one.' })),
    password: Type.Optional(Type.String({ description: 'A new password: every other session ends; reset and email-change links void; a notice is mailed.' })),
    current_password: Type.Optional(Type.String({ description: 'Needed only when the session was not authenticated within REAUTH_MAX_AGE (and the account has no second factor).' }))
}, { additionalProperties: false });
const UserParams = Type.Object({ id: integerParam('The user id (`User.id`); any other than the session\'s own answers 403, whether it exists or not.') });
/** The session's own user id; any other id, existing or not, is 403. */
function ownUserId(request) {
    const { user } = sessionOf(request);
    if (request.params.id !== String(user.id))
        throw new AuthError('FORBIDDEN', 'forbidden: not your account');
    return user.id;
}
export const userRoutes = async (app, { ctx, config }) => {
    const { limits } = config;
    app.post('/users', {
        config: { rateLimit: { bucket: 'register', max: limits.registerPerIp }, refuseCrossSite: true },
        schema: {
            operationId: 'registerUser',
            summary: 'Sign up',
            description: 'Creates an account. Sign in afterwards with POST /sessions. Its mail will be in the language Accept-Language prefers among en and fr (English otherwise); PUT /account changes it.',
            tags: ['users'],
            body: Registration,
            response: { 200: ref(EmailMessageReply, 'The account was created.'), ...errors('INVALID_FIELD', 'EMAIL_TAKEN', 'OVERLOADED') }
        }
    }, async (request) => {
        // `hashed_password` is seed 004's name for the same plain-text field.
        const password = request.body.password ?? request.body.hashed_password;
        if (password === undefined)
            throw invalidField('password is required');
        const user = await registerUser(ctx, { email: request.body.email, password, language: languageOf(request) }, requesterOf(request));
        return { email: user.email, message: 'user created' };
    });
    app.get('/users/:id', {
        config: { requireSession: true },
        schema: {
            operationId: 'getUser',
            summary: 'The signed-in user',
            tags: ['users'],
            params: UserParams,
            response: { 200: ref(UserReply, 'The session\'s own account.'), ...errors('FORBIDDEN') }
        }
    }, async (request) => {
        ownUserId(request);
        return sessionOf(request).user;
    });
    app.put('/users/:id', {
        // A wrong current_password costs a hash: limited per IP, and throttled per account.
        config: { rateLimit: { bucket: 'account', max: limits.accountPerIp }, requireSession: true, privileged: true },
        schema: {
            operationId: 'updateUser',
            summary: 'Change the email and/or the password',
            description: 'A privileged action: a session authenticated within REAUTH_MAX_AGE (with the second factor when TOTP is on), or current_password; else 403 `reauthentication_required`. ' +
                'Both changes are made together or not at all. Unknown or protected attributes (id, hashed_password, reset_token, session_id …) are refused with 400.',
            tags: ['users'],
            params: UserParams,
            body: UserUpdate,
            response: { 200: ref(EmailMessageReply, 'Changed; the email is the account\'s current one.'), ...errors('INVALID_FIELD', 'EMAIL_TAKEN', 'FORBIDDEN', 'REAUTHENTICATION_REQUIRED', 'WRONG_CURRENT_PASSWORD', 'RATE_LIMITED', 'OVERLOADED') }
        }
    }, async (request) => {
        const { email, password } = request.body;
        const user = await updateAccount(ctx, ownUserId(request), { email, password }, requesterOf(request), { keepSessionId: sessionOf(request).id });
        return { email: user.email, message: 'user updated' };
    });
    app.delete('/users/:id', {
        config: { requireSession: true, privileged: true, sessionCookie: { action: 'clear' } },
        schema: {
            operationId: 'deleteUser',
            summary: 'Delete the account',
            description: 'A privileged action: only from a session authenticated within REAUTH_MAX_AGE (with the second factor when TOTP is on), else 403 `reauthentication_required`. Its sessions, credentials and tokens go with it.',
            tags: ['users'],
            params: UserParams,
            response: { 200: Type.Object({}, { additionalProperties: false, description: 'Deleted: always {}.' }), ...errors('FORBIDDEN', 'NOT_FOUND') }
        }
    }, async (request, reply) => {
        await deleteAccount(ctx, ownUserId(request), requesterOf(request));
        clearSessionCookie(reply, config);
        return {};
    });
};
