import { claimDueMessages, markFailed, markRetry, markSent } from './outbox.js';
const BATCH = 20;
/** Messages in flight at once (the SMTP transport pools its connections). */
const CONCURRENCY = 4;
/** The delay before attempt `attempts + 1`: doubling from `base`, capped, with half of it random. */
export function retryDelay(attempts, baseMs, maxMs, random = Math.random) {
    const delay = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(delay / 2 + random() * delay / 2);
}
/** The error as the record keeps it: its code and message, never a stack. */
function describe(error) {
    if (!(error instanceof Error))
        return String(error);
    const code = error.code;
    return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}
export function createOutboxSender(options) {
    const { db, box, now, log } = options;
    let stopped = false;
    /** Delivers one claimed message; true when it went out (marked sent with its batch). */
    async function attempt(message) {
        if ('unreadable' in message) {
            await giveUp(message, 'its body was sealed with a key that is no longer in ENCRYPTION_KEY');
            return false;
        }
        try {
            await options.deliverers[message.channel](message.body);
            return true;
        }
        catch (error) {
            const reason = describe(error);
            options.onResult?.(message, 'failed');
            const at = now();
            if (at >= message.giveUpAt) {
                await giveUp(message, reason);
                return false;
            }
            // The last attempt falls on the give-up time, not after it.
            const next = Math.min(message.giveUpAt, at + retryDelay(message.attempts, options.retryDelayMs, options.retryMaxDelayMs));
            log.warn({ outbox: message.id, channel: message.channel, kind: message.kind, attempts: message.attempts, error: reason, retryAt: new Date(next).toISOString() }, 'outgoing message failed; tried again later');
            await markRetry(db, message.id, next, reason);
            return false;
        }
    }
    async function giveUp(message, reason) {
        await markFailed(db, message.id, reason);
        log.warn({ outbox: message.id, channel: message.channel, kind: message.kind, attempts: message.attempts, error: reason }, 'outgoing message given up (authsvc outbox retry ID sends it again)');
        options.onResult?.(message, 'given_up');
        await options.onGiveUp?.(message);
    }
    return {
        async deliverDue() {
            let tried = 0;
            while (!stopped) {
                const queue = await claimDueMessages(db, box, now(), BATCH, options.attemptLeaseMs);
                const claimed = queue.length;
                const sent = [];
                await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
                    // Once stopped, what is claimed and not tried waits for its lease to end.
                    for (let message = queue.shift(); message !== undefined && !stopped; message = queue.shift()) {
                        if (await attempt(message))
                            sent.push(message);
                        tried++;
                    }
                }));
                // One statement for the batch (a burst of sign-ups costs one, not one each).
                await markSent(db, sent.map(message => message.id), now());
                for (const message of sent)
                    options.onResult?.(message, 'sent');
                if (claimed < BATCH)
                    break;
            }
            return tried;
        },
        stop() { stopped = true; }
    };
}
