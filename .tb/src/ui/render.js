// The hosted pages' HTML: one eta template per page (templates/ui/<name>.eta) inside
// templates/ui/layout.eta. eta escapes every `<%= %>`; the templates use `<%~ %>` only for
// HTML this module or a partial produced. Templates get the page's context and helpers:
// it.t(key, values) (the catalogue), it.url(path, query) (keeps an explicit ?lang=),
// it.errorOf(form, field) and the partials (field, errors, notice).
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { translate } from '../i18n/catalogue.js';
import { LANGUAGE_NAMES, LANGUAGES, LOCALES } from '../i18n/languages.js';
// The same path from src/ui and from dist/ui.
export const UI_TEMPLATES = fileURLToPath(new URL('../../templates/ui', import.meta.url));
const eta = new Eta({ views: UI_TEMPLATES, cache: true, autoEscape: true, autoTrim: [false, 'nl'] });
export function urlWith(context, path, query = {}) {
    const params = new URLSearchParams();
    if (context.languageChosen)
        params.set('lang', context.language);
    for (const [name, value] of Object.entries(query))
        if (value !== undefined && value !== '')
            params.set(name, value);
    const search = params.toString();
    return search === '' ? path : `${path}?${search}`;
}
/** "3 Dec 2026, 14:05 UTC" in the page's language. */
export function formatMoment(at, language) {
    return new Intl.DateTimeFormat(LOCALES[language], { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' }).format(new Date(at)) + ' UTC';
}
export function renderPage(name, context, data) {
    const errors = data.errors ?? [];
    const t = (key, values) => translate(context.language, key, values);
    const helpers = {
        t,
        url: (path, query) => urlWith(context, path, query),
        errorOf: (form, field) => errors.find(error => error.form === form && error.field === field)?.message,
        when: (at) => formatMoment(at, context.language),
        languages: LANGUAGES.map(language => ({ language, name: LANGUAGE_NAMES[language] })),
        languageLinks: LANGUAGES.map(language => ({
            language,
            name: LANGUAGE_NAMES[language],
            current: language === context.language,
            href: `${context.path}?${new URLSearchParams({ ...context.keep, lang: language }).toString()}`
        }))
    };
    const body = eta.render(`./${name}`, { ...context, ...data, ...helpers, errors });
    const title = `${errors.length > 0 ? `${t('error.title')}: ` : ''}${t(data.title)} · ${context.ui.brandName}`;
    return eta.render('./layout', { ...context, ...helpers, title, body, scripts: data.scripts === true, accountNav: data.accountNav ?? null });
}
