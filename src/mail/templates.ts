// Every mail from one template per kind (templates/mail/<kind>.eta, rendered by eta) and
// the texts of the catalogue the hosted pages use too (src/i18n/catalogue.ts, `mail.*`),
// in two parts: the template is run twice, once with helpers that write plain text and
// once with helpers that write HTML (escaped), which the layout (templates/mail/layout.eta)
// then wraps. A template sets its subject with it.subject(…), writes its body with
// it.p(…) (a paragraph) and it.button(url, label) (a link), and takes its words from
// it.t(key): the catalogue's text in the mail's language, filled with the mail's data
// ({email}, {when}, {minutes} …; {fromIp} is ", from the IP address …" or nothing).
import { fileURLToPath } from 'node:url'
import { Eta } from 'eta'
import { type MessageKey, translate } from '../i18n/catalogue.js'
import { type Language, LOCALES } from '../i18n/languages.js'

// The same path from src/mail and from dist/mail.
const TEMPLATES = fileURLToPath(new URL('../../templates/mail', import.meta.url))

const eta = new Eta({ views: TEMPLATES, cache: true, autoEscape: true, autoTrim: [false, 'nl'] })
const escape = (value: unknown): string => eta.config.escapeFunction(value)

/** What each kind of mail is told besides the helpers. */
export interface MailData {
  readonly password_reset: { readonly link: string, readonly token: string, readonly minutes: number }
  readonly email_verification: { readonly link: string, readonly token: string, readonly hours: number }
  readonly email_changed: { readonly oldEmail: string, readonly newEmail: string, readonly when: string, readonly ip: string | null }
  readonly password_changed: { readonly email: string, readonly when: string, readonly ip: string | null }
  readonly password_was_reset: { readonly email: string, readonly when: string, readonly ip: string | null, readonly credentialsRemoved: boolean }
  readonly email_change_confirm: { readonly oldEmail: string, readonly link: string, readonly token: string, readonly minutes: number }
  readonly email_change_requested: { readonly oldEmail: string, readonly newEmail: string, readonly when: string, readonly ip: string | null }
  readonly email_change_taken: Record<string, never>
  readonly totp_enabled: SecondFactorNotice
  readonly totp_disabled: SecondFactorNotice
  readonly recovery_code_used: SecondFactorNotice & { readonly remaining: number }
  readonly passkey_added: SecondFactorNotice & { readonly name: string }
  readonly passkey_removed: SecondFactorNotice & { readonly name: string }
  readonly mfa_reset: SecondFactorNotice
  readonly identity_linked: SecondFactorNotice & { readonly provider: string }
  readonly identity_unlinked: SecondFactorNotice & { readonly provider: string }
}

/** A notice of a change or use of a second factor: whose, when, from where. */
export interface SecondFactorNotice {
  readonly email: string
  readonly when: string
  readonly ip: string | null
}

export type MailKind = keyof MailData

export interface RenderedMail {
  readonly subject: string
  readonly text: string
  readonly html: string
}

interface Helpers {
  subject: (text: string) => string
  p: (text: string) => string
  button: (url: string, label: string) => string
}

const textHelpers: Omit<Helpers, 'subject'> = {
  p: text => `${text}\n\n`,
  button: (url, label) => `${label}\n${url}\n\n`
}

const htmlHelpers: Omit<Helpers, 'subject'> = {
  p: text => `<p style="margin:0 0 16px">${escape(text)}</p>\n`,
  button: (url, label) => `<p style="margin:24px 0"><a href="${escape(url)}" style="display:inline-block;padding:12px 20px;border-radius:6px;background:#1f5fd1;color:#ffffff;text-decoration:none;font-weight:600">${escape(label)}</a></p>\n` +
    `<p style="margin:0 0 16px;font-size:13px;color:#57606a;word-break:break-all">${escape(url)}</p>\n`
}

/** it.t for a mail of `language` with `data`: the catalogue's text, its {names} filled. */
function translatorFor (language: Language, data: object): (key: MessageKey) => string {
  const values: Record<string, string | number> = {}
  for (const [name, value] of Object.entries(data)) if (typeof value === 'string' || typeof value === 'number') values[name] = value
  const ip = (data as { ip?: string | null }).ip
  values.fromIp = typeof ip === 'string' ? translate(language, 'mail.from_ip', { ip }) : ''
  return key => translate(language, key, values)
}

function run (name: string, language: Language, data: object, helpers: Omit<Helpers, 'subject'>): { subject: string, body: string } {
  let subject = ''
  const body = eta.render(name, { ...data, ...helpers, t: translatorFor(language, data), subject: (text: string) => { subject = text; return '' } })
  if (subject === '') throw new Error(`mail template ${name} sets no subject`)
  return { subject, body }
}

/** The subject and both parts of a mail of `kind` in `language`. */
export function renderMail<K extends MailKind> (kind: K, language: Language, data: MailData[K]): RenderedMail {
  const name = `./${kind}`
  const text = run(name, language, data, textHelpers)
  const html = run(name, language, data, htmlHelpers)
  return {
    subject: text.subject,
    text: text.body.replace(/\n{3,}/g, '\n\n').trim() + '\n',
    html: eta.render('./layout', { language, subject: html.subject, body: html.body })
  }
}

/** A moment as the mail's language writes it, in UTC: "3 December 2026 at 14:05 UTC". */
export function formatWhen (at: number, language: Language): string {
  const formatted = new Intl.DateTimeFormat(LOCALES[language], {
    timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit'
  }).format(new Date(at))
  return `${formatted} UTC`
}
