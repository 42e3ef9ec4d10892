// The service's mails: what each says is in the catalogue (src/i18n/catalogue.ts, mail.*) and its template (templates/mail/<kind>.eta),
// what goes into it is decided here.
import type { Language } from '../i18n/languages.js'
import type { MailMessage } from './mailer.js'
import { formatWhen, type MailData, renderMail } from './templates.js'

/** The link of the reset mail: where the hosted page /ui/reset_password lands. */
export function passwordResetLink (publicUrl: string, token: string): string {
  return `${publicUrl}/ui/reset_password?${new URLSearchParams({ token }).toString()}`
}

export function passwordResetMessage (input: { to: string, language: Language, token: string, publicUrl: string, ttlSeconds: number }): MailMessage {
  const link = passwordResetLink(input.publicUrl, input.token)
  const minutes = Math.max(1, Math.round(input.ttlSeconds / 60))
  return { kind: 'password_reset', to: input.to, ...renderMail('password_reset', input.language, { link, token: input.token, minutes }) }
}

/** The link that verifies the address: where the hosted page /ui/verify_email lands. */
export function verificationLink (publicUrl: string, token: string): string {
  return `${publicUrl}/ui/verify_email?${new URLSearchParams({ token }).toString()}`
}

export function verificationMessage (input: { to: string, language: Language, token: string, publicUrl: string, ttlSeconds: number }): MailMessage {
  const link = verificationLink(input.publicUrl, input.token)
  const hours = Math.max(1, Math.round(input.ttlSeconds / 3600))
  return { kind: 'email_verification', to: input.to, ...renderMail('email_verification', input.language, { link, token: input.token, hours }) }
}

/** To the old address, after the account's email was changed (a stolen session would do it silently). */
export function emailChangedNotice (input: { to: string, language: Language, newEmail: string, at: number, ip: string | null }): MailMessage {
  const when = formatWhen(input.at, input.language)
  return { kind: 'email_changed', to: input.to, ...renderMail('email_changed', input.language, { oldEmail: input.to, newEmail: input.newEmail, when, ip: input.ip }) }
}

/** After a password change with the current password (PUT /account/password). */
export function passwordChangedNotice (input: { to: string, language: Language, at: number, ip: string | null }): MailMessage {
  const when = formatWhen(input.at, input.language)
  return { kind: 'password_changed', to: input.to, ...renderMail('password_changed', input.language, { email: input.to, when, ip: input.ip }) }
}

/** After a password reset with a mailed link (PUT /reset_password); `credentialsRemoved`
 *  when the address had not been verified and the reset cleaned the account up. */
export function passwordWasResetNotice (input: { to: string, language: Language, at: number, ip: string | null, credentialsRemoved?: boolean }): MailMessage {
  const when = formatWhen(input.at, input.language)
  return { kind: 'password_was_reset', to: input.to, ...renderMail('password_was_reset', input.language, { email: input.to, when, ip: input.ip, credentialsRemoved: input.credentialsRemoved === true }) }
}

/** The link that confirms a change of address: where the hosted page /ui/confirm_email lands. */
export function emailChangeLink (publicUrl: string, token: string): string {
  return `${publicUrl}/ui/confirm_email?${new URLSearchParams({ token }).toString()}`
}

/** To the new address: the link that makes the change. */
export function emailChangeConfirmMessage (input: { to: string, language: Language, oldEmail: string, token: string, publicUrl: string, ttlSeconds: number }): MailMessage {
  const link = emailChangeLink(input.publicUrl, input.token)
  const minutes = Math.max(1, Math.round(input.ttlSeconds / 60))
  return { kind: 'email_change_confirm', to: input.to, ...renderMail('email_change_confirm', input.language, { oldEmail: input.oldEmail, link, token: input.token, minutes }) }
}

/** To the current address, when a change to another is asked for. */
export function emailChangeRequestedNotice (input: { to: string, language: Language, newEmail: string, at: number, ip: string | null }): MailMessage {
  const when = formatWhen(input.at, input.language)
  return { kind: 'email_change_requested', to: input.to, ...renderMail('email_change_requested', input.language, { oldEmail: input.to, newEmail: input.newEmail, when, ip: input.ip }) }
}

/** To an address that already has an account, instead of a link (no enumeration). */
export function emailChangeTakenNotice (input: { to: string, language: Language }): MailMessage {
  return { kind: 'email_change_taken', to: input.to, ...renderMail('email_change_taken', input.language, {}) }
}

type SecondFactorKind = 'totp_enabled' | 'totp_disabled' | 'recovery_code_used' | 'passkey_added' | 'passkey_removed' | 'mfa_reset' | 'identity_linked' | 'identity_unlinked'

/** A notice to the account after a way in changed: a second factor added, removed or reset,
 *  a recovery code used, an identity at another provider linked or unlinked. */
export function secondFactorNotice<K extends SecondFactorKind> (kind: K, input: { to: string, language: Language, at: number, ip: string | null } & Omit<MailData[K], 'email' | 'when' | 'ip'>): MailMessage {
  const { to, language, at, ...rest } = input
  const data = { ...rest, email: to, when: formatWhen(at, language) } as unknown as MailData[K]
  return { kind, to, ...renderMail(kind, language, data) }
}
