import { insertOutboxMessage } from '../outbox/outbox.js';
/** Counts a mail under `key`; false once `limit` (RESET_MAIL_LIMIT unless given; 0: no cap) is reached in the window. */
export async function mayMail(ctx, key, limit = ctx.config.limits.resetMailPerEmail) {
    if (limit === 0)
        return true;
    const { count } = await ctx.counters.increment(key, ctx.config.limits.resetMailWindowSeconds * 1000);
    return count <= limit;
}
/** Writes the mail to the outbox on `db`; nothing when it is null. */
export async function queueMail(ctx, db, message, userId) {
    if (message === null)
        return;
    await insertOutboxMessage(db, ctx.secretBox, { channel: 'mail', kind: message.kind, userId, recipient: message.to, body: message }, ctx.now(), ctx.config.outbox.giveUpAfterMs);
}
/**
 * A notice to the account's owner (password changed, email changed, a second factor
 * added …), capped per account like the other mails: a run of changes cannot be turned
 * into a flood of mail to someone's inbox. Past the cap the change still happens, unmailed
 * (the audit log keeps it).
 */
export async function queueNotice(ctx, db, message, userId) {
    if (await mayMail(ctx, `notice-mail:${userId}`, ctx.config.limits.noticeMailPerAccount))
        await queueMail(ctx, db, message, userId);
}
