import { Type } from 'typebox';
import { AuthError } from '../../auth/errors.js';
import { changeLanguage } from '../../features/account/account.js';
import { revokeOtherSessions, revokeSession, sessionHandle } from '../../features/sessions/sessions.js';
import { resendVerification } from '../../features/verification/verification.js';
import { deleteAccount } from '../../flows/settings.js';
import { requesterOf } from '../../http/client-address.js';
import { clearSessionCookie } from '../../http/plugins/session.js';
import { SECTIONS } from '../account-kit.js';
import { ACCOUNT_NOTICES, noticeOf } from '../notices.js';
import { FormToken, NoticeQuery, PageQuery } from '../schemas.js';
const CurrentPassword = Type.Optional(Type.String({ maxLength: 4096 }));
const LanguageForm = Type.Object({ ...FormToken.properties, language: Type.String({ maxLength: 16 }) });
const SessionForm = Type.Object({ ...FormToken.properties, session: Type.String({ maxLength: 64 }) });
const DeleteForm = Type.Object({ ...FormToken.properties, current_password: CurrentPassword, confirm: Type.Optional(Type.String({ maxLength: 8 })) });
const ActivityQuery = Type.Object({ ...NoticeQuery.properties, before: Type.Optional(Type.String({ maxLength: 20 })) });
export const accountPages = async (app, { ctx, config, pages, account }) => {
    const hide = { hide: true };
    const accountLimit = { rateLimit: { bucket: 'account', max: config.limits.accountPerIp }, refuseCrossSite: true };
    const formConfig = { refuseCrossSite: true };
    for (const section of ['profile', 'security', 'devices']) {
        const { path } = SECTIONS[section];
        app.get(path.slice('/ui'.length), { schema: { ...hide, querystring: NoticeQuery } }, async (request, reply) => {
            const context = pages.context(request, reply);
            const session = await account.signedIn(request);
            if (session === null)
                return account.toLogin(reply, context, path);
            return await account.sendSection(reply, context, session, section, { notice: noticeOf(context.language, request.query.notice, ACCOUNT_NOTICES) });
        });
    }
    app.get('/account/activity', { schema: { ...hide, querystring: ActivityQuery } }, async (request, reply) => {
        const { before } = request.query;
        const context = pages.context(request, reply, { keep: { before } });
        const session = await account.signedIn(request);
        if (session === null)
            return account.toLogin(reply, context, SECTIONS.activity.path);
        return await account.sendSection(reply, context, session, 'activity', { notice: noticeOf(context.language, request.query.notice, ACCOUNT_NOTICES), before });
    });
    // Profile.
    app.post('/account/verify_email', { config: formConfig, schema: { ...hide, querystring: PageQuery, body: FormToken } }, account.form('profile', 'verify', {}, async (session, _body, request) => {
        await resendVerification(ctx, session, requesterOf(request));
        return 'verification_sent';
    }));
    app.post('/account/language', { config: formConfig, schema: { ...hide, querystring: PageQuery, body: LanguageForm } }, account.form('profile', 'language', { INVALID_FIELD: 'language' }, async (session, { language }) => {
        await changeLanguage(ctx, session.user.id, language);
        return 'language_saved';
    }));
    app.post('/account/delete', { config: accountLimit, schema: { ...hide, querystring: PageQuery, body: DeleteForm } }, account.form('profile', 'delete', { WRONG_CURRENT_PASSWORD: 'current_password', RATE_LIMITED: 'current_password' }, async (session, body, request, reply, context) => {
        if (body.confirm !== 'yes')
            throw new AuthError('INVALID_FIELD', 'confirm the deletion', undefined, { field: 'confirm', rule: 'confirm_delete' });
        await deleteAccount(ctx, session.user.id, requesterOf(request));
        clearSessionCookie(reply, config);
        return pages.redirect(reply, context, '/ui/login', { notice: 'account_deleted' });
    }, { privileged: true }));
    // Devices.
    app.post('/account/sessions/revoke', { config: formConfig, schema: { ...hide, querystring: PageQuery, body: SessionForm } }, account.form('devices', 'sessions', {}, async (session, body, request, reply, context) => {
        await revokeSession(ctx, session, body.session, requesterOf(request));
        if (body.session !== sessionHandle(session.id))
            return 'session_revoked';
        // This device's own session: that was a sign out.
        clearSessionCookie(reply, config);
        return pages.redirect(reply, context, '/ui/login', { notice: 'signed_out' });
    }));
    app.post('/account/sessions/revoke_others', { config: formConfig, schema: { ...hide, querystring: PageQuery, body: FormToken } }, account.form('devices', 'sessions', {}, async (session, _body, request) => {
        await revokeOtherSessions(ctx, session, requesterOf(request));
        return 'sessions_revoked';
    }));
};
