// GET /metrics: Prometheus text that parses, counters that move with what happens, labels
// that never hold a raw path or an email, and a 404 for whoever may not read it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_DIALECT } from './support/database.js';
import { PASSWORD, request, signUp, sleep, startServer, uniqueEmail } from './support/server.js';
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?(?:[0-9.]+(?:e[+-]?[0-9]+)?|NaN|\+Inf|-Inf))$/;
const COMMENT = /^# (?:HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (?:counter|gauge|histogram|summary|untyped))$/;
/** Every sample of an exposition, by `name{labels}` as written; throws on a line that is neither sample nor comment. */
function parse(text) {
    const samples = new Map();
    for (const line of text.split('\n')) {
        if (line === '')
            continue;
        if (line.startsWith('#')) {
            assert.match(line, COMMENT);
            continue;
        }
        const match = SAMPLE.exec(line);
        assert.ok(match !== null, `not a Prometheus sample: ${line}`);
        samples.set(`${match[1] ?? ''}${match[2] ?? ''}`, Number(match[3]));
    }
    return samples;
}
async function scrape(server, headers = {}) {
    const reply = await fetch(`${server.url}/metrics`, { headers });
    return { status: reply.status, text: await reply.text(), type: reply.headers.get('content-type') };
}
async function samples(server) {
    const { status, text } = await scrape(server);
    assert.equal(status, 200, text);
    return parse(text);
}
describe(`GET /metrics on ${TEST_DIALECT}`, () => {
    let server;
    before(async () => { server = await startServer(); });
    after(async () => { await server.close(); });
    it('answers loopback with Prometheus text: the HTTP, auth, hashing and process metrics', async () => {
        const { status, text, type } = await scrape(server);
        assert.equal(status, 200);
        assert.match(type ?? '', /^text\/plain; version=0\.0\.4/);
        const names = new Set([...parse(text).keys()].map(key => key.replace(/\{.*$/, '')));
        for (const name of ['authsvc_logins_total', 'authsvc_password_resets_total', 'authsvc_hash_queue_depth', 'process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
            assert.ok(names.has(name), `${name} is exported`);
        }
    });
    it('counts a failed and a good sign-in, their requests and the hashing they cost', async () => {
        const email = uniqueEmail('metrics');
        assert.equal((await request(server, 'POST', '/users', { email, password: PASSWORD })).status, 200);
        const before = await samples(server);
        assert.equal((await request(server, 'POST', '/sessions', { email, password: 'not the password!' })).status, 401);
        assert.equal((await request(server, 'POST', '/sessions', { email, password: PASSWORD })).status, 200);
        const after = await samples(server);
        const moved = (key) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
        assert.equal(moved('authsvc_logins_total{result="invalid_credentials"}'), 1);
        assert.equal(moved('authsvc_logins_total{result="success"}'), 1);
        assert.equal(moved('http_requests_total{method="POST",route="/sessions",status="401"}'), 1);
        assert.equal(moved('http_requests_total{method="POST",route="/sessions",status="200"}'), 1);
        assert.equal(moved('http_request_duration_seconds_count{method="POST",route="/sessions",status="200"}'), 1);
        assert.equal(moved('authsvc_hash_duration_seconds_count{op="verify"}'), 2);
        assert.ok((after.get('authsvc_registrations_total') ?? 0) >= 1);
    });
    it('labels routes by template and 404s as unmatched: no raw path, id or email', async () => {
        const user = await signUp(server);
        await request(server, 'GET', '/users/987654321', undefined, { session: user.token });
        await request(server, 'GET', `/nope/${encodeURIComponent(user.email)}/123456789`);
        const { text } = await scrape(server);
        assert.match(text, /http_requests_total\{method="GET",route="\/users\/:id",status="403"\} \d+/);
        assert.match(text, /http_requests_total\{method="GET",route="unmatched",status="404"\} \d+/);
        for (const raw of ['987654321', '123456789', user.email, encodeURIComponent(user.email)])
            assert.ok(!text.includes(raw), `${raw} is in no label`);
    });
    it('counts what the per-IP limit refuses, by bucket, and mail by kind and result', async () => {
        const limited = await startServer({ RATE_LIMIT_LOGIN: '2' });
        try {
            const user = await signUp(limited);
            const statuses = [];
            for (let i = 0; i < 3; i++)
                statuses.push((await request(limited, 'POST', '/sessions', { email: user.email, password: PASSWORD })).status);
            assert.deepEqual(statuses, [200, 429, 429]);
            await request(limited, 'POST', '/reset_password', { email: user.email });
            let after = await samples(limited);
            for (let i = 0; i < 50 && after.get('authsvc_mails_total{kind="password_reset",result="sent"}') === undefined; i++) {
                await sleep(100);
                after = await samples(limited);
            }
            assert.equal(after.get('authsvc_rate_limited_total{limit="login"}'), 2);
            assert.equal(after.get('authsvc_mails_total{kind="password_reset",result="sent"}'), 1);
            assert.equal(after.get('authsvc_password_resets_total{step="requested"}'), 1);
        }
        finally {
            await limited.close();
        }
    });
});
describe('who may read GET /metrics', () => {
    const TOKEN = 'a-long-metrics-token-for-tests';
    let server;
    before(async () => { server = await startServer({ METRICS_ALLOW: '10.0.0.0/8', METRICS_TOKEN: TOKEN }); });
    after(async () => { await server.close(); });
    it('is a 404, as for a path that does not exist, outside METRICS_ALLOW without the token', async () => {
        const denied = await scrape(server);
        const missing = await fetch(`${server.url}/no-such-path`);
        assert.deepEqual([denied.status, JSON.parse(denied.text)], [404, await missing.json()]);
        assert.equal((await scrape(server, { authorization: `Bearer ${TOKEN}x` })).status, 404);
        assert.equal((await scrape(server, { authorization: TOKEN })).status, 404);
    });
    it('answers the bearer of METRICS_TOKEN from anywhere', async () => {
        const allowed = await scrape(server, { authorization: `Bearer ${TOKEN}` });
        assert.equal(allowed.status, 200);
        assert.ok(parse(allowed.text).size > 10);
    });
    it('does not exist with METRICS_ENABLED=false', async () => {
        const off = await startServer({ METRICS_ENABLED: 'false' });
        try {
            assert.equal((await scrape(off)).status, 404);
        }
        finally {
            await off.close();
        }
    });
});
