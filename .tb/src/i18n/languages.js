// The languages the service speaks (mail and the hosted pages), and the choice
// of one from what a client prefers.
export const LANGUAGES = ['en', 'fr'];
export const DEFAULT_LANGUAGE = 'en';
/** Each language by its own name (the pages' language links and choices). */
export const LANGUAGE_NAMES = { en: 'English', fr: 'Français' };
/** The locale each language writes dates with (Intl). */
export const LOCALES = { en: 'en-GB', fr: 'fr-FR' };
export function isLanguage(value) {
    return LANGUAGES.includes(value);
}
