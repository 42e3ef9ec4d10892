import { AuthError } from '../auth/errors.js';
import { clearLoginFailures } from '../auth/login-throttle.js';
import { findUserById } from '../features/users/users.js';
import { includesSecondFactor } from '../identity/methods.js';
import { proveAccountPassword } from '../methods/password/password.js';
import { hasTotp } from '../methods/totp/totp.js';
/**
 * Lets a privileged action go on, or throws: REAUTHENTICATION_REQUIRED for a stale session
 * without current_password (or with only a password where a second factor is on),
 * WRONG_CURRENT_PASSWORD (counted by the login throttle) for a wrong one — also from a
 * fresh session: a password sent is always checked.
 */
export async function requireFreshAuthentication(ctx, session, currentPassword, from) {
    const withTotp = await hasTotp(ctx.db, session.user.id);
    const recent = ctx.now() - session.authenticatedAt < ctx.config.session.reauthMaxAgeSeconds * 1000;
    const fresh = recent && (!withTotp || includesSecondFactor(session.methods));
    if (!fresh && (currentPassword === undefined || withTotp)) {
        throw new AuthError('REAUTHENTICATION_REQUIRED', `this change needs a sign-in within the last ${ctx.config.session.reauthMaxAgeSeconds} s${withTotp ? ' that included the second factor' : ', or current_password'}: POST /sessions/reauthenticate`);
    }
    if (currentPassword === undefined)
        return;
    const user = await findUserById(ctx.db, session.user.id);
    if (user === undefined)
        throw new AuthError('FORBIDDEN', 'this account no longer exists');
    await proveAccountPassword(ctx, user, currentPassword, from, 'WRONG_CURRENT_PASSWORD');
    await clearLoginFailures(ctx, user.email);
}
