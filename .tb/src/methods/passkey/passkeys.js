// Passkeys (WebAuthn, @simplewebauthn/server): registered from a freshly authenticated
// session of a verified address (the routes ask flows/privileged.ts), listed, renamed,
// removed; a sign-in with a discoverable credential needs no email, and with the user
// verification it requires (the authenticator's PIN or biometric) no other factor: the
// passkey method proves the identity and flows/login.ts completes the sign-in. The relying party is the host of PUBLIC_URL; responses are accepted
// from this service's origins and TRUSTED_ORIGINS. Challenges are single use and short
// lived (challenges.ts); the sign counter and backup state are kept. This module owns the
// passkeys table.
import { createHash } from 'node:crypto';
import net from 'node:net';
import { AuthError } from '../../auth/errors.js';
import { queueNotice } from '../../auth/outgoing-mail.js';
import { secondFactorNotice } from '../../mail/messages.js';
import { findUserById } from '../../features/users/users.js';
import { failSignIn } from '../../flows/login/login.js';
import { consumeChallenge, storeChallenge } from './challenges.js';
export const PASSKEY_NAME_MAX = 64;
const MAX_PASSKEYS = 20;
let webauthn;
const library = async () => await (webauthn ??= import('@simplewebauthn/server'));
const keyOf = (credentialId) => createHash('sha256').update(credentialId).digest('hex');
function toPasskey(row) {
    return { id: row.credential_id, name: row.name, createdAt: Number(row.created_at), lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at), backedUp: Number(row.backed_up) === 1 };
}
/** Whether browsers can use passkeys here: not when PUBLIC_URL is on an IP address. */
export function passkeysAvailable(publicUrl) {
    return net.isIP(new URL(publicUrl).hostname.replace(/^\[|\]$/g, '')) === 0;
}
/** The relying party: its id (PUBLIC_URL's host) and the origins responses may come from. */
function relyingParty(ctx) {
    const { hostname } = new URL(ctx.config.publicUrl);
    const id = hostname.replace(/^\[|\]$/g, '');
    // Browsers refuse WebAuthn on an IP-address origin: say so instead of failing obscurely.
    if (net.isIP(id) !== 0)
        throw new AuthError('PASSKEYS_UNAVAILABLE');
    return { id, name: ctx.config.ui.brandName, origins: [...ctx.config.http.selfOrigins, ...ctx.config.http.trustedOrigins] };
}
/** The WebAuthn user handle of an account: stable, and not its id or email. */
function userHandleOf(userId) {
    const handle = new Uint8Array(16);
    handle.set(createHash('sha256').update(`authsvc webauthn user:${userId}`).digest().subarray(0, 16));
    return handle;
}
/** The challenge a response answers, read from its clientDataJSON (null when unreadable). */
function challengeOf(response) {
    try {
        const data = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8'));
        return typeof data.challenge === 'string' ? data.challenge : null;
    }
    catch {
        return null;
    }
}
async function rowsOf(db, userId) {
    return await db.selectFrom('passkeys').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
}
export async function listPasskeys(ctx, userId) {
    return (await rowsOf(ctx.db, userId)).map(toPasskey);
}
export async function countPasskeys(db, userId) {
    const row = await db.selectFrom('passkeys').select(eb => eb.fn.countAll().as('count')).where('user_id', '=', userId).executeTakeFirst();
    return Number(row?.count ?? 0);
}
/** Options for navigator.credentials.create(): a discoverable credential, none of the account's again. */
export async function passkeyRegistrationOptions(ctx, session) {
    const rp = relyingParty(ctx);
    await verifiedAccountOf(ctx, session);
    const existing = await rowsOf(ctx.db, session.user.id);
    const options = await (await library()).generateRegistrationOptions({
        rpName: rp.name,
        rpID: rp.id,
        userName: session.user.email,
        userID: userHandleOf(session.user.id),
        attestationType: 'none',
        excludeCredentials: existing.map(row => ({ id: row.credential_id })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        timeout: 120_000
    });
    await storeChallenge(ctx.db, options.challenge, 'registration', session.user.id, ctx.now());
    return options;
}
/** Verifies the browser's registration response and stores the passkey. */
export async function addPasskey(ctx, session, input, from) {
    const rp = relyingParty(ctx);
    const invalid = new AuthError('PASSKEY_INVALID');
    const challenge = challengeOf(input.response);
    const userId = session.user.id;
    const user = await verifiedAccountOf(ctx, session);
    if (challenge === null || !await consumeChallenge(ctx.db, challenge, 'registration', userId, ctx.now()))
        throw invalid;
    let verification;
    try {
        verification = await (await library()).verifyRegistrationResponse({ response: input.response, expectedChallenge: challenge, expectedOrigin: rp.origins, expectedRPID: rp.id, requireUserVerification: true });
    }
    catch {
        throw invalid; // a malformed or forged response: the library says why, the client needs no more
    }
    if (!verification.verified)
        throw invalid;
    const { credential, credentialDeviceType, credentialBackedUp } = verification.registrationInfo;
    const now = ctx.now();
    const name = (input.name ?? '').trim().slice(0, PASSKEY_NAME_MAX) || `Passkey ${new Date(now).toISOString().slice(0, 10)}`;
    await ctx.db.transaction().execute(async (trx) => {
        if (await countPasskeys(trx, userId) >= MAX_PASSKEYS)
            throw new AuthError('INVALID_FIELD', `an account holds at most ${MAX_PASSKEYS} passkeys`);
        if (await trx.selectFrom('passkeys').select('id').where('id', '=', keyOf(credential.id)).executeTakeFirst() !== undefined)
            throw invalid;
        await trx.insertInto('passkeys').values({
            id: keyOf(credential.id),
            user_id: userId,
            credential_id: credential.id,
            public_key: Buffer.from(credential.publicKey).toString('base64url'),
            sign_count: credential.counter,
            transports: credential.transports === undefined ? null : JSON.stringify(credential.transports),
            device_type: credentialDeviceType,
            backed_up: credentialBackedUp ? 1 : 0,
            name,
            created_at: now,
            last_used_at: null
        }).execute();
        await ctx.events.publish(trx, { type: 'passkey.added', userId, at: now, actor: from, details: { name } });
        await queueNotice(ctx, trx, secondFactorNotice('passkey_added', { to: user.email, language: user.language, at: now, ip: from.ip, name }), userId);
    });
    ctx.outbox.wake();
    return { id: credential.id, name, createdAt: now, lastUsedAt: null, backedUp: credentialBackedUp };
}
/** The session's account, which must have a verified address: a passkey added to an
 *  address nobody proved (a pre-hijacked account) would survive its owner's reset. */
async function verifiedAccountOf(ctx, session) {
    const user = await findUserById(ctx.db, session.user.id);
    if (user === undefined)
        throw new AuthError('FORBIDDEN', 'this account no longer exists');
    if (!user.emailVerified)
        throw new AuthError('EMAIL_NOT_VERIFIED', 'verify your email address before adding a passkey');
    return user;
}
async function ownRow(db, userId, id) {
    const row = await db.selectFrom('passkeys').selectAll().where('id', '=', keyOf(id)).where('user_id', '=', userId).executeTakeFirst();
    if (row === undefined)
        throw new AuthError('NOT_FOUND', 'no such passkey on this account');
    return row;
}
export async function renamePasskey(ctx, session, id, rawName) {
    const name = rawName.trim();
    if (name === '' || name.length > PASSKEY_NAME_MAX)
        throw new AuthError('INVALID_FIELD', `name must be 1 to ${PASSKEY_NAME_MAX} characters`, undefined, { field: 'name', rule: 'too_long', values: { max: PASSKEY_NAME_MAX } });
    const row = await ownRow(ctx.db, session.user.id, id);
    await ctx.db.updateTable('passkeys').set({ name }).where('id', '=', row.id).execute();
    return toPasskey({ ...row, name });
}
export async function removePasskey(ctx, session, id, from) {
    const userId = session.user.id;
    const row = await ownRow(ctx.db, userId, id);
    const now = ctx.now();
    await ctx.db.transaction().execute(async (trx) => {
        const deleted = await trx.deleteFrom('passkeys').where('id', '=', row.id).where('user_id', '=', userId).executeTakeFirst();
        if (deleted.numDeletedRows !== 1n)
            throw new AuthError('NOT_FOUND', 'no such passkey on this account');
        await ctx.events.publish(trx, { type: 'passkey.removed', userId, at: now, actor: from, details: { name: row.name } });
        const user = await findUserById(trx, userId);
        if (user !== undefined)
            await queueNotice(ctx, trx, secondFactorNotice('passkey_removed', { to: user.email, language: user.language, at: now, ip: from.ip, name: row.name }), userId);
    });
    ctx.outbox.wake();
}
/** Removes every passkey of the account (an operator's reset); returns how many. */
export async function removePasskeys(db, userId) {
    return Number((await db.deleteFrom('passkeys').where('user_id', '=', userId).executeTakeFirst()).numDeletedRows);
}
/** Options for navigator.credentials.get(): no credential named, the browser offers the user's. */
export async function passkeySignInOptions(ctx) {
    const rp = relyingParty(ctx);
    const options = await (await library()).generateAuthenticationOptions({ rpID: rp.id, userVerification: 'required', timeout: 120_000 });
    await storeChallenge(ctx.db, options.challenge, 'authentication', null, ctx.now());
    return options;
}
/**
 * Proves an identity with a passkey: the challenge used up, the signature checked against
 * the stored key with user verification required, the counter and backup state kept.
 * Any failure is the same PASSKEY_REFUSED, recorded as a failed sign-in (of the passkey's
 * account when it is known). `accountId` limits it to one account (re-authentication).
 */
export async function provePasskey(ctx, response, from, accountId) {
    const rp = relyingParty(ctx);
    let userId = null;
    const refuse = async () => {
        await failSignIn(ctx, { userId, method: 'passkey', reason: 'invalid_credentials' }, from);
        throw new AuthError('PASSKEY_REFUSED');
    };
    const challenge = challengeOf(response);
    if (challenge === null || typeof response.id !== 'string' || !await consumeChallenge(ctx.db, challenge, 'authentication', null, ctx.now()))
        return await refuse();
    const row = await ctx.db.selectFrom('passkeys').selectAll().where('id', '=', keyOf(response.id)).executeTakeFirst();
    if (row === undefined)
        return await refuse();
    userId = row.user_id;
    if (accountId !== undefined && row.user_id !== accountId)
        return await refuse();
    // A discoverable credential names its user; it must be the passkey's.
    if (response.response.userHandle !== undefined && response.response.userHandle !== Buffer.from(userHandleOf(row.user_id)).toString('base64url'))
        return await refuse();
    let verification;
    try {
        verification = await (await library()).verifyAuthenticationResponse({
            response,
            expectedChallenge: challenge,
            expectedOrigin: rp.origins,
            expectedRPID: rp.id,
            credential: { id: row.credential_id, publicKey: new Uint8Array(Buffer.from(row.public_key, 'base64url')), counter: Number(row.sign_count), transports: row.transports === null ? undefined : JSON.parse(row.transports) },
            // Without the PIN or biometric, a passkey is one factor: it must not stand in for two.
            requireUserVerification: true
        });
    }
    catch {
        return await refuse(); // no user verification, a counter gone backwards (a cloned authenticator): here too
    }
    if (!verification.verified)
        return await refuse();
    const user = await findUserById(ctx.db, row.user_id);
    if (user === undefined)
        return await refuse();
    const { newCounter, credentialBackedUp, credentialDeviceType } = verification.authenticationInfo;
    await ctx.db.updateTable('passkeys').set({ sign_count: newCounter, backed_up: credentialBackedUp ? 1 : 0, device_type: credentialDeviceType, last_used_at: ctx.now() }).where('id', '=', row.id).execute();
    return { user, methods: ['passkey'] };
}
