import { Type } from 'typebox';
import { requesterOf } from '../../http/client-address.js';
import { sessionOf, setSessionCookie } from '../../http/plugins/session.js';
import { EmailMessageReply, errors, MessageReply, ref } from '../../http/schemas.js';
import { completeSignIn } from '../../flows/login/login.js';
import { addPasskey, listPasskeys, PASSKEY_NAME_MAX, passkeyRegistrationOptions, passkeySignInOptions, provePasskey, removePasskey, renamePasskey } from './passkeys.js';
const PasskeyReply = Type.Object({
    id: Type.String({ description: 'The credential id (base64url).' }),
    name: Type.String(),
    created_at: Type.String({ description: 'ISO 8601, UTC.' }),
    last_used_at: Type.Union([Type.String(), Type.Null()], { description: 'ISO 8601, UTC; null until its first sign-in.' }),
    backed_up: Type.Boolean({ description: 'Synced by its provider (a multi-device passkey).' })
}, { additionalProperties: false });
const CeremonyResponse = Type.Object({
    id: Type.String(),
    rawId: Type.String(),
    type: Type.String(),
    response: Type.Object({ clientDataJSON: Type.String() }, { additionalProperties: true }),
    clientExtensionResults: Type.Optional(Type.Object({}, { additionalProperties: true })),
    authenticatorAttachment: Type.Optional(Type.String())
}, { additionalProperties: true, description: 'What @simplewebauthn/browser\'s startRegistration() / startAuthentication() returned.' });
const WebAuthnOptions = Type.Object({ challenge: Type.String() }, { additionalProperties: true, description: 'WebAuthn options in their JSON form, for @simplewebauthn/browser.' });
const PasskeyParams = Type.Object({ id: Type.String({ maxLength: 1400, description: 'The credential id (base64url) from GET /account/passkeys.' }) });
function passkeyReply(passkey) {
    return { id: passkey.id, name: passkey.name, created_at: new Date(passkey.createdAt).toISOString(), last_used_at: passkey.lastUsedAt === null ? null : new Date(passkey.lastUsedAt).toISOString(), backed_up: passkey.backedUp };
}
export const passkeyRoutes = async (app, { ctx, config }) => {
    const signedIn = { requireSession: true };
    // Adding or removing a way to sign in: a session authenticated within REAUTH_MAX_AGE.
    const privileged = { requireSession: true, privileged: true };
    const fresh = 'A privileged action: only from a session authenticated within REAUTH_MAX_AGE (with the second factor when TOTP is on), else 403 `reauthentication_required`; 403 `email_not_verified` until the address is verified.';
    const tags = ['passkeys'];
    app.post('/account/passkeys/options', {
        config: { ...privileged, rateLimit: { bucket: 'account', max: config.limits.accountPerIp } },
        schema: { operationId: 'passkeyRegistrationOptions', summary: 'Options to register a passkey', description: fresh, tags, response: { 200: WebAuthnOptions, ...errors('PASSKEYS_UNAVAILABLE', 'EMAIL_NOT_VERIFIED', 'FORBIDDEN') } }
    }, async (request) => await passkeyRegistrationOptions(ctx, sessionOf(request)));
    app.post('/account/passkeys', {
        config: { ...privileged, rateLimit: { bucket: 'account', max: config.limits.accountPerIp } },
        schema: {
            operationId: 'addPasskey',
            summary: 'Register a passkey',
            description: `${fresh} The authenticator must verify its user (PIN or biometric).`,
            tags,
            body: Type.Object({ name: Type.Optional(Type.String({ maxLength: 200 })), response: CeremonyResponse }, { additionalProperties: false }),
            response: { 200: { ...PasskeyReply, description: 'The passkey is registered.' }, ...errors('PASSKEYS_UNAVAILABLE', 'PASSKEY_INVALID', 'EMAIL_NOT_VERIFIED', 'INVALID_FIELD', 'FORBIDDEN') }
        }
    }, async (request) => {
        const passkey = await addPasskey(ctx, sessionOf(request), { name: request.body.name, response: request.body.response }, requesterOf(request));
        return passkeyReply(passkey);
    });
    app.get('/account/passkeys', {
        config: signedIn,
        schema: { operationId: 'listPasskeys', summary: 'The account\'s passkeys', tags, response: { 200: Type.Object({ passkeys: Type.Array(PasskeyReply) }, { additionalProperties: false, description: 'Oldest first.' }) } }
    }, async (request) => ({ passkeys: (await listPasskeys(ctx, sessionOf(request).user.id)).map(passkeyReply) }));
    app.put('/account/passkeys/:id', {
        config: signedIn,
        schema: {
            operationId: 'renamePasskey',
            summary: 'Rename a passkey',
            tags,
            params: PasskeyParams,
            body: Type.Object({ name: Type.String({ description: `1 to ${PASSKEY_NAME_MAX} characters.` }) }, { additionalProperties: false }),
            response: { 200: { ...PasskeyReply, description: 'Renamed.' }, ...errors('INVALID_FIELD', 'NOT_FOUND') }
        }
    }, async (request) => passkeyReply(await renamePasskey(ctx, sessionOf(request), request.params.id, request.body.name)));
    app.delete('/account/passkeys/:id', {
        config: privileged,
        schema: { operationId: 'removePasskey', summary: 'Remove a passkey', description: fresh, tags, params: PasskeyParams, response: { 200: ref(MessageReply, 'Removed.'), ...errors('NOT_FOUND') } }
    }, async (request) => {
        await removePasskey(ctx, sessionOf(request), request.params.id, requesterOf(request));
        return { message: 'passkey removed' };
    });
    const login = { rateLimit: { bucket: 'login', max: config.limits.loginPerIp }, refuseCrossSite: true };
    // The login page asks for these as it loads (the browser's passkey autofill): a budget of
    // their own, so page views do not use up the sign-in attempts of RATE_LIMIT_LOGIN.
    app.post('/sessions/passkey/options', {
        config: { rateLimit: { bucket: 'passkey', max: config.limits.loginPerIp * 2 }, refuseCrossSite: true },
        schema: { operationId: 'passkeySignInOptions', summary: 'Options to sign in with a passkey', description: 'No email: the browser offers the passkeys it holds for this service.', tags, response: { 200: WebAuthnOptions, ...errors('PASSKEYS_UNAVAILABLE') } }
    }, async () => await passkeySignInOptions(ctx));
    app.post('/sessions/passkey', {
        config: { ...login, sessionCookie: { action: 'set' } },
        schema: {
            operationId: 'signInWithPasskey',
            summary: 'Sign in with a passkey',
            description: 'A complete sign-in (the authenticator must verify its user: PIN or biometric), so no TOTP step after it; then the account rules of every sign-in (403 `account_disabled`, `email_not_verified`). Every failure of the passkey itself is the same 401.',
            tags,
            body: Type.Object({ response: CeremonyResponse }, { additionalProperties: false }),
            response: { 200: ref(EmailMessageReply, 'Signed in: the session_id cookie is set.'), ...errors('PASSKEYS_UNAVAILABLE', 'PASSKEY_REFUSED', 'ACCOUNT_DISABLED', 'EMAIL_NOT_VERIFIED', 'FORBIDDEN') }
        }
    }, async (request, reply) => {
        const from = requesterOf(request);
        const outcome = await completeSignIn(ctx, await provePasskey(ctx, request.body.response, from), from);
        // A passkey with user verification is the second factor too: there is no further step.
        if (outcome.kind !== 'signed_in')
            throw new Error('a passkey sign-in asked for a second factor');
        setSessionCookie(reply, config, outcome.token);
        return { email: outcome.user.email, message: 'logged in' };
    });
};
