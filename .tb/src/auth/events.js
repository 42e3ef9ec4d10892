/** Every event type, in the order of an account's life. */
export const SECURITY_EVENT_TYPES = [
    'user.created',
    'user.deleted',
    'login.succeeded',
    'login.failed',
    'login.throttled',
    'logout',
    'session.reauthenticated',
    'password.changed',
    'password.reset_requested',
    'password.reset',
    'email.change_requested',
    'email.changed',
    'email.verification_sent',
    'email.verified',
    'session.revoked',
    'user.disabled',
    'user.enabled',
    'sessions.pruned',
    'login.mfa_required',
    'totp.enabled',
    'totp.disabled',
    'recovery_code.used',
    'recovery_codes.regenerated',
    'passkey.added',
    'passkey.removed',
    'mfa.reset',
    'mail.given_up'
];
export function createSecurityEvents(subscribers) {
    return {
        async publish(db, event) {
            if (subscribers.length === 0)
                return;
            // The actor as the event defines it: a caller's Requester carries more (its queue key).
            const { ip, userAgent, requestId, operator, session } = event.actor;
            const actor = { ip, userAgent, requestId, ...(operator === undefined ? {} : { operator }), ...(session === undefined ? {} : { session }) };
            const reported = { ...event, actor };
            for (const subscriber of subscribers)
                await subscriber(db, reported);
        },
        async atomically(db, change) {
            return subscribers.length === 0 ? await change(db) : await db.transaction().execute(change);
        }
    };
}
