// Outgoing mail through nodemailer: SMTP when SMTP_URL is set (a pool of a few
// connections, each step bounded by SMTP_TIMEOUT, so a stalled server fails an attempt
// instead of holding it), otherwise one text file per message in MAIL_OUTBOX (config.ts
// refuses that in production). Never the log: a reset mail holds a token, and log lines
// travel further than anyone means them to. Only the outbox's sender calls send(): the
// domain writes its mail to the outbox (src/outbox), which retries what fails.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
// nodemailer is loaded only when SMTP_URL is set: it is a sizeable module.
const require = createRequire(import.meta.url);
/** Writes the message to files of its own in `folder` (readable by this user only): the
 *  text part with its headers as .txt, the HTML part beside it as .html. */
async function writeToOutbox(folder, from, message) {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    // Names sort in the order the messages were written.
    const base = path.join(folder, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`);
    await writeFile(`${base}.txt`, `From: ${from}\nTo: ${message.to}\nSubject: ${message.subject}\n\n${message.text}\n`, { mode: 0o600, flag: 'wx' });
    await writeFile(`${base}.html`, message.html, { mode: 0o600, flag: 'wx' });
    return `${base}.txt`;
}
/** Connections the pool keeps open at most (the outbox sends a few mails at once). */
const SMTP_CONNECTIONS = 3;
export function createMailer(config, log) {
    const transport = config.smtpUrl === null
        ? null
        : require('nodemailer').createTransport({
            url: config.smtpUrl,
            pool: true,
            maxConnections: SMTP_CONNECTIONS,
            connectionTimeout: config.timeoutMs,
            greetingTimeout: config.timeoutMs,
            socketTimeout: config.timeoutMs,
            dnsTimeout: config.timeoutMs
        }, { from: config.from });
    async function send(message) {
        if (transport === null) {
            const file = await writeToOutbox(config.outbox, config.from, message);
            log.info({ file, subject: message.subject }, 'mail not sent (no SMTP_URL): written to the outbox');
            return;
        }
        await transport.sendMail({ from: config.from, to: message.to, subject: message.subject, text: message.text, html: message.html });
    }
    return {
        send,
        async close() { transport?.close(); }
    };
}
