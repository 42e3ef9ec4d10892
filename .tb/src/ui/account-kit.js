import { AuthError } from '../auth/errors.js';
import { getAccount } from '../features/account/account.js';
import { listAccountEvents } from '../features/audit/audit.js';
import { listUserSessions } from '../features/sessions/sessions.js';
import { requireFreshAuthentication } from '../flows/privileged.js';
import { requesterOf } from '../http/client-address.js';
import { isMessageKey, translate } from '../i18n/catalogue.js';
import { listPasskeys, passkeysAvailable } from '../methods/passkey/passkeys.js';
import { deviceName, nameDevices } from './devices.js';
import { formFailure, missingFields } from './forms.js';
import { formatMoment } from './render.js';
export const SECTIONS = {
    profile: { path: '/ui/account', title: 'account.profile', nav: 'nav.profile' },
    security: { path: '/ui/account/security', title: 'page.account_security', nav: 'nav.security' },
    devices: { path: '/ui/account/devices', title: 'page.account_devices', nav: 'nav.devices' },
    activity: { path: '/ui/account/activity', title: 'page.account_activity', nav: 'nav.activity' }
};
const ORDER = ['profile', 'security', 'devices', 'activity'];
/** The section whose page is at `path` (a return_to after a re-authentication), or undefined. */
export function sectionAt(path) {
    return ORDER.find(name => SECTIONS[name].path === path);
}
const EVENTS_PER_PAGE = '20';
export function createAccountKit(ctx, config, pages) {
    const withPasskeys = passkeysAvailable(config.publicUrl);
    async function signedIn(request) {
        const session = await pages.session(request);
        request.session = session;
        return session;
    }
    function toLogin(reply, context, path) {
        return pages.redirect(reply, context, '/ui/login', { return_to: path });
    }
    /** What the section's template shows; each loads only its own. */
    async function load(context, session, section, before) {
        const when = (at) => formatMoment(at, context.language);
        switch (section) {
            case 'profile':
                return { account: await getAccount(ctx, session.user.id) };
            case 'security': {
                const [account, passkeys] = await Promise.all([getAccount(ctx, session.user.id), listPasskeys(ctx, session.user.id)]);
                return { account, passkeys, minLength: config.passwordPolicy.minLength, scripts: withPasskeys };
            }
            case 'devices':
                return { devices: nameDevices(await listUserSessions(ctx, session), context.language, when) };
            case 'activity': {
                const { events, next } = await listAccountEvents(ctx, session.user.id, { limit: EVENTS_PER_PAGE, before });
                const label = (type) => translate(context.language, isMessageKey(`event.${type}`) ? `event.${type}` : 'event.other');
                return { events: events.map(event => ({ ...event, label: label(event.type), device: event.userAgent === null ? null : deviceName(event.userAgent, context.language) })), next, before };
            }
        }
    }
    async function sendSection(reply, context, session, section, extra = {}) {
        const data = await load(context, session, section, extra.before);
        if (extra.failure?.retryAfterSeconds !== undefined)
            void reply.header('retry-after', String(extra.failure.retryAfterSeconds));
        const accountNav = ORDER.map(name => ({ href: pages.urlOf(context, SECTIONS[name].path), label: SECTIONS[name].nav, current: name === section }));
        return pages.send(reply, `account/${section}`, context, {
            title: SECTIONS[section].title,
            notice: extra.notice ?? null,
            errors: extra.failure?.errors ?? [],
            values: extra.values ?? {},
            accountNav,
            section,
            ...data
        }, extra.failure?.status ?? 200);
    }
    function form(section, name, fields, action, options = {}) {
        const path = SECTIONS[section].path;
        return async (request, reply) => {
            const context = pages.context(request, reply, { path });
            const session = await signedIn(request);
            if (session === null)
                return toLogin(reply, context, path);
            const body = request.body;
            // What the user typed comes back (never a password).
            const values = body.new_email === undefined ? {} : { new_email: body.new_email };
            const missing = options.required === undefined ? null : missingFields(context.language, name, body, options.required);
            if (missing !== null)
                return await sendSection(reply, context, session, section, { failure: missing, values });
            let outcome;
            try {
                if (options.privileged === true) {
                    const currentPassword = body.current_password;
                    await requireFreshAuthentication(ctx, session, currentPassword === '' ? undefined : currentPassword, requesterOf(request));
                }
                outcome = await action(session, request.body, request, reply, context);
            }
            catch (error) {
                if (error instanceof AuthError && error.code === 'REAUTHENTICATION_REQUIRED')
                    return pages.redirect(reply, context, '/ui/reauthenticate', { return_to: path });
                return await sendSection(reply, context, session, section, { failure: formFailure(error, context.language, name, fields), values });
            }
            return typeof outcome === 'string' ? pages.redirect(reply, context, path, { notice: outcome }) : outcome;
        };
    }
    return { signedIn, toLogin, sendSection, form };
}
