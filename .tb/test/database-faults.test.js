// Database faults against the real service (`authsvc serve`, a child process): a frozen
// PostgreSQL or MySQL server, a SIGTERM while a request hangs on it, and SQLite on a full
// disk. What a client sees (503 `unavailable` in bounded time, never a 500 or a hang), what
// the operator sees (one log line naming the cause, then counts, no stack traces; the exit
// code), and recovery without a restart.
//
// A frozen server is a TCP relay between the service and the machine's shared server
// (test/support/tcp-proxy.ts) that stops relaying: connections stay open and nothing is
// answered, as with a SIGSTOPped server, but the shared server itself is never stopped or
// touched, and it is faster than starting a private one. A full disk is a tmpfs of a few
// MB mounted for this test alone and filled with a file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, rm, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { createTestDatabase, TEST_DIALECT } from './support/database.js';
import { LIMITS_OFF, PASSWORD, sleep, uniqueEmail } from './support/server.js';
import { startService } from './support/service.js';
import { startTcpProxy } from './support/tcp-proxy.js';
/** DATABASE_QUERY_TIMEOUT in these tests, seconds. */
const QUERY_TIMEOUT = 1;
/** Well past the timeout (and its grace), well short of a hang. */
const ANSWER_WITHIN_MS = 6000;
async function call(service, method, urlPath, options = {}) {
    const started = Date.now();
    const reply = await fetch(service.url + urlPath, {
        method,
        headers: { ...(options.form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }), ...(options.session === undefined ? {} : { cookie: `session_id=${options.session}` }) },
        body: options.form === undefined ? undefined : new URLSearchParams(options.form).toString(),
        // A hang fails the test instead of holding it.
        signal: AbortSignal.timeout(30_000)
    });
    const text = await reply.text();
    return { status: reply.status, body: text === '' ? undefined : JSON.parse(text), ms: Date.now() - started };
}
/** A new account and a session of it, through the API. */
async function signUp(service) {
    const email = uniqueEmail('fault');
    const created = await call(service, 'POST', '/users', { form: { email, password: PASSWORD } });
    assert.equal(created.status, 200, `sign-up: ${JSON.stringify(created.body)}`);
    const login = await fetch(`${service.url}/sessions`, { method: 'POST', body: new URLSearchParams({ email, password: PASSWORD }) });
    assert.equal(login.status, 200, `sign-in: ${await login.text()}`);
    const token = /(?:^|,\s*)session_id=([^;]*)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
    assert.ok(token !== undefined && token !== '', 'a session cookie');
    return { email, token };
}
/** The service's log lines so far (JSON lines on stdout at LOG_LEVEL=warn). */
function logOf(service) {
    let text = '';
    service.run.child.stdout?.on('data', (chunk) => { text += chunk.toString(); });
    return () => text.split('\n').filter(line => line.trim() !== '');
}
function assertUnavailable(answer, what) {
    assert.equal(answer.status, 503, `${what}: ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body.code, 'unavailable', what);
    assert.equal(typeof answer.body.message, 'string', what);
    assert.ok(answer.ms < ANSWER_WITHIN_MS, `${what} answered in ${answer.ms} ms, not within ${ANSWER_WITHIN_MS} ms`);
}
/** Asks until the answer is `status`, for at most `ms`. */
async function until(status, ask, ms = 15_000) {
    const deadline = Date.now() + ms;
    for (;;) {
        const answer = await ask();
        if (answer.status === status || Date.now() > deadline)
            return answer;
        await sleep(200);
    }
}
function assertNoStacks(lines) {
    const withStacks = lines.filter(line => /"stack"|\n\s+at |\\n\s+at /.test(line));
    assert.deepEqual(withStacks, [], 'log lines with a stack trace');
}
if (TEST_DIALECT !== 'sqlite') {
    describe(`a frozen ${TEST_DIALECT} server (a TCP relay that stops relaying)`, () => {
        let database;
        let proxy;
        let env;
        const services = [];
        const start = async (extra = {}) => {
            const service = await startService({ ...env, ...extra });
            services.push(service);
            return service;
        };
        before(async () => {
            database = await createTestDatabase();
            const url = new URL(database.url);
            proxy = await startTcpProxy(url.hostname, Number(url.port || (TEST_DIALECT === 'postgres' ? 5432 : 3306)));
            url.port = String(proxy.port);
            env = { DATABASE_URL: url.toString(), DATABASE_QUERY_TIMEOUT: String(QUERY_TIMEOUT), DATABASE_CONNECT_TIMEOUT: '1', LOG_LEVEL: 'warn', ...LIMITS_OFF };
        });
        after(async () => {
            proxy.resume();
            for (const service of services)
                await service.stop('SIGKILL');
            await proxy.close();
            await database.drop();
        });
        it('a session check and a sign-in answer 503 unavailable within the timeout, then 200 once it resumes, without a restart', { timeout: 60_000 }, async (t) => {
            const service = await start();
            const user = await signUp(service);
            proxy.stall();
            try {
                const answers = [
                    await call(service, 'GET', '/profile', { session: user.token }),
                    await call(service, 'POST', '/sessions', { form: { email: user.email, password: PASSWORD } }),
                    // A second round: the connections that timed out must not hold later requests.
                    await call(service, 'GET', '/profile', { session: user.token })
                ];
                t.diagnostic(`answered in ${answers.map(answer => `${answer.status} ${answer.ms} ms`).join(', ')}`);
                answers.forEach((answer, i) => { assertUnavailable(answer, ['GET /profile', 'POST /sessions', 'GET /profile again'][i] ?? ''); });
            }
            finally {
                proxy.resume();
            }
            const profile = await until(200, async () => await call(service, 'GET', '/profile', { session: user.token }));
            assert.equal(profile.status, 200, `GET /profile after the resume: ${JSON.stringify(profile.body)}`);
            assert.equal(profile.body.email, user.email);
            const login = await call(service, 'POST', '/sessions', { form: { email: user.email, password: PASSWORD } });
            assert.equal(login.status, 200, `POST /sessions after the resume: ${JSON.stringify(login.body)}`);
            assert.ok(service.running(), 'the same process served throughout');
        });
        it('logs the outage as a few lines naming the cause, then a count, and no stack trace', { timeout: 60_000 }, async (t) => {
            const service = await start();
            const log = logOf(service);
            const user = await signUp(service);
            const requests = 30;
            proxy.stall();
            let answers;
            try {
                answers = await Promise.all(Array.from({ length: requests }, async (_, i) => i % 3 === 0
                    ? await call(service, 'POST', '/sessions', { form: { email: user.email, password: PASSWORD } })
                    : await call(service, 'GET', '/profile', { session: user.token })));
            }
            finally {
                proxy.resume();
            }
            assert.deepEqual(answers.map(answer => answer.status), Array(requests).fill(503));
            // The counts not logged yet are logged at shutdown.
            await service.stop('SIGTERM');
            const lines = log().filter(line => line.includes('database unavailable'));
            t.diagnostic(`${requests} failed requests, answered in ${Math.min(...answers.map(a => a.ms))}–${Math.max(...answers.map(a => a.ms))} ms, logged as:\n${lines.map(line => String(JSON.parse(line).msg)).join('\n')}`);
            assert.ok(lines.length >= 1, 'the outage is logged');
            assert.ok(lines.length <= 6, `${requests} failures make ${lines.length} log lines:\n${lines.join('\n')}`);
            assert.match(lines[0] ?? '', /database unavailable: (no answer within DATABASE_QUERY_TIMEOUT|no connection within DATABASE_CONNECT_TIMEOUT|connection timed out)/);
            const counted = lines.reduce((sum, line) => sum + Number(/: (\d+) more/.exec(line)?.[1] ?? 1), 0);
            assert.equal(counted, requests, `every failed request is counted:\n${lines.join('\n')}`);
            assertNoStacks(log());
        });
        it('SIGTERM with a request hanging on the frozen server exits 1 at SHUTDOWN_TIMEOUT, saying how many it abandoned', { timeout: 60_000 }, async () => {
            // The query timeout (10 s) is longer than SHUTDOWN_TIMEOUT (1 s): the request is still in flight.
            const service = await start({ SHUTDOWN_TIMEOUT: '1', DATABASE_QUERY_TIMEOUT: '10' });
            const user = await signUp(service);
            proxy.stall();
            try {
                const hanging = call(service, 'GET', '/profile', { session: user.token }).catch((error) => error);
                await sleep(300); // no state to wait on in another process: time for the request to reach the stalled database
                const started = Date.now();
                const result = await service.stop('SIGTERM');
                assert.equal(result.code, 1, `exit code:\n${result.stdout}${result.stderr}`);
                assert.ok(Date.now() - started < 5000, 'exited at SHUTDOWN_TIMEOUT');
                assert.match(result.stdout, /SHUTDOWN_TIMEOUT reached: exiting with 1 request in flight abandoned/);
                assert.ok(await hanging instanceof Error, 'the abandoned request got no answer');
            }
            finally {
                proxy.resume();
            }
        });
    });
}
describe(`SIGTERM with nothing in flight (${TEST_DIALECT})`, () => {
    it('exits 0', { timeout: 60_000 }, async () => {
        const database = await createTestDatabase();
        try {
            const service = await startService({ DATABASE_URL: database.url, LOG_LEVEL: 'warn', SHUTDOWN_TIMEOUT: '5', ...LIMITS_OFF });
            await signUp(service);
            const result = await service.stop('SIGTERM');
            assert.equal(result.code, 0, `exit code:\n${result.stdout}${result.stderr}`);
            assert.doesNotMatch(result.stdout, /abandoned/);
        }
        finally {
            await database.drop();
        }
    });
});
if (TEST_DIALECT === 'sqlite') {
    describe('SQLite on a full disk (a tmpfs of this test)', () => {
        let dir;
        let mounted = false;
        let service;
        let log;
        let user;
        let filler;
        before(async () => {
            dir = await mkdtemp(path.join(os.tmpdir(), 'authsvc-full-disk-'));
            try {
                execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m,mode=0700', 'tmpfs', dir], { stdio: 'pipe' });
                mounted = true;
            }
            catch (error) {
                // Never skipped in silence: CI counts this as a failure.
                throw new Error(`the full-disk fault test could not run: mounting a tmpfs at ${dir} failed (it needs root or CAP_SYS_ADMIN): ${String(error.stderr ?? error)}`);
            }
            const file = path.join(dir, 'auth.sqlite');
            service = await startService({ DATABASE_URL: file, DATABASE_QUERY_TIMEOUT: String(QUERY_TIMEOUT), LOG_LEVEL: 'warn', ...LIMITS_OFF });
            log = logOf(service);
            user = await signUp(service);
            // Behind the API: the session was last seen an hour ago, so the next check writes
            // last_seen_at; and the WAL is emptied and truncated, so that every write needs new
            // space (a WAL with room left would take a few more writes before the disk shows).
            const sqlite = new SQLite(file);
            try {
                sqlite.prepare('UPDATE sessions SET last_seen_at = last_seen_at - 3600000').run();
                sqlite.pragma('wal_checkpoint(TRUNCATE)');
            }
            finally {
                sqlite.close();
            }
            filler = path.join(dir, 'filler');
            const handle = await open(filler, 'w');
            try {
                const block = Buffer.alloc(4096);
                for (;;)
                    await handle.write(block);
            }
            catch (error) {
                if (error.code !== 'ENOSPC')
                    throw error;
            }
            finally {
                await handle.close();
            }
        });
        after(async () => {
            await service?.stop('SIGKILL');
            if (mounted)
                execFileSync('umount', [dir]);
            await rm(dir, { recursive: true, force: true });
        });
        it('sign-up answers 503 unavailable, not 500', async () => {
            for (let i = 0; i < 5; i++) {
                assertUnavailable(await call(service, 'POST', '/users', { form: { email: uniqueEmail('full'), password: PASSWORD } }), `sign-up ${i}`);
            }
        });
        it('a session check still answers 200: reads work, the failed last_seen_at write is only logged', async () => {
            const profile = await call(service, 'GET', '/profile', { session: user.token });
            assert.equal(profile.status, 200, JSON.stringify(profile.body));
            assert.equal(profile.body.email, user.email);
        });
        it('readiness answers 503 with the database unreachable', async () => {
            const ready = await call(service, 'GET', '/health/ready');
            assert.deepEqual([ready.status, ready.body], [503, { status: 'unavailable', checks: { database: 'unreachable' }, message: 'not ready: database unreachable', code: 'unavailable' }]);
        });
        it('the log names the cause (disk full), never "cannot rollback", in a few lines without stacks', async () => {
            const lines = log();
            assert.ok(lines.some(line => /database unavailable: disk full \(SQLITE_FULL\)/.test(line)), `the cause is logged:\n${lines.join('\n')}`);
            assert.ok(lines.some(line => /session last_seen_at not written: disk full \(SQLITE_FULL\)/.test(line)), `the failed session write is logged:\n${lines.join('\n')}`);
            assert.deepEqual(lines.filter(line => /cannot rollback/.test(line)), []);
            assert.deepEqual(lines.filter(line => line.includes('database unavailable')).length, 1, `5 failed sign-ups, one line (the counts follow every 10 s):\n${lines.join('\n')}`);
            assertNoStacks(lines);
        });
        it('once space is freed, sign-up and readiness answer 200 without a restart', async () => {
            await unlink(filler);
            const created = await call(service, 'POST', '/users', { form: { email: uniqueEmail('freed'), password: PASSWORD } });
            assert.equal(created.status, 200, JSON.stringify(created.body));
            const ready = await call(service, 'GET', '/health/ready');
            assert.deepEqual([ready.status, ready.body], [200, { status: 'ok', checks: { database: 'ok' } }]);
            assert.ok(service.running(), 'the same process served throughout');
        });
    });
}
