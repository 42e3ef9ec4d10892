// Request ids and the security-event log: every reply carries X-Request-Id, the id its
// log lines carry; each security event is one info line bound to it, with no secret.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { CLI_ARGS } from './support/cli.js';
import { startService } from './support/service.js';
import { PASSWORD, request, startServer, uniqueEmail } from './support/server.js';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
// This instance's random id and a counter.
const GENERATED = /^[0-9a-f]{12}-[0-9a-z]+$/;
describe('X-Request-Id', () => {
    let server;
    before(async () => { server = await startServer(); });
    after(async () => { await server.close(); });
    it('is on every reply, errors included: a new one each time', async () => {
        const ids = new Set();
        for (const [method, path] of [['GET', '/'], ['GET', '/nope'], ['GET', '/profile'], ['POST', '/sessions']]) {
            const reply = await request(server, method, path);
            const id = reply.headers.get('x-request-id') ?? '';
            assert.match(id, GENERATED, `${method} ${path}`);
            ids.add(id);
        }
        assert.equal(ids.size, 4);
    });
    it('keeps a caller\'s plain id, and replaces one that is not', async () => {
        const kept = await request(server, 'GET', '/', undefined, { headers: { 'x-request-id': 'lb-7f3a.42:1' } });
        assert.equal(kept.headers.get('x-request-id'), 'lb-7f3a.42:1');
        for (const bad of ['has spaces', 'x'.repeat(65), 'quote"d', 'new\\nline']) {
            const replaced = await request(server, 'GET', '/', undefined, { headers: { 'x-request-id': bad } });
            assert.match(replaced.headers.get('x-request-id') ?? '', GENERATED, bad);
        }
    });
});
describe('the security-event log of `authsvc serve`', () => {
    let dir;
    before(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'authsvc-logs-')); });
    after(async () => { await rm(dir, { recursive: true, force: true }); });
    it('writes one info line per sign-in outcome, bound to the request id, with no password or token', async () => {
        const service = await startService({ DATABASE_URL: path.join(dir, 'logs.sqlite'), LOG_LEVEL: 'info', MAIL_OUTBOX: path.join(dir, 'outbox') });
        const email = uniqueEmail('logs');
        const post = async (body, url = '/sessions') => await fetch(service.url + url, { method: 'POST', body: new URLSearchParams(body) });
        assert.equal((await post({ email, password: PASSWORD }, '/users')).status, 200);
        const failed = await post({ email, password: 'a wrong password' });
        const succeeded = await post({ email, password: PASSWORD });
        assert.deepEqual([failed.status, succeeded.status], [401, 200]);
        const token = /session_id=([^;]+)/.exec(succeeded.headers.get('set-cookie') ?? '')?.[1] ?? '';
        const { stdout } = await service.stop('SIGTERM');
        const lines = stdout.split('\n').filter(line => line.startsWith('{')).map(line => JSON.parse(line));
        const events = lines.filter(line => line.msg === 'security event');
        const byEvent = (name) => events.find(line => line.event === name);
        assert.equal(byEvent('login.failed')?.reqId, failed.headers.get('x-request-id'));
        assert.equal(byEvent('login.succeeded')?.reqId, succeeded.headers.get('x-request-id'));
        assert.equal(byEvent('login.failed')?.level, 30, 'info');
        assert.ok(byEvent('user.created') !== undefined);
        for (const secret of [PASSWORD, 'a wrong password', token])
            assert.ok(!stdout.includes(secret), 'no secret in the log');
    });
});
describe('logs on a terminal', () => {
    it('are human-readable lines (pino-pretty) when stdout is a terminal', async () => {
        const dir = await mkdtemp(path.join(os.tmpdir(), 'authsvc-tty-'));
        try {
            // util-linux's script(1) gives the command a pseudo-terminal; `serve` logs at info
            // that it listens. The whole group is stopped once that line is there (timeout(1)
            // bounds it at 60 s if it never comes), however slow the machine is.
            const command = ['timeout', '60', process.execPath, ...CLI_ARGS, 'serve'].map(arg => `'${arg}'`).join(' ');
            const stdout = await new Promise(resolve => {
                let out = '';
                const child = spawn('script', ['-qc', command, '/dev/null'], {
                    detached: true,
                    stdio: ['ignore', 'pipe', 'ignore'],
                    env: { PATH: process.env.PATH ?? '', DATABASE_URL: path.join(dir, 'tty.sqlite'), LOG_LEVEL: 'info', MAIL_OUTBOX: path.join(dir, 'outbox'), PORT: '0', HOST: '127.0.0.1' }
                });
                child.stdout.on('data', (chunk) => {
                    out += String(chunk);
                    if (/Server listening/.test(out))
                        process.kill(-(child.pid ?? 0), 'SIGTERM');
                });
                child.on('close', () => { resolve(out); });
            });
            assert.match(stdout, /Server listening/);
            assert.match(stdout, /\bINFO\b/);
            assert.doesNotMatch(stdout, /\{"level":/);
        }
        finally {
            await rm(dir, { recursive: true, force: true });
        }
    });
});
