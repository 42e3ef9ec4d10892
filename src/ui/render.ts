// The hosted pages' HTML: one eta template per page (templates/ui/<name>.eta) inside
// templates/ui/layout.eta. eta escapes every `<%= %>`; the templates use `<%~ %>` only for
// HTML this module or a partial produced. Templates get the page's context and helpers:
// it.t(key, values) (the catalogue), it.url(path, query) (keeps an explicit ?lang=),
// it.errorOf(form, field) and the partials (field, errors, notice).
import { fileURLToPath } from 'node:url'
import { Eta } from 'eta'
import type { UiConfig } from '../config.js'
import type { AssetUrls } from './assets.js'
import { type MessageKey, translate } from '../i18n/catalogue.js'
import { type Language, LANGUAGE_NAMES, LANGUAGES, LOCALES } from '../i18n/languages.js'

// The same path from src/ui and from dist/ui.
export const UI_TEMPLATES = fileURLToPath(new URL('../../templates/ui', import.meta.url))

const eta = new Eta({ views: UI_TEMPLATES, cache: true, autoEscape: true, autoTrim: [false, 'nl'] })

/** A problem to show: tied to a field of a form when `field` is set, else to the form. */
export interface FormError {
  readonly form: string
  readonly field?: string
  readonly message: string
}

/** What every page knows of its request. */
export interface PageContext {
  readonly language: Language
  /** The language came from ?lang=: links and forms carry it on. */
  readonly languageChosen: boolean
  /** The form token of this browser (null on pages without a form). */
  readonly csrfToken: string | null
  readonly ui: UiConfig
  /** The versioned URLs of the stylesheet and scripts. */
  readonly assets: AssetUrls
  /** The path of this page, for the language links. */
  readonly path: string
  /** Query parameters the language links keep (a token, a return_to). */
  readonly keep?: Readonly<Record<string, string>>
}

/** A link of the account pages' navigation, in the header. */
export interface NavLink {
  readonly href: string
  readonly label: MessageKey
  readonly current: boolean
}

export interface PageData {
  readonly title: MessageKey
  /** An account section: its navigation and "Sign out" in the header. */
  readonly accountNav?: readonly NavLink[]
  /** The page runs the passkey script (it works without it). */
  readonly scripts?: boolean
  readonly errors?: readonly FormError[]
  readonly notice?: string | null
  readonly values?: Readonly<Record<string, string>>
  readonly [name: string]: unknown
}

export function urlWith (context: PageContext, path: string, query: Readonly<Record<string, string | undefined>> = {}): string {
  const params = new URLSearchParams()
  if (context.languageChosen) params.set('lang', context.language)
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(name, value)
  const search = params.toString()
  return search === '' ? path : `${path}?${search}`
}

/** "3 Dec 2026, 14:05 UTC" in the page's language. */
export function formatMoment (at: number, language: Language): string {
  return new Intl.DateTimeFormat(LOCALES[language], { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' }).format(new Date(at)) + ' UTC'
}

export function renderPage (name: string, context: PageContext, data: PageData): string {
  const errors = data.errors ?? []
  const t = (key: MessageKey, values?: Readonly<Record<string, string | number>>): string => translate(context.language, key, values)
  const helpers = {
    t,
    url: (path: string, query?: Readonly<Record<string, string | undefined>>) => urlWith(context, path, query),
    errorOf: (form: string, field: string) => errors.find(error => error.form === form && error.field === field)?.message,
    when: (at: number) => formatMoment(at, context.language),
    languages: LANGUAGES.map(language => ({ language, name: LANGUAGE_NAMES[language] })),
    languageLinks: LANGUAGES.map(language => ({
      language,
      name: LANGUAGE_NAMES[language],
      current: language === context.language,
      href: `${context.path}?${new URLSearchParams({ ...context.keep, lang: language }).toString()}`
    }))
  }
  const body = eta.render(`./${name}`, { ...context, ...data, ...helpers, errors })
  const title = `${errors.length > 0 ? `${t('error.title')}: ` : ''}${t(data.title)} · ${context.ui.brandName}`
  return eta.render('./layout', { ...context, ...helpers, title, body, scripts: data.scripts === true, accountNav: data.accountNav ?? null })
}
