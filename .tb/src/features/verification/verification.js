import { AuthError } from '../../auth/errors.js';
import { consumeToken, findToken } from '../../auth/one-time-tokens.js';
import { findAccountById, setEmailVerified } from '../users/users.js';
import { queueMail } from '../../auth/outgoing-mail.js';
import { issueVerification } from './verification-mail.js';
/** The address a live verification token would verify, without using it up (the page a
 *  mail link opens checks it first); null when the token would be refused. */
export async function emailOfVerificationToken(ctx, token) {
    const found = await findToken(ctx.db, 'email_verification', token, ctx.now());
    if (found === null)
        return null;
    const account = await findAccountById(ctx.db, found.userId);
    return account === undefined || account.email !== found.data ? null : account.email;
}
/** Uses the token up and marks the address verified; returns it. INVALID_TOKEN when the
 *  token is wrong, expired, used, or was sent to an address the account no longer has. */
export async function verifyEmail(ctx, token, from) {
    const now = ctx.now();
    return await ctx.db.transaction().execute(async (trx) => {
        const found = await consumeToken(trx, 'email_verification', token, now);
        if (found === null)
            throw new AuthError('INVALID_TOKEN');
        const account = await findAccountById(trx, found.userId);
        if (account === undefined || account.email !== found.data)
            throw new AuthError('INVALID_TOKEN');
        if (await setEmailVerified(trx, account.id, now)) {
            await ctx.events.publish(trx, { type: 'email.verified', userId: account.id, at: now, actor: from });
        }
        return { email: account.email };
    });
}
/** Sends a new link to the session's account (older ones void). ALREADY_VERIFIED when
 *  there is nothing to verify. Past the per-account cap, as with reset mails: the same
 *  answer, and no link, no mail. */
export async function resendVerification(ctx, session, from) {
    const account = await findAccountById(ctx.db, session.user.id);
    if (account === undefined)
        throw new AuthError('FORBIDDEN', 'this account no longer exists');
    if (account.emailVerifiedAt !== null)
        throw new AuthError('ALREADY_VERIFIED');
    await ctx.db.transaction().execute(async (trx) => { await queueMail(ctx, trx, await issueVerification(ctx, trx, account, from), account.id); });
    ctx.outbox.wake();
}
