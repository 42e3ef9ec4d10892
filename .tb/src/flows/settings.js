import { normalizeEmail } from '../auth/emails.js';
import { AuthError, invalidField } from '../auth/errors.js';
import { TAKEOVER_PURPOSES, voidTokens } from '../auth/one-time-tokens.js';
import { queueMail, queueNotice } from '../auth/outgoing-mail.js';
import { checkPasswordPolicy } from '../auth/password-policy.js';
import { isUniqueViolation } from '../db/errors.js';
import { invalidateUserSessions } from '../features/sessions/sessions.js';
import { deleteUserRow, findUserById, isEmailTaken, setEmail } from '../features/users/users.js';
import { issueVerification } from '../features/verification/verification-mail.js';
import { storePasswordHash } from '../identity/password-credential.js';
import { emailChangedNotice, passwordChangedNotice, passwordWasResetNotice } from '../mail/messages.js';
import { endLoginFlows } from '../tokens/login-flows.js';
/** Checks the policy and hashes (before any write: a refusal changes nothing). */
async function hashNewPassword(ctx, user, input, from) {
    checkPasswordPolicy(ctx.config.passwordPolicy, input.password, user.email, input.field);
    return await ctx.hasher.hash(input.password, from.client);
}
/** The writes of a new password, on the change's transaction; returns how many sessions ended. */
async function applyNewPassword(ctx, trx, userId, hash, options) {
    const now = ctx.now();
    if (await findUserById(trx, userId) === undefined)
        throw new AuthError('FORBIDDEN', 'this account no longer exists');
    await storePasswordHash(trx, userId, hash, now);
    const sessionsEnded = options.endSessions === false ? 0 : await invalidateUserSessions(trx, userId, options.keepSessionId);
    await endLoginFlows(trx, userId);
    await voidTokens(trx, userId, ...TAKEOVER_PURPOSES);
    return sessionsEnded;
}
/** Sets the account's password, with every consequence above and its notice, in one
 *  transaction. Returns how many sessions ended. */
export async function setPassword(ctx, user, input, from, options = {}) {
    const hash = await hashNewPassword(ctx, user, input, from);
    const now = ctx.now();
    const sessionsEnded = await ctx.db.transaction().execute(async (trx) => {
        const reset = await options.reset?.(trx) ?? { wiped: false };
        const sessionsEnded = await applyNewPassword(ctx, trx, user.id, hash, options);
        const details = { sessions_ended: sessionsEnded, ...(reset.wiped ? { credentials_removed: true } : {}) };
        await ctx.events.publish(trx, { type: options.reset === undefined ? 'password.changed' : 'password.reset', userId: user.id, at: now, actor: from, details });
        const notice = { to: user.email, language: user.language, at: now, ip: from.ip };
        await queueNotice(ctx, trx, options.reset === undefined ? passwordChangedNotice(notice) : passwordWasResetNotice({ ...notice, credentialsRemoved: reset.wiped }), user.id);
        return sessionsEnded;
    });
    ctx.outbox.wake();
    return sessionsEnded;
}
/** The writes of a direct email change on the change's transaction, with the notice to
 *  the old address and the new address's verification mail. */
async function applyNewEmail(ctx, trx, user, email, from) {
    const now = ctx.now();
    if (!await setEmail(trx, user.id, email, null, now))
        throw new AuthError('FORBIDDEN', 'this account no longer exists');
    // Every link went to the old address: none may serve the account once it has moved.
    await voidTokens(trx, user.id);
    await ctx.events.publish(trx, { type: 'email.changed', userId: user.id, at: now, actor: from });
    await queueNotice(ctx, trx, emailChangedNotice({ to: user.email, language: user.language, newEmail: email, at: now, ip: from.ip }), user.id);
    await queueMail(ctx, trx, await issueVerification(ctx, trx, { id: user.id, email, language: user.language }, from), user.id);
}
/**
 * A direct change of email and/or password (v1 PUT /users/:id, `authsvc users set-email`),
 * in one transaction: both or neither. `keepSessionId`, the session making it, stays
 * signed in when the password changes.
 */
export async function updateAccount(ctx, userId, changes, from, options = {}) {
    if (changes.email === undefined && changes.password === undefined)
        throw invalidField('nothing to update: send email and/or password');
    const user = await findUserById(ctx.db, userId);
    if (user === undefined)
        throw new AuthError('FORBIDDEN');
    const email = changes.email === undefined ? user.email : normalizeEmail(changes.email);
    const emailChanges = email !== user.email;
    const hash = changes.password === undefined ? undefined : await hashNewPassword(ctx, { email }, { password: changes.password, field: 'password' }, from);
    if (emailChanges && await isEmailTaken(ctx.db, email))
        throw new AuthError('EMAIL_TAKEN');
    const now = ctx.now();
    try {
        await ctx.db.transaction().execute(async (trx) => {
            if (hash !== undefined) {
                const sessionsEnded = await applyNewPassword(ctx, trx, user.id, hash, options);
                await ctx.events.publish(trx, { type: 'password.changed', userId: user.id, at: now, actor: from, details: { sessions_ended: sessionsEnded } });
                // Told at the address the account had, since the new one is unproven.
                await queueNotice(ctx, trx, passwordChangedNotice({ to: user.email, language: user.language, at: now, ip: from.ip }), user.id);
            }
            if (emailChanges)
                await applyNewEmail(ctx, trx, user, email, from);
        });
    }
    catch (error) {
        if (isUniqueViolation(error))
            throw new AuthError('EMAIL_TAKEN');
        throw error;
    }
    ctx.outbox.wake();
    return { id: user.id, email };
}
/** Deletes the account; its sessions, credentials and tokens go with it (ON DELETE CASCADE). */
export async function deleteAccount(ctx, userId, from) {
    await ctx.db.transaction().execute(async (trx) => {
        // Published first: a subscriber may still read the account it concerns.
        await ctx.events.publish(trx, { type: 'user.deleted', userId, at: ctx.now(), actor: from });
        if (!await deleteUserRow(trx, userId))
            throw new AuthError('NOT_FOUND', 'no such account');
    });
}
