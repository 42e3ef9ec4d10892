import { validateSessionToken } from '../features/sessions/sessions.js';
import { languageOf } from '../http/language.js';
import { sessionCookie } from '../http/plugins/session.js';
import { isLanguage } from '../i18n/languages.js';
import { renderPage, urlWith } from './render.js';
import { createReturnToCheck } from './return-to.js';
export function createPageKit(ctx, config, assets) {
    const checkReturnTo = createReturnToCheck([...config.http.selfOrigins, ...config.http.trustedOrigins]);
    return {
        context(request, reply, { path, keep = {}, form = true } = {}) {
            const { lang } = request.query;
            const chosen = lang !== undefined && isLanguage(lang);
            const kept = {};
            for (const [name, value] of Object.entries(keep))
                if (value !== undefined && value !== '')
                    kept[name] = value;
            return {
                language: chosen ? lang : languageOf(request),
                languageChosen: chosen,
                csrfToken: form ? reply.generateCsrf() : null,
                ui: config.ui,
                assets,
                path: path ?? request.routeOptions.url ?? '/ui/login',
                keep: kept
            };
        },
        send(reply, name, context, data, status = 200) {
            return reply.code(status).type('text/html; charset=utf-8').send(renderPage(name, context, data));
        },
        urlOf: urlWith,
        redirect(reply, context, path, query = {}) {
            return reply.redirect(urlWith(context, path, query), 303);
        },
        async session(request) {
            const token = sessionCookie(request);
            return token === undefined ? null : await validateSessionToken(ctx, token);
        },
        checkReturnTo
    };
}
