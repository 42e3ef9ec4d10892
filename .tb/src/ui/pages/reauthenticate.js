import { Type } from 'typebox';
import { getAccount } from '../../features/account/account.js';
import { reauthenticate } from '../../flows/login/reauthenticate.js';
import { requesterOf } from '../../http/client-address.js';
import { passkeysAvailable } from '../../methods/passkey/passkeys.js';
import { SECTIONS, sectionAt } from '../account-kit.js';
import { formFailure, missingFields, sendFailure } from '../forms.js';
import { FormToken, ReturnQuery } from '../schemas.js';
const ReauthForm = Type.Object({ ...FormToken.properties, password: Type.String({ maxLength: 4096 }), code: Type.Optional(Type.String({ maxLength: 64 })) });
export const reauthenticatePages = async (app, { ctx, config, pages, account }) => {
    const hide = { hide: true };
    const withPasskeys = passkeysAvailable(config.publicUrl);
    const reauthenticated = { notice: 'reauthenticated' };
    /** Where a confirmed user goes: an account section with its notice, another checked
     *  return_to as it is, the profile without one. */
    function nextOf(context, url) {
        const section = sectionAt(url ?? SECTIONS.profile.path);
        if (section !== undefined)
            return pages.urlOf(context, SECTIONS[section].path, reauthenticated);
        return url ?? pages.urlOf(context, SECTIONS.profile.path, reauthenticated);
    }
    async function sendReauthenticate(reply, context, session, returnTo, failure) {
        const target = pages.checkReturnTo(returnTo);
        const withTotp = (await getAccount(ctx, session.user.id)).totpEnabled;
        const data = {
            title: 'page.reauthenticate',
            account: { email: session.user.email },
            withTotp,
            returnTo,
            // The link back: the section the change was asked on.
            back: pages.urlOf(context, SECTIONS[(target.ok ? sectionAt(target.url) : undefined) ?? 'profile'].path),
            next: nextOf(context, target.ok ? target.url : undefined),
            scripts: withPasskeys
        };
        return failure === undefined ? pages.send(reply, 'reauthenticate', context, data) : sendFailure(pages, reply, 'reauthenticate', context, failure, data);
    }
    app.get('/reauthenticate', { schema: { ...hide, querystring: ReturnQuery } }, async (request, reply) => {
        const context = pages.context(request, reply, { keep: { return_to: request.query.return_to } });
        const session = await account.signedIn(request);
        if (session === null)
            return account.toLogin(reply, context, SECTIONS.profile.path);
        return await sendReauthenticate(reply, context, session, request.query.return_to);
    });
    app.post('/reauthenticate', {
        config: { rateLimit: { bucket: 'login', max: config.limits.loginPerIp }, refuseCrossSite: true },
        schema: { ...hide, querystring: ReturnQuery, body: ReauthForm }
    }, async (request, reply) => {
        const { return_to: rawReturnTo } = request.query;
        const context = pages.context(request, reply, { path: '/ui/reauthenticate', keep: { return_to: rawReturnTo } });
        const session = await account.signedIn(request);
        if (session === null)
            return account.toLogin(reply, context, SECTIONS.profile.path);
        const target = pages.checkReturnTo(rawReturnTo);
        if (!target.ok)
            return pages.redirect(reply, context, SECTIONS.profile.path);
        const withTotp = (await getAccount(ctx, session.user.id)).totpEnabled;
        const missing = missingFields(context.language, 'reauthenticate', request.body, withTotp ? { password: 'field.password', code: 'issue.required_code' } : { password: 'field.password' });
        if (missing !== null)
            return await sendReauthenticate(reply, context, session, rawReturnTo, missing);
        try {
            await reauthenticate(ctx, session, { password: request.body.password, code: request.body.code }, requesterOf(request));
        }
        catch (error) {
            const failure = formFailure(error, context.language, 'reauthenticate', { INVALID_CREDENTIALS: 'password', WRONG_CODE: 'code', RATE_LIMITED: 'password' });
            return await sendReauthenticate(reply, context, session, rawReturnTo, failure);
        }
        return reply.redirect(nextOf(context, target.url), 303);
    });
};
