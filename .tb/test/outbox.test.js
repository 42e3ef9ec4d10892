// The durable outbox (API.md v3, "Nothing lost, nothing hung"): mail is written with the
// change that causes it and sent by a background sender that retries. Each fault here is
// the test's own: an SMTP receiver it stops and starts again on the same port, a stalled
// SMTP server of its own, a `serve` process it kills.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { runCli } from './support/cli.js';
import { createTestDatabase, TEST_DIALECT } from './support/database.js';
import { freePort, startService } from './support/service.js';
import { startSmtpReceiver } from './support/smtp.js';
import { LIMITS_OFF, PASSWORD, request, sessionCookie, sleep, startServer, uniqueEmail } from './support/server.js';
/** Fast retries, so a test waits a second for what production spreads over hours. */
const QUICK_RETRIES = { OUTBOX_RETRY_DELAY: '200', OUTBOX_RETRY_MAX_DELAY: '400', OUTBOX_POLL_INTERVAL: '200' };
/** The value of one series of the Prometheus text, 0 when absent. */
async function metric(server, series) {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const line = text.split('\n').find(l => l.startsWith(series + ' '));
    return line === undefined ? 0 : Number(line.slice(series.length + 1));
}
async function until(what, check, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    while (!await check()) {
        if (Date.now() > deadline)
            throw new Error(`timed out waiting for ${what}`);
        await sleep(50);
    }
}
describe(`the outbox on ${TEST_DIALECT}`, () => {
    it('mail asked for while SMTP is down (sign-up, reset) arrives once SMTP is back, once each', async () => {
        const port = await freePort(); // nothing listens there yet: SMTP is down
        const server = await startServer({ SMTP_URL: `smtp://127.0.0.1:${port}`, ...QUICK_RETRIES });
        try {
            const email = uniqueEmail('outbox-down');
            assert.equal((await request(server, 'POST', '/users', { email, password: PASSWORD })).status, 200);
            assert.equal((await request(server, 'POST', '/reset_password', { email })).status, 200);
            await until('two failed attempts of each mail', async () => await metric(server, 'authsvc_mails_total{kind="email_verification",result="failed"}') >= 2 &&
                await metric(server, 'authsvc_mails_total{kind="password_reset",result="failed"}') >= 2);
            assert.equal(await metric(server, 'authsvc_outbox_pending'), 2);
            const smtp = await startSmtpReceiver(port);
            try {
                await smtp.waitFor(email, /^Confirm your email/);
                await smtp.waitFor(email, /^Reset/);
                await until('an empty outbox', async () => await metric(server, 'authsvc_outbox_pending') === 0);
                // Nothing to wait for: three more retry periods in which nothing may go out twice.
                await sleep(600);
                assert.equal(smtp.messages.filter(m => m.to === email).length, 2);
                assert.equal(await metric(server, 'authsvc_mails_total{kind="email_verification",result="sent"}'), 1);
            }
            finally {
                await smtp.close();
            }
        }
        finally {
            await server.close();
        }
    });
    it('a pending mail survives the service being killed: it goes out after the restart', async () => {
        const database = await createTestDatabase();
        const port = await freePort();
        const env = { DATABASE_URL: database.url, SMTP_URL: `smtp://127.0.0.1:${port}`, NODE_ENV: 'test', LOG_LEVEL: 'silent', ...LIMITS_OFF, ...QUICK_RETRIES };
        assert.equal((await runCli(['migrate'], env)).code, 0);
        let service = await startService(env);
        const email = uniqueEmail('outbox-kill');
        try {
            const reply = await fetch(`${service.url}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
            assert.equal(reply.status, 200);
            await service.stop('SIGKILL'); // no shutdown at all: only what the database holds remains
            const smtp = await startSmtpReceiver(port);
            try {
                service = await startService(env);
                await smtp.waitFor(email, /^Confirm your email/, 10_000);
                await sleep(600); // nothing to wait for: a while for a second copy that must not come
                assert.equal(smtp.messages.filter(m => m.to === email).length, 1);
            }
            finally {
                await smtp.close();
            }
        }
        finally {
            await service.stop('SIGTERM');
            await database.drop();
        }
    });
    it('two instances on one database send each mail once', async () => {
        const smtp = await startSmtpReceiver();
        const env = { SMTP_URL: smtp.url, OUTBOX_POLL_INTERVAL: '50' };
        const first = await startServer(env);
        const second = await startServer({ ...env, DATABASE_URL: first.databaseUrl }, { migrate: false });
        try {
            const emails = Array.from({ length: 12 }, (_, i) => uniqueEmail(`outbox-two-${i}`));
            await Promise.all(emails.map(async (email, i) => {
                assert.equal((await request(i % 2 === 0 ? first : second, 'POST', '/users', { email, password: PASSWORD })).status, 200);
            }));
            for (const email of emails)
                await smtp.waitFor(email);
            await sleep(500); // nothing to wait for: a while for a second copy that must not come
            for (const email of emails)
                assert.equal(smtp.messages.filter(m => m.to === email).length, 1, email);
        }
        finally {
            await second.close();
            await first.close();
            await smtp.close();
        }
    });
    it('a stalled SMTP server fails an attempt within SMTP_TIMEOUT, not the library\'s 30 s', async () => {
        // Accepts connections and never greets.
        const sockets = new Set();
        const stalled = net.createServer(socket => { sockets.add(socket); socket.on('error', () => { }); });
        await new Promise(resolve => stalled.listen(0, '127.0.0.1', resolve));
        const { port } = stalled.address();
        const server = await startServer({ SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_TIMEOUT: '1', ...QUICK_RETRIES });
        try {
            const started = Date.now();
            assert.equal((await request(server, 'POST', '/users', { email: uniqueEmail('outbox-stall'), password: PASSWORD })).status, 200);
            await until('a failed attempt', async () => await metric(server, 'authsvc_mails_total{kind="email_verification",result="failed"}') >= 1, 15_000);
            assert.ok(Date.now() - started < 8000, `failed after ${Date.now() - started} ms`);
        }
        finally {
            await server.close();
            for (const socket of sockets)
                socket.destroy();
            await new Promise(resolve => stalled.close(resolve));
        }
    });
    describe('giving up, and sending again', () => {
        let database;
        let server;
        let smtpPort;
        before(async () => {
            database = await createTestDatabase();
            smtpPort = await freePort();
            server = await startServer({ DATABASE_URL: database.url, SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, OUTBOX_GIVE_UP_AFTER: '1', ...QUICK_RETRIES });
        });
        after(async () => {
            await server.close();
            await database.drop();
        });
        it('a mail failing past OUTBOX_GIVE_UP_AFTER is given up with an audit event and a metric; `authsvc outbox retry` sends it', async () => {
            const email = uniqueEmail('outbox-giveup');
            assert.equal((await request(server, 'POST', '/users', { email, password: PASSWORD })).status, 200);
            await until('the mail given up', async () => await metric(server, 'authsvc_mails_total{kind="email_verification",result="given_up"}') === 1);
            assert.equal(await metric(server, 'authsvc_outbox_pending'), 0);
            const env = { DATABASE_URL: database.url, SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, NODE_ENV: 'test', LOG_LEVEL: 'silent' };
            const listed = await runCli(['outbox', '--json'], env);
            assert.equal(listed.code, 0, listed.stderr);
            const messages = JSON.parse(listed.stdout).messages;
            const given = messages.find(m => m.recipient === email);
            assert.ok(given !== undefined, 'listed');
            assert.equal(given.status, 'failed');
            assert.equal(given.kind, 'email_verification');
            assert.ok(given.attempts >= 2);
            assert.match(given.last_error, /ECONNREFUSED/);
            const events = await runCli(['events', '--type', 'mail.given_up', '--json'], env);
            const event = JSON.parse(events.stdout).events[0];
            const profile = await request(server, 'GET', '/profile', undefined, { session: sessionCookie(await request(server, 'POST', '/sessions', { email, password: PASSWORD })) });
            assert.equal(event?.user_id, profile.body.id);
            assert.equal(event?.outcome, 'failure');
            assert.equal(event?.details.kind, 'email_verification');
            const smtp = await startSmtpReceiver(smtpPort);
            try {
                const retried = await runCli(['outbox', 'retry', String(given.id)], env);
                assert.equal(retried.code, 0, retried.stderr);
                await smtp.waitFor(email, /^Confirm your email/);
                assert.equal((await runCli(['outbox', 'retry', String(given.id)], env)).code, 2, 'a sent message has nothing to send again');
                assert.equal((await runCli(['outbox', 'retry', '999999'], env)).code, 2);
                assert.equal((await runCli(['outbox', 'retry', 'x'], env)).code, 2);
                const after = await runCli(['outbox'], env);
                assert.doesNotMatch(after.stdout, new RegExp(email.replace(/[.+]/g, '\\$&')));
            }
            finally {
                await smtp.close();
            }
        });
    });
    it('a pending mail is sealed at rest: the reset token is not in the outbox table', async () => {
        const port = await freePort();
        const server = await startServer({ SMTP_URL: `smtp://127.0.0.1:${port}`, RESET_TOKEN_IN_RESPONSE: 'true', OUTBOX_RETRY_DELAY: '60000' });
        try {
            const email = uniqueEmail('outbox-sealed');
            assert.equal((await request(server, 'POST', '/users', { email, password: PASSWORD })).status, 200);
            const reset = await request(server, 'POST', '/reset_password', { email });
            const token = reset.body.reset_token;
            assert.ok(token.length > 20);
            const rows = await server.db.selectFrom('outbox').select(['payload', 'recipient', 'status']).execute();
            assert.equal(rows.length, 2);
            for (const row of rows) {
                assert.equal(row.status, 'pending');
                assert.ok(row.payload !== null && !row.payload.includes(token) && !row.payload.includes('reset_password'), 'sealed');
            }
        }
        finally {
            await server.close();
        }
    });
    it('notices are capped per account (NOTICE_MAIL_LIMIT); the changes themselves still happen', async () => {
        const smtp = await startSmtpReceiver();
        const server = await startServer({ SMTP_URL: smtp.url, NOTICE_MAIL_LIMIT: '2' });
        try {
            const email = uniqueEmail('outbox-notices');
            assert.equal((await request(server, 'POST', '/users', { email, password: PASSWORD })).status, 200);
            const session = sessionCookie(await request(server, 'POST', '/sessions', { email, password: PASSWORD }));
            const { id } = (await request(server, 'GET', '/profile', undefined, { session })).body;
            for (let i = 1; i <= 4; i++) {
                const reply = await request(server, 'PUT', `/users/${id}`, { password: `${PASSWORD} ${i}`, current_password: i === 1 ? PASSWORD : `${PASSWORD} ${i - 1}` }, { session });
                assert.equal(reply.status, 200, reply.text);
            }
            await until('two notices', async () => smtp.messages.filter(m => m.to === email && /password/i.test(m.subject)).length >= 2);
            await sleep(500); // nothing to wait for: a while for the notices that must not come
            assert.equal(smtp.messages.filter(m => m.to === email && /password/i.test(m.subject)).length, 2);
            assert.equal((await request(server, 'POST', '/sessions', { email, password: `${PASSWORD} 4` })).status, 200);
        }
        finally {
            await server.close();
            await smtp.close();
        }
    });
});
