import type { MailMessage } from './mailer.js'

export function passwordResetLink (publicUrl: string, email: string, token: string): string {
  const query = new URLSearchParams({ email, token })
  return `${publicUrl}/reset_password?${query.toString()}`
}

export function passwordResetMessage (input: { to: string, token: string, publicUrl: string, ttlSeconds: number }): MailMessage {
  const link = passwordResetLink(input.publicUrl, input.to, input.token)
  const minutes = Math.max(1, Math.round(input.ttlSeconds / 60))
  return {
    kind: 'password_reset',
    to: input.to,
    subject: 'Reset your password',
    text: [
      'Someone asked to reset the password of this account.',
      '',
      `To choose a new password, open this link within ${minutes} minute${minutes === 1 ? '' : 's'}:`,
      link,
      '',
      `Or send this reset token with your email and new password: ${input.token}`,
      '',
      'If you did not ask for this, ignore this message; your password stays as it is.'
    ].join('\n')
  }
}

function whenAndWhere (at: number, ip: string | null): string {
  return `on ${new Date(at).toISOString().replace('T', ' at ').replace(/\.\d+Z$/, ' UTC')}${ip === null ? '' : `, from the IP address ${ip}`}`
}

/** After a password change with the current password (PUT /account/password). */
export function passwordChangedNotice (input: { to: string, at: number, ip: string | null }): MailMessage {
  return {
    kind: 'password_changed',
    to: input.to,
    subject: 'The password of your account was changed',
    text: [
      `The password of your account ${input.to} was changed`,
      `${whenAndWhere(input.at, input.ip)}. Every other device was signed out.`,
      '',
      'If you made this change, there is nothing to do.',
      '',
      'If you did not, someone else knows your password: reset it at once with "Forgot',
      'password", and contact the service\'s support.'
    ].join('\n')
  }
}

/** To the old address, after the account's email was changed (a stolen session would do it silently). */
export function emailChangedNotice (input: { to: string, newEmail: string, at: number, ip: string | null }): MailMessage {
  return {
    kind: 'email_changed',
    to: input.to,
    subject: 'The email address of your account was changed',
    text: [
      `The email address of your account was changed from ${input.to} to ${input.newEmail}`,
      `${whenAndWhere(input.at, input.ip)}.`,
      '',
      'If you made this change, there is nothing to do.',
      '',
      'If you did not, someone else has access to your account: reply to this message or',
      'contact the service\'s support at once, and sign out of every device.'
    ].join('\n')
  }
}
