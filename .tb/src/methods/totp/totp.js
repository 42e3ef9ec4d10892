// TOTP (RFC 6238, `otpauth`): 6 digits, 30-second steps, SHA-1 (what every authenticator
// app reads), a window of one step either side. The secret (160 bits) is stored sealed by
// the SecretBox; an enrolment stays pending until a first code confirms it, for at most
// PENDING_TTL_SECONDS. Each accepted code records its step, atomically, and no step is
// accepted twice: a code seen over a shoulder or replayed is refused, on every instance.
// Setting up, confirming, turning off and new recovery codes are privileged actions (the
// routes ask flows/privileged.ts first); a second factor is for a verified address only.
// This module owns totp_credentials.
import { Secret, TOTP } from 'otpauth';
import { AuthError } from '../../auth/errors.js';
import { queueNotice } from '../../auth/outgoing-mail.js';
import { secondFactorNotice } from '../../mail/messages.js';
import { addSessionMethod } from '../../features/sessions/sessions.js';
import { findUserById } from '../../features/users/users.js';
import { countRecoveryCodes, deleteRecoveryCodes, generateRecoveryCodes, looksLikeRecoveryCode, replaceRecoveryCodes, useRecoveryCode } from '../recovery-code/recovery-codes.js';
const PERIOD_SECONDS = 30;
const WINDOW_STEPS = 1;
/** How long a set-up waits for its first code (API.md: 10 minutes). */
export const PENDING_TTL_SECONDS = 600;
const context = (userId) => `totp:${userId}`;
function totpOf(ctx, email, secret) {
    return new TOTP({ issuer: ctx.config.ui.brandName, label: email, algorithm: 'SHA1', digits: 6, period: PERIOD_SECONDS, secret: Secret.fromBase32(secret) });
}
async function credentialOf(ctx, db, userId) {
    const row = await db.selectFrom('totp_credentials').select(['secret', 'key_id', 'created_at', 'confirmed_at', 'last_used_step']).where('user_id', '=', userId).executeTakeFirst();
    if (row === undefined)
        return null;
    // A set-up left unconfirmed too long is as good as none (a stale session cannot finish it later).
    if (row.confirmed_at === null && Number(row.created_at) + PENDING_TTL_SECONDS * 1000 <= ctx.now())
        return null;
    const secret = ctx.secretBox.open({ box: row.secret, keyId: row.key_id }, context(userId));
    // A key removed from ENCRYPTION_KEY cannot open it: as good as no secret, and said so.
    if (secret === null)
        throw new Error(`the TOTP secret of user ${userId} cannot be decrypted: is its key (${row.key_id}) still in ENCRYPTION_KEY?`);
    return { secret, confirmed: row.confirmed_at !== null, lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step) };
}
/** Whether the account signs in with a TOTP code after its password. */
export async function hasTotp(db, userId) {
    const row = await db.selectFrom('totp_credentials').select('user_id').where('user_id', '=', userId).where('confirmed_at', 'is not', null).executeTakeFirst();
    return row !== undefined;
}
/** The 30-second step `code` is valid for (now, or one step either side), or null. */
function stepOf(ctx, totp, code) {
    if (!/^\d{6}$/.test(code))
        return null;
    const now = ctx.now();
    const delta = totp.validate({ token: code, timestamp: now, window: WINDOW_STEPS });
    return delta === null ? null : Math.floor(now / 1000 / PERIOD_SECONDS) + delta;
}
/** Records `step` as used unless it (or a later one) already was: true for the one request that may go on. */
async function claimStep(db, userId, step, confirmedOnly) {
    let update = db.updateTable('totp_credentials').set({ last_used_step: step }).where('user_id', '=', userId)
        .where(eb => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]));
    update = confirmedOnly ? update.where('confirmed_at', 'is not', null) : update.where('confirmed_at', 'is', null);
    return (await update.executeTakeFirst()).numUpdatedRows === 1n;
}
/** Starts (or restarts) an enrolment: a new pending secret. Only for a verified address:
 *  a second factor added to an address nobody proved would survive its owner's reset. */
export async function beginTotpEnrolment(ctx, session) {
    const user = await accountOf(ctx, session);
    if (!user.emailVerified)
        throw new AuthError('EMAIL_NOT_VERIFIED', 'verify your email address before setting up an authenticator app');
    if (await hasTotp(ctx.db, user.id))
        throw new AuthError('TOTP_ALREADY_ENABLED');
    const secret = new Secret({ size: 20 }).base32;
    const sealed = ctx.secretBox.seal(secret, context(user.id));
    await ctx.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('totp_credentials').where('user_id', '=', user.id).where('confirmed_at', 'is', null).execute();
        await trx.insertInto('totp_credentials').values({ user_id: user.id, secret: sealed.box, key_id: sealed.keyId, created_at: ctx.now(), confirmed_at: null, last_used_step: null }).execute();
    });
    return { secret, otpauthUrl: totpOf(ctx, user.email, secret).toString() };
}
/** The pending enrolment of the account (its QR code is shown again until confirmed), or null. */
export async function pendingTotpEnrolment(ctx, session) {
    const credential = await credentialOf(ctx, ctx.db, session.user.id);
    if (credential === null || credential.confirmed)
        return null;
    return { secret: credential.secret, otpauthUrl: totpOf(ctx, session.user.email, credential.secret).toString() };
}
/** Confirms the pending enrolment with a first code; returns the 10 recovery codes (shown
 *  once). The code proves the app to this session too: its methods gain 'totp'. */
export async function confirmTotp(ctx, session, code, from) {
    const user = await accountOf(ctx, session);
    if (!user.emailVerified)
        throw new AuthError('EMAIL_NOT_VERIFIED', 'verify your email address before setting up an authenticator app');
    const credential = await credentialOf(ctx, ctx.db, user.id);
    if (credential === null)
        throw new AuthError('TOTP_NOT_ENABLED', 'start the set-up first: POST /account/totp');
    if (credential.confirmed)
        throw new AuthError('TOTP_ALREADY_ENABLED');
    const step = stepOf(ctx, totpOf(ctx, user.email, credential.secret), code.trim());
    if (step === null)
        throw new AuthError('INVALID_CODE');
    const codes = generateRecoveryCodes();
    const now = ctx.now();
    await ctx.db.transaction().execute(async (trx) => {
        if (!await claimStep(trx, user.id, step, false))
            throw new AuthError('INVALID_CODE');
        await trx.updateTable('totp_credentials').set({ confirmed_at: now }).where('user_id', '=', user.id).execute();
        await replaceRecoveryCodes(trx, user.id, codes, now);
        await addSessionMethod(trx, session, 'totp');
        await ctx.events.publish(trx, { type: 'totp.enabled', userId: user.id, at: now, actor: from });
        await queueNotice(ctx, trx, secondFactorNotice('totp_enabled', { to: user.email, language: user.language, at: now, ip: from.ip }), user.id);
    });
    ctx.outbox.wake();
    return codes;
}
/** Turns TOTP off (and its recovery codes). */
export async function disableTotp(ctx, session, from) {
    const user = await accountOf(ctx, session);
    const now = ctx.now();
    await ctx.db.transaction().execute(async (trx) => {
        const deleted = await trx.deleteFrom('totp_credentials').where('user_id', '=', user.id).executeTakeFirst();
        await deleteRecoveryCodes(trx, user.id);
        if (deleted.numDeletedRows === 0n)
            throw new AuthError('TOTP_NOT_ENABLED');
        await ctx.events.publish(trx, { type: 'totp.disabled', userId: user.id, at: now, actor: from });
        await queueNotice(ctx, trx, secondFactorNotice('totp_disabled', { to: user.email, language: user.language, at: now, ip: from.ip }), user.id);
    });
    ctx.outbox.wake();
}
/** New recovery codes; the older ones void. */
export async function regenerateRecoveryCodes(ctx, session, from) {
    const user = await accountOf(ctx, session);
    if (!await hasTotp(ctx.db, user.id))
        throw new AuthError('TOTP_NOT_ENABLED');
    const codes = generateRecoveryCodes();
    const now = ctx.now();
    await ctx.db.transaction().execute(async (trx) => {
        await replaceRecoveryCodes(trx, user.id, codes, now);
        await ctx.events.publish(trx, { type: 'recovery_codes.regenerated', userId: user.id, at: now, actor: from });
    });
    return codes;
}
/** The second factor a code would be: 6 digits for the app, else a recovery code's shape, or null. */
export function secondFactorMethodOf(code) {
    return /^\d{6}$/.test(code) ? 'totp' : looksLikeRecoveryCode(code) ? 'recovery_code' : null;
}
/** Proves the account's second factor with `code` (the app's, accepted once, or a
 *  recovery code, used up); false when it does not. Run it in the transaction of what it
 *  authorizes, so a failure there spends nothing. */
export async function proveSecondFactor(ctx, db, user, code) {
    const method = secondFactorMethodOf(code);
    if (method === 'totp')
        return await useTotpCode(ctx, db, user, code);
    return method === 'recovery_code' && await useRecoveryCode(db, user.id, code);
}
/** A TOTP code of the account, accepted once (true), or refused (false). Run in the sign-in's transaction. */
export async function useTotpCode(ctx, db, user, code) {
    const credential = await credentialOf(ctx, db, user.id);
    if (credential === null || !credential.confirmed)
        return false;
    const step = stepOf(ctx, totpOf(ctx, user.email, credential.secret), code);
    return step !== null && await claimStep(db, user.id, step, true);
}
/** What the account page and GET /account show. */
export async function totpStatus(ctx, userId) {
    const enabled = await hasTotp(ctx.db, userId);
    return { enabled, recoveryCodes: enabled ? await countRecoveryCodes(ctx.db, userId) : 0 };
}
/** Removes the TOTP credential and recovery codes (an operator's reset); true when there was one. */
export async function removeTotp(db, userId) {
    const deleted = await db.deleteFrom('totp_credentials').where('user_id', '=', userId).executeTakeFirst();
    await deleteRecoveryCodes(db, userId);
    return deleted.numDeletedRows > 0n;
}
async function accountOf(ctx, session) {
    const user = await findUserById(ctx.db, session.user.id);
    if (user === undefined)
        throw new AuthError('FORBIDDEN', 'this account no longer exists');
    return user;
}
