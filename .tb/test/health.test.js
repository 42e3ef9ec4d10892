// GET /health/alive and /health/ready: readiness follows the database (503) and Redis
// (200 degraded), through a TCP relay the test cuts and stalls; the answer names the failed
// check, nothing more.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { describeOn, TEST_DIALECT } from './support/database.js';
import { request, sleep, startServer, startServerViaProxy } from './support/server.js';
import { startTcpProxy } from './support/tcp-proxy.js';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Asks until the answer has `status`, for at most `ms` (pools reconnect in their own time). */
async function readyUntil(server, status, ms = 10_000) {
    const deadline = Date.now() + ms;
    for (;;) {
        const reply = await request(server, 'GET', '/health/ready');
        if (reply.status === status || Date.now() > deadline)
            return reply;
        await sleep(100);
    }
}
describe('health', () => {
    let server;
    before(async () => { server = await startServer({ RATE_LIMIT_LOGIN: '1' }); });
    after(async () => { await server.close(); });
    it('alive answers 200 {"status":"ok"}', async () => {
        const reply = await request(server, 'GET', '/health/alive');
        assert.deepEqual([reply.status, reply.body], [200, { status: 'ok' }]);
    });
    it(`ready answers 200 with the database checked (${TEST_DIALECT})`, async () => {
        const reply = await request(server, 'GET', '/health/ready');
        assert.deepEqual([reply.status, reply.body], [200, { status: 'ok', checks: { database: 'ok' } }]);
        assert.equal(reply.headers.get('cache-control'), 'no-store');
    });
    it('is not rate-limited', async () => {
        const replies = await Promise.all(Array.from({ length: 20 }, async () => await request(server, 'GET', '/health/ready')));
        assert.deepEqual([...new Set(replies.map(reply => reply.status))], [200]);
    });
});
// An SQLite file has no network to cut.
describeOn(['postgres', 'mysql'])(`readiness follows the database (${TEST_DIALECT})`, () => {
    let proxy;
    let server;
    before(async () => {
        ({ server, proxy } = await startServerViaProxy());
    });
    after(async () => {
        await server.close();
        await proxy.close();
    });
    it('503 naming the database while it cannot be reached, 200 once it is back', async () => {
        assert.equal((await request(server, 'GET', '/health/ready')).status, 200);
        await proxy.cut();
        const started = Date.now();
        const down = await readyUntil(server, 503);
        assert.deepEqual([down.status, down.body], [503, { status: 'unavailable', checks: { database: 'unreachable' }, message: 'not ready: database unreachable', code: 'unavailable' }]);
        assert.ok(Date.now() - started < 5000, 'answered within seconds');
        assert.equal((await request(server, 'GET', '/health/alive')).status, 200, 'still alive');
        await proxy.restore();
        const back = await readyUntil(server, 200);
        assert.deepEqual([back.status, back.body], [200, { status: 'ok', checks: { database: 'ok' } }]);
    });
});
describe('readiness follows Redis when REDIS_URL is set', () => {
    let proxy;
    let server;
    before(async () => {
        proxy = await startTcpProxy('127.0.0.1', Number(new URL(REDIS_URL).port || 6379));
        server = await startServer({ REDIS_URL: `redis://127.0.0.1:${proxy.port}`, REDIS_KEY_PREFIX: `authsvc-health-${process.pid}:` });
    });
    after(async () => {
        proxy.resume();
        await server.close();
        await proxy.close();
    });
    it('checks Redis too, and answers 200 degraded naming it while Redis does not answer (the memory fallback serves)', async () => {
        const up = await readyUntil(server, 200);
        assert.deepEqual([up.status, up.body], [200, { status: 'ok', checks: { database: 'ok', redis: 'ok' } }]);
        proxy.stall();
        const started = Date.now();
        const down = await request(server, 'GET', '/health/ready');
        assert.ok(Date.now() - started < 2000, 'a stalled Redis costs the probe its timeout, no more');
        assert.deepEqual([down.status, down.body], [200, { status: 'degraded', checks: { database: 'ok', redis: 'unreachable' } }]);
        proxy.resume();
        const back = await readyUntil(server, 200);
        assert.deepEqual(back.body, { status: 'ok', checks: { database: 'ok', redis: 'ok' } });
    });
});
