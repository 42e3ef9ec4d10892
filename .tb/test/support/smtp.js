// A real SMTP receiver in the test process (smtp-server), parsing what arrives with mailparser.
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
/** `port`: a given one (a receiver that comes back where an earlier one was), else a free one. */
export async function startSmtpReceiver(port = 0) {
    const messages = [];
    const waiters = [];
    const server = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        // A client's pooled connections are cut at close rather than awaited (the default 30 s).
        closeTimeout: 100,
        onData(stream, session, callback) {
            simpleParser(stream).then(parsed => {
                for (const rcpt of session.envelope.rcptTo) {
                    messages.push({ to: rcpt.address, subject: parsed.subject ?? '', text: parsed.text ?? '', html: typeof parsed.html === 'string' ? parsed.html : '' });
                }
                waiters.splice(0).forEach(wake => { wake(); });
                callback();
            }, callback);
        }
    });
    await new Promise(resolve => server.listen(port, '127.0.0.1', resolve));
    const address = server.server.address();
    if (address === null || typeof address === 'string')
        throw new Error('SMTP receiver has no TCP address');
    return {
        url: `smtp://127.0.0.1:${address.port}`,
        messages,
        async waitFor(to, subject, timeoutMs = 5000) {
            const deadline = Date.now() + timeoutMs;
            for (;;) {
                const found = messages.find(m => m.to === to && (subject === undefined || subject.test(m.subject)));
                if (found !== undefined)
                    return found;
                if (Date.now() > deadline)
                    throw new Error(`no mail to ${to} within ${timeoutMs} ms`);
                await new Promise(resolve => {
                    waiters.push(resolve);
                    setTimeout(resolve, 100);
                });
            }
        },
        async close() {
            await new Promise(resolve => server.close(() => { resolve(); }));
        }
    };
}
/** The token from the reset link in a mail body. */
export function resetLinkOf(mail) {
    const match = /https?:\/\/\S+\/reset_password\?\S+/.exec(mail.text);
    if (match === null)
        throw new Error(`no reset link in: ${mail.text}`);
    return new URL(match[0]);
}
