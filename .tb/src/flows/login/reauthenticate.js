import { AuthError, invalidField } from '../../auth/errors.js';
import { clearLoginFailures } from '../../auth/login-throttle.js';
import { markReauthenticated } from '../../features/sessions/sessions.js';
import { findUserById } from '../../features/users/users.js';
import { provePasskey } from '../../methods/passkey/passkeys.js';
import { proveAccountPassword } from '../../methods/password/password.js';
import { hasTotp, proveSecondFactor, secondFactorMethodOf } from '../../methods/totp/totp.js';
import { failSignIn } from './login.js';
/** Authenticates the session's user again; returns the methods now on the session. */
export async function reauthenticate(ctx, session, input, from) {
    const user = await findUserById(ctx.db, session.user.id);
    if (user === undefined)
        throw new AuthError('FORBIDDEN', 'this account no longer exists');
    // A passkey proves both factors at once; a password needs the code too when TOTP is on,
    // judged in the transaction that records the re-authentication (a failure spends no code).
    const code = input.code?.trim() ?? '';
    let methods;
    let factor = null;
    if (input.passkeyResponse !== undefined) {
        methods = (await provePasskey(ctx, input.passkeyResponse, from, user.id)).methods;
    }
    else {
        if (input.password === undefined)
            throw invalidField('password is required (or a passkey response)');
        await proveAccountPassword(ctx, user, input.password, from, 'INVALID_CREDENTIALS');
        factor = await hasTotp(ctx.db, user.id) ? secondFactorMethodOf(code) ?? 'totp' : null;
        methods = factor === null ? ['password'] : ['password', factor];
    }
    const proven = await ctx.db.transaction().execute(async (trx) => {
        if (factor !== null && !await proveSecondFactor(ctx, trx, user, code))
            return false;
        await markReauthenticated(trx, session.id, methods, ctx.now());
        if (factor === 'recovery_code')
            await ctx.events.publish(trx, { type: 'recovery_code.used', userId: user.id, at: ctx.now(), actor: from });
        await ctx.events.publish(trx, { type: 'session.reauthenticated', userId: user.id, at: ctx.now(), actor: from, details: { methods: methods.join(',') } });
        return true;
    });
    if (!proven) {
        await failSignIn(ctx, { userId: user.id, method: factor ?? 'totp', reason: 'invalid_code' }, from);
        throw new AuthError('WRONG_CODE', code === '' ? 'this account has two-step verification: send code (its authenticator app\'s, or a recovery code) with the password' : undefined);
    }
    await clearLoginFailures(ctx, user.email);
    return methods;
}
