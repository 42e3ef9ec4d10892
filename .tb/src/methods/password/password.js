import { normalizeEmail } from '../../auth/emails.js';
import { AuthError } from '../../auth/errors.js';
import { reserveLoginAttempt } from '../../auth/login-throttle.js';
import { findUserByEmail } from '../../features/users/users.js';
import { failSignIn } from '../../flows/login/login.js';
import { findPasswordHash, replacePasswordHash } from '../../identity/password-credential.js';
/** Whether `password` is the account's, re-hashing a legacy hash on success. */
async function checkPassword(ctx, userId, password, from) {
    const stored = userId === null ? null : await findPasswordHash(ctx.db, userId);
    // An unknown email or an account without a password costs a verification too: its
    // answer takes as long as a wrong password's.
    if (stored === null) {
        await ctx.hasher.verifyDummy(password, from.client);
        return false;
    }
    const check = await ctx.hasher.verify(stored, password, from.client);
    if (check.valid && check.needsRehash && userId !== null) {
        await replacePasswordHash(ctx.db, userId, stored, await ctx.hasher.hash(password, from.client), ctx.now());
    }
    return check.valid;
}
/** Proves the identity of `email` with its password (POST /sessions, the login page). */
export async function provePassword(ctx, input, from) {
    const email = normalizeEmail(input.email);
    try {
        await reserveLoginAttempt(ctx, email);
    }
    catch (error) {
        if (error instanceof AuthError && error.code === 'RATE_LIMITED') {
            const user = await findUserByEmail(ctx.db, email);
            await ctx.events.publish(ctx.db, { type: 'login.throttled', userId: user?.id ?? null, at: ctx.now(), actor: from });
        }
        throw error;
    }
    const user = await findUserByEmail(ctx.db, email);
    if (!await checkPassword(ctx, user?.id ?? null, input.password, from) || user === undefined) {
        await failSignIn(ctx, { userId: user?.id ?? null, method: 'password', reason: 'invalid_credentials' }, from);
        throw new AuthError('INVALID_CREDENTIALS');
    }
    return { user, methods: ['password'] };
}
/**
 * Proves the password of a signed-in account (re-authentication): counted by the login
 * throttle like a sign-in; a wrong one is `refusal` (INVALID_CREDENTIALS at
 * POST /sessions/reauthenticate, WRONG_CURRENT_PASSWORD for a current_password). The
 * caller clears the throttle once every step it needs has succeeded.
 */
export async function proveAccountPassword(ctx, user, password, from, refusal) {
    await reserveLoginAttempt(ctx, user.email);
    if (!await checkPassword(ctx, user.id, password, from)) {
        await failSignIn(ctx, { userId: user.id, method: 'password', reason: 'invalid_credentials' }, from);
        throw new AuthError(refusal);
    }
}
