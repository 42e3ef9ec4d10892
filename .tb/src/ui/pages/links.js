import { Type } from 'typebox';
import { requesterOf } from '../../http/client-address.js';
import { translate } from '../../i18n/catalogue.js';
import { confirmEmailChange, newEmailOfChangeToken } from '../../features/email-change/email-change.js';
import { emailOfResetToken, requestPasswordReset, resetPassword } from '../../features/password-reset/password-reset.js';
import { emailOfVerificationToken, verifyEmail } from '../../features/verification/verification.js';
import { formFailure, sendFailure } from '../forms.js';
import { FormToken, PageQuery, TokenForm, TokenQuery } from '../schemas.js';
const EmailForm = Type.Object({ ...FormToken.properties, email: Type.String({ maxLength: 1024 }) });
const ResetForm = Type.Object({ ...TokenForm.properties, new_password: Type.String({ maxLength: 4096 }) });
function linkInvalid(pages, reply, context, kind, signedIn) {
    const account = kind === 'verify' ? '/ui/account' : '/ui/account/security';
    const link = kind === 'reset'
        ? { href: pages.urlOf(context, '/ui/forgot_password'), label: 'link.request_again' }
        : signedIn
            ? { href: pages.urlOf(context, account), label: kind === 'verify' ? 'account.profile_link' : 'link.to_account' }
            : { href: pages.urlOf(context, '/ui/login', { return_to: account }), label: 'link.home' };
    return pages.send(reply, 'message', context, {
        title: 'page.link_invalid',
        text: translate(context.language, 'text.link_invalid'),
        more: translate(context.language, kind === 'reset' ? 'text.reset_link_next' : kind === 'verify' ? 'text.verify_link_next' : 'text.confirm_link_next'),
        link
    }, 403);
}
export const linkPages = async (app, { ctx, config, pages }) => {
    const hide = { hide: true };
    const resetLimit = { rateLimit: { bucket: 'reset', max: config.limits.resetPerIp }, refuseCrossSite: true };
    const minutes = Math.max(1, Math.round(config.resetToken.ttlSeconds / 60));
    app.get('/forgot_password', { schema: { ...hide, querystring: PageQuery } }, async (request, reply) => {
        const context = pages.context(request, reply);
        return pages.send(reply, 'forgot_password', context, { title: 'page.forgot_password', values: {} });
    });
    app.post('/forgot_password', { config: resetLimit, schema: { ...hide, querystring: PageQuery, body: EmailForm } }, async (request, reply) => {
        const context = pages.context(request, reply, { path: '/ui/forgot_password' });
        const { email } = request.body;
        try {
            await requestPasswordReset(ctx, email, requesterOf(request));
        }
        catch (error) {
            return sendFailure(pages, reply, 'forgot_password', context, formFailure(error, context.language, 'forgot'), { title: 'page.forgot_password', values: { email } });
        }
        // The same answer whether or not the address has an account.
        const notice = translate(context.language, 'notice.reset_sent', { email: email.trim(), minutes });
        return pages.send(reply, 'forgot_password', context, { title: 'page.forgot_password', values: {}, notice });
    });
    app.get('/reset_password', { schema: { ...hide, querystring: TokenQuery } }, async (request, reply) => {
        const { token } = request.query;
        const context = pages.context(request, reply, { keep: { token } });
        const email = token === undefined ? null : await emailOfResetToken(ctx, token);
        if (token === undefined || email === null)
            return linkInvalid(pages, reply, context, 'reset', false);
        return pages.send(reply, 'reset_password', context, { title: 'page.reset_password', token, email, minLength: config.passwordPolicy.minLength });
    });
    app.post('/reset_password', { config: resetLimit, schema: { ...hide, querystring: PageQuery, body: ResetForm } }, async (request, reply) => {
        const { token, new_password: newPassword } = request.body;
        const context = pages.context(request, reply, { path: '/ui/reset_password', keep: { token } });
        const email = await emailOfResetToken(ctx, token);
        if (email === null)
            return linkInvalid(pages, reply, context, 'reset', false);
        try {
            await resetPassword(ctx, { email, token, newPassword }, requesterOf(request));
        }
        catch (error) {
            const failure = formFailure(error, context.language, 'reset');
            if (failure.errors[0]?.field === undefined && failure.status === 403)
                return linkInvalid(pages, reply, context, 'reset', false);
            return sendFailure(pages, reply, 'reset_password', context, failure, { title: 'page.reset_password', token, email, minLength: config.passwordPolicy.minLength });
        }
        return pages.redirect(reply, context, '/ui/login', { notice: 'password_reset', email });
    });
    const links = [
        { kind: 'verify', path: '/ui/verify_email', title: 'page.verify_email', text: 'text.verify_email_for', button: 'action.verify_email', check: emailOfVerificationToken, consume: verifyEmail, done: 'notice.email_verified' },
        { kind: 'confirm', path: '/ui/confirm_email', title: 'page.confirm_email', text: 'text.confirm_email_for', button: 'action.confirm_email', check: newEmailOfChangeToken, consume: confirmEmailChange, done: 'notice.email_changed' }
    ];
    for (const link of links) {
        app.get(link.path.slice('/ui'.length), { schema: { ...hide, querystring: TokenQuery } }, async (request, reply) => {
            const { token } = request.query;
            const context = pages.context(request, reply, { keep: { token } });
            // Looked up, not used up: a mail scanner's GET changes nothing.
            const email = token === undefined || token === '' ? null : await link.check(ctx, token);
            if (token === undefined || email === null)
                return linkInvalid(pages, reply, context, link.kind, await pages.session(request) !== null);
            return pages.send(reply, 'link', context, { title: link.title, text: link.text, email, button: link.button, action: link.path, token });
        });
        app.post(link.path.slice('/ui'.length), { config: resetLimit, schema: { ...hide, querystring: PageQuery, body: TokenForm } }, async (request, reply) => {
            const context = pages.context(request, reply, { path: link.path, form: false });
            let email;
            try {
                email = (await link.consume(ctx, request.body.token, requesterOf(request))).email;
            }
            catch (error) {
                const failure = formFailure(error, context.language, 'link');
                if (failure.status === 403)
                    return linkInvalid(pages, reply, context, link.kind, await pages.session(request) !== null);
                return sendFailure(pages, reply, 'message', context, failure, { title: link.title, text: failure.errors[0]?.message });
            }
            const signedIn = await pages.session(request) !== null;
            return pages.send(reply, 'message', context, {
                title: 'page.done',
                notice: translate(context.language, link.done, { email }),
                link: signedIn ? { href: pages.urlOf(context, '/ui/account'), label: 'link.to_account' } : { href: pages.urlOf(context, '/ui/login', { email }), label: 'link.home' }
            });
        });
    }
};
