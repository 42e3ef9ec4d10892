import { AuthError, invalidField } from '../../auth/errors.js';
import { setPassword } from '../../flows/settings.js';
import { isLanguage, LANGUAGES } from '../../i18n/languages.js';
import { countPasskeys } from '../../methods/passkey/passkeys.js';
import { totpStatus } from '../../methods/totp/totp.js';
import { findAccountById, findUserById, setLanguage } from '../users/users.js';
/** The session's own account; FORBIDDEN once it is gone. */
export async function getAccount(ctx, userId) {
    const account = await findAccountById(ctx.db, userId);
    if (account === undefined)
        throw new AuthError('FORBIDDEN', 'this account no longer exists');
    const totp = await totpStatus(ctx, userId);
    return { ...account, totpEnabled: totp.enabled, recoveryCodes: totp.recoveryCodes, passkeys: await countPasskeys(ctx.db, userId) };
}
/** Sets the language of the account's mail (`en`, `fr`); returns the account. */
export async function changeLanguage(ctx, userId, language) {
    if (!isLanguage(language))
        throw invalidField(`language must be one of: ${LANGUAGES.join(', ')}`);
    if (!await setLanguage(ctx.db, userId, language, ctx.now()))
        throw new AuthError('FORBIDDEN', 'this account no longer exists');
    return await getAccount(ctx, userId);
}
/**
 * Changes the password of the session's account (the privileged rule has let the request
 * through): every other session ends, this one stays; pending reset and email-change
 * links void; a notice is mailed (flows/settings.ts).
 */
export async function changePassword(ctx, session, newPassword, from) {
    const user = await findUserById(ctx.db, session.user.id);
    if (user === undefined)
        throw new AuthError('FORBIDDEN', 'this account no longer exists');
    await setPassword(ctx, user, { password: newPassword, field: 'new_password' }, from, { keepSessionId: session.id });
}
