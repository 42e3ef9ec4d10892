// Outgoing mail through nodemailer: SMTP when SMTP_URL is set, otherwise the log
// (config.ts refuses the log in production).
import { createRequire } from 'node:module'
import type Nodemailer from 'nodemailer'
import type { MailConfig } from '../config.js'

// nodemailer is loaded only when SMTP_URL is set: it is a sizeable module.
const require = createRequire(import.meta.url)

export interface MailMessage {
  readonly to: string
  readonly subject: string
  readonly text: string
}

export interface MailLogger {
  info: (obj: object, msg: string) => void
}

export interface Mailer {
  send: (message: MailMessage) => Promise<void>
  /** Closes the connection pool. */
  close: () => Promise<void>
}

export function createMailer (config: MailConfig, log: MailLogger): Mailer {
  const transport = config.smtpUrl === null
    ? null
    : (require('nodemailer') as typeof Nodemailer).createTransport(config.smtpUrl, { from: config.from })
  async function send (message: MailMessage): Promise<void> {
    if (transport === null) {
      log.info({ mail: { from: config.from, ...message } }, 'mail not sent (no SMTP_URL): written to the log instead')
      return
    }
    await transport.sendMail({ from: config.from, ...message })
  }

  return {
    send,
    async close () { transport?.close() }
  }
}
