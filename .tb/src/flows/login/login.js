import { AuthError } from '../../auth/errors.js';
import { clearLoginFailures, reserveLoginAttempt } from '../../auth/login-throttle.js';
import { queueNotice } from '../../auth/outgoing-mail.js';
import { hashToken } from '../../auth/tokens.js';
import { includesSecondFactor } from '../../identity/methods.js';
import { secondFactorNotice } from '../../mail/messages.js';
import { countRecoveryCodes } from '../../methods/recovery-code/recovery-codes.js';
import { hasTotp, proveSecondFactor, secondFactorMethodOf } from '../../methods/totp/totp.js';
import { createSession, sessionHandle } from '../../features/sessions/sessions.js';
import { findUserById, toPublicUser } from '../../features/users/users.js';
import { sendVerificationLater } from '../../features/verification/verification-mail.js';
import { beginLoginFlow, claimLoginFlowAttempt, consumeLoginFlow } from '../../tokens/login-flows.js';
export const MFA_TOKEN_TTL_SECONDS = 300;
/** Codes judged per login flow: the 5 wrong codes of the contract (the right one ends it). */
export const MFA_MAX_ATTEMPTS = 5;
/** Records a refused sign-in of any method: `login.failed` with its method and reason. */
export async function failSignIn(ctx, failure, from) {
    const details = { method: failure.method, ...(failure.reason === 'invalid_credentials' ? {} : { reason: failure.reason }) };
    await ctx.events.publish(ctx.db, { type: 'login.failed', userId: failure.userId, at: ctx.now(), actor: from, details });
}
/**
 * Completes a sign-in whose identity a method proved. Refusals are told only now, after
 * the proof, so they reveal nothing to a guesser: ACCOUNT_DISABLED, EMAIL_NOT_VERIFIED
 * (with a fresh link mailed, older ones left working).
 */
export async function completeSignIn(ctx, proof, from, options = {}) {
    const { user, methods } = proof;
    const method = methods[methods.length - 1] ?? 'password';
    if (user.disabled) {
        await clearLoginFailures(ctx, user.email);
        await failSignIn(ctx, { userId: user.id, method, reason: 'account_disabled' }, from);
        throw new AuthError('ACCOUNT_DISABLED');
    }
    // An address never verified gets a fresh link (capped per account): a user without a
    // session has no other way to ask for one. The links already sent keep working.
    if (ctx.config.verification.required && !user.emailVerified) {
        await clearLoginFailures(ctx, user.email);
        await failSignIn(ctx, { userId: user.id, method, reason: 'email_not_verified' }, from);
        sendVerificationLater(ctx, user, from, { keepOlder: true });
        throw new AuthError('EMAIL_NOT_VERIFIED');
    }
    // With TOTP, the attempt stays counted by the throttle until the code is right: the
    // first factor alone does not reset it, so codes cannot be guessed without limit.
    if (!includesSecondFactor(methods) && await hasTotp(ctx.db, user.id)) {
        const mfaToken = await ctx.db.transaction().execute(async (trx) => {
            const token = await beginLoginFlow(trx, { userId: user.id, methods, returnTo: options.returnTo, ttlSeconds: MFA_TOKEN_TTL_SECONDS, now: ctx.now() });
            await ctx.events.publish(trx, { type: 'login.mfa_required', userId: user.id, at: ctx.now(), actor: from, details: { methods: methods.join(',') } });
            return token;
        });
        return { kind: 'second_factor', user: toPublicUser(user), mfaToken };
    }
    const run = async (db) => {
        await options.within?.(db);
        const token = await createSession(ctx, db, user.id, methods, from);
        await ctx.events.publish(db, { type: 'login.succeeded', userId: user.id, at: ctx.now(), actor: { ...from, session: sessionHandle(hashToken(token)) }, details: { methods: methods.join(',') } });
        return token;
    };
    // One statement and its event need a transaction only while someone subscribes (the
    // password sign-in on PostgreSQL is spared two round trips); a last step's writes always do.
    const token = options.within === undefined ? await ctx.events.atomically(ctx.db, run) : await ctx.db.transaction().execute(run);
    await clearLoginFailures(ctx, user.email);
    return { kind: 'signed_in', user: toPublicUser(user), token, returnTo: options.returnTo ?? null };
}
class WrongCode extends Error {
}
/**
 * The second step of a sign-in with TOTP (POST /sessions/mfa, the code page): the login
 * flow's token and a code, the authenticator's (accepted once) or a recovery code (used
 * up). The attempt is counted on the flow before the code is judged (at most
 * MFA_MAX_ATTEMPTS are ever judged) and by the account throttle. A wrong code and an
 * unknown, used or expired flow get one answer.
 */
export async function continueSignIn(ctx, input, from) {
    const refused = new AuthError('MFA_FAILED');
    const flow = await claimLoginFlowAttempt(ctx.db, input.mfaToken, ctx.now(), MFA_MAX_ATTEMPTS);
    const user = flow === null ? undefined : await findUserById(ctx.db, flow.userId);
    if (flow === null || user === undefined)
        throw refused;
    await reserveLoginAttempt(ctx, user.email);
    const code = input.code.trim();
    const factor = secondFactorMethodOf(code) ?? 'totp';
    let outcome;
    try {
        outcome = await completeSignIn(ctx, { user, methods: [...flow.methods, factor] }, from, {
            returnTo: flow.returnTo,
            within: async (trx) => {
                if (!await consumeLoginFlow(trx, flow.id))
                    throw refused;
                if (!await proveSecondFactor(ctx, trx, user, code))
                    throw new WrongCode();
                if (factor === 'recovery_code') {
                    await ctx.events.publish(trx, { type: 'recovery_code.used', userId: user.id, at: ctx.now(), actor: from });
                    const remaining = await countRecoveryCodes(trx, user.id);
                    await queueNotice(ctx, trx, secondFactorNotice('recovery_code_used', { to: user.email, language: user.language, at: ctx.now(), ip: from.ip, remaining }), user.id);
                }
            }
        });
    }
    catch (error) {
        if (!(error instanceof WrongCode))
            throw error;
        await failSignIn(ctx, { userId: user.id, method: factor, reason: 'invalid_code' }, from);
        throw refused;
    }
    if (factor === 'recovery_code')
        ctx.outbox.wake();
    if (outcome.kind !== 'signed_in')
        throw refused; // the flow's methods include the factor now
    return outcome;
}
