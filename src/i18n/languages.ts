// The languages the service speaks (mail and the hosted pages), and the choice
// of one from what a client prefers.

export const LANGUAGES = ['en', 'fr'] as const
export type Language = typeof LANGUAGES[number]
export const DEFAULT_LANGUAGE: Language = 'en'

/** Each language by its own name (the pages' language links and choices). */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = { en: 'English', fr: 'Français' }

/** The locale each language writes dates with (Intl). */
export const LOCALES: Readonly<Record<Language, string>> = { en: 'en-GB', fr: 'fr-FR' }

export function isLanguage (value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value)
}
