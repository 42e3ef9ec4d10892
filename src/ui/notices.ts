// The notices a page shows from its ?notice=: a key of a fixed list — the ones this
// service redirects with — rendered from the catalogue, and never with a value from the
// query. A link under our domain cannot make a page say anything else ("your account is
// locked, call …"); an unknown key shows nothing. Every text here takes no placeholder
// (test/pages.test.ts checks both languages).
import { isMessageKey, translate } from '../i18n/catalogue.js'
import type { Language } from '../i18n/languages.js'

/** /ui/login: after a sign-out, a reset, a deletion (and a sign-up, in links of before signing up signed in). */
export const LOGIN_NOTICES = ['registered', 'registered_verify', 'signed_out', 'password_reset', 'account_deleted'] as const
export type LoginNotice = typeof LOGIN_NOTICES[number]

/** /ui/account and its sections: after a sign-up, one of their forms, a re-authentication or a passkey added by its script. */
export const ACCOUNT_NOTICES = ['welcome', 'reauthenticated', 'password_changed', 'email_change_sent', 'verification_sent', 'language_saved', 'session_revoked', 'sessions_revoked', 'totp_disabled', 'passkey_added', 'passkey_removed', 'passkey_renamed', 'identity_linked', 'identity_unlinked'] as const
export type AccountNotice = typeof ACCOUNT_NOTICES[number]

/** The text of a ?notice= in `known`, or null. */
export function noticeOf (language: Language, notice: string | undefined, known: readonly string[]): string | null {
  if (notice === undefined || !known.includes(notice)) return null
  const key = `notice.${notice}`
  return isMessageKey(key) ? translate(language, key) : null
}
