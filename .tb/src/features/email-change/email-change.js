import { normalizeEmail } from '../../auth/emails.js';
import { AuthError, invalidField } from '../../auth/errors.js';
import { mayMail, queueMail, queueNotice } from '../../auth/outgoing-mail.js';
import { consumeToken, findToken, issueToken, voidTokens } from '../../auth/one-time-tokens.js';
import { isUniqueViolation } from '../../db/errors.js';
import { emailChangeConfirmMessage, emailChangeRequestedNotice, emailChangeTakenNotice, emailChangedNotice } from '../../mail/messages.js';
import { findUserByEmail, findUserById, setEmail } from '../users/users.js';
/** How long the confirmation link works (the contract's hour). */
export const EMAIL_CHANGE_TTL_SECONDS = 3600;
/**
 * Asks to move the session's account to `newEmail`. Capped per account like reset mails:
 * past RESET_MAIL_LIMIT requests in the window, the same answer and nothing else.
 */
export async function requestEmailChange(ctx, session, input, from) {
    const newEmail = normalizeEmail(input.newEmail, 'new_email');
    const user = await findUserById(ctx.db, session.user.id);
    if (user === undefined)
        throw new AuthError('FORBIDDEN', 'this account no longer exists');
    if (newEmail === user.email)
        throw invalidField('new_email is already the address of this account', { field: 'new_email', rule: 'unchanged' });
    if (!await mayMail(ctx, `email-change:${user.id}`))
        return;
    const now = ctx.now();
    const owner = await findUserByEmail(ctx.db, newEmail);
    await ctx.db.transaction().execute(async (trx) => {
        await ctx.events.publish(trx, { type: 'email.change_requested', userId: user.id, at: now, actor: from });
        // A taken address gets no token: the mail there says so instead.
        const token = owner === undefined ? await issueToken(trx, { purpose: 'email_change', userId: user.id, ttlSeconds: EMAIL_CHANGE_TTL_SECONDS, now, data: newEmail }) : null;
        // Both capped by the request's own counter above.
        await queueMail(ctx, trx, emailChangeRequestedNotice({ to: user.email, language: user.language, newEmail, at: now, ip: from.ip }), user.id);
        await queueMail(ctx, trx, token === null
            ? emailChangeTakenNotice({ to: newEmail, language: owner?.language ?? user.language })
            : emailChangeConfirmMessage({ to: newEmail, language: user.language, oldEmail: user.email, token, publicUrl: ctx.config.publicUrl, ttlSeconds: EMAIL_CHANGE_TTL_SECONDS }), user.id);
    });
    ctx.outbox.wake();
}
/** The new address of a live confirmation token, without using it up (the page a mail
 *  link opens checks it first); null when the token would be refused. */
export async function newEmailOfChangeToken(ctx, token) {
    const found = await findToken(ctx.db, 'email_change', token, ctx.now());
    if (found === null || found.data === null)
        return null;
    return await findUserById(ctx.db, found.userId) === undefined ? null : found.data;
}
/**
 * Uses the token up and moves the account to the address it was mailed to, which is
 * thereby verified. Pending single-use tokens of the account void; the old address is
 * told. INVALID_TOKEN for a wrong, expired or used token; EMAIL_TAKEN when the address
 * got an account meanwhile (the token then stays usable until it expires).
 */
export async function confirmEmailChange(ctx, token, from) {
    const now = ctx.now();
    let moved;
    try {
        moved = await ctx.db.transaction().execute(async (trx) => {
            const found = await consumeToken(trx, 'email_change', token, now);
            if (found === null || found.data === null)
                throw new AuthError('INVALID_TOKEN');
            const user = await findUserById(trx, found.userId);
            if (user === undefined)
                throw new AuthError('INVALID_TOKEN');
            if (!await setEmail(trx, user.id, found.data, now, now))
                throw new AuthError('INVALID_TOKEN');
            // Reset links went to the old address, verification links to an address now gone.
            await voidTokens(trx, user.id);
            await ctx.events.publish(trx, { type: 'email.changed', userId: user.id, at: now, actor: from });
            await queueNotice(ctx, trx, emailChangedNotice({ to: user.email, language: user.language, newEmail: found.data, at: now, ip: from.ip }), user.id);
            return { newEmail: found.data };
        });
    }
    catch (error) {
        if (isUniqueViolation(error))
            throw new AuthError('EMAIL_TAKEN');
        throw error;
    }
    ctx.outbox.wake();
    return { email: moved.newEmail };
}
