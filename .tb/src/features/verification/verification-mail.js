import { issueToken } from '../../auth/one-time-tokens.js';
import { mayMail, queueMail } from '../../auth/outgoing-mail.js';
import { isForeignKeyViolation } from '../../db/errors.js';
import { verificationMessage } from '../../mail/messages.js';
/**
 * Issues a new verification token for the address on `db` (the caller's transaction:
 * the sign-up's, the email change's), voiding older links, with its
 * email.verification_sent event. Returns the mail to send once that commits, or null
 * past the per-account cap.
 */
export async function issueVerification(ctx, db, user, from, options = {}) {
    if (!await mayMail(ctx, `verify-mail:${user.id}`))
        return null;
    const now = ctx.now();
    const ttlSeconds = ctx.config.verification.tokenTtlSeconds;
    const token = await issueToken(db, { purpose: 'email_verification', userId: user.id, ttlSeconds, now, data: user.email, voidOlder: options.newAccount !== true && options.keepOlder !== true });
    await ctx.events.publish(db, { type: 'email.verification_sent', userId: user.id, at: now, actor: from });
    return verificationMessage({ to: user.email, language: user.language, token, publicUrl: ctx.config.publicUrl, ttlSeconds });
}
/** Issues a token and the mail that carries it, after the reply (a refused unverified sign-in). */
export function sendVerificationLater(ctx, user, from, options = {}) {
    ctx.background.defer('verification mail', async () => {
        try {
            await ctx.db.transaction().execute(async (trx) => { await queueMail(ctx, trx, await issueVerification(ctx, trx, user, from, options), user.id); });
        }
        catch (error) {
            if (isForeignKeyViolation(error))
                return; // the account was deleted meanwhile
            throw error;
        }
        ctx.outbox.wake();
    });
}
