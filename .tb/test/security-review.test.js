// Regression tests for the findings of the outside security review (issue 11), one
// describe per finding, numbered as in the review. Each failed on the code before its fix.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { createTestClock } from './support/clock.js';
import { sendRaw } from './support/raw-http.js';
import { PASSWORD, request, signUp, sleep, startServer, uniqueEmail } from './support/server.js';
import { startService } from './support/service.js';
import { startSmtpReceiver } from './support/smtp.js';
import { startTcpProxy } from './support/tcp-proxy.js';
import { insertUserWithHash } from './support/users.js';
const from = (ip, headers = {}) => ({ headers: { 'x-forwarded-for': ip, ...headers } });
let nextIp = 0;
/** A client address of its own per call, so that per-client limits never meet. */
function freshIp() {
    nextIp += 1;
    return `10.${(process.pid % 200) + 20}.${Math.floor(nextIp / 250)}.${nextIp % 250}`;
}
function median(values) {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}
async function timed(run) {
    const start = performance.now();
    const reply = await run();
    return { reply, ms: performance.now() - start };
}
describe('1. an overloaded hash queue never turns unknown emails into a lasting 503', () => {
    let server;
    before(async () => { server = await startServer({ HASH_THREADS: '1', HASH_QUEUE_LIMIT: '1', TRUST_PROXY: 'loopback' }); });
    after(async () => { await server.close(); });
    it('POST /sessions for an unknown email answers 401 once the queue has drained', async () => {
        const user = await signUp(server);
        let unknownOverloaded = 0;
        for (let round = 0; round < 3; round++) {
            // Fill the queue with wrong passwords of a real account, then ask for unknown emails.
            const flood = Array.from({ length: 20 }, async () => await request(server, 'POST', '/sessions', { email: user.email, password: 'wrong password' }, from(freshIp())));
            // The first 503 of the flood says the queue is full now.
            await Promise.race([Promise.all(flood), ...flood.map(async (reply) => await reply.then(async (r) => r.status === 503 ? r : await new Promise(() => { })))]);
            const unknown = await Promise.all(Array.from({ length: 3 }, async () => await request(server, 'POST', '/sessions', { email: uniqueEmail('ghost'), password: 'wrong password' }, from(freshIp()))));
            unknownOverloaded += unknown.filter(reply => reply.status === 503).length;
            await Promise.all(flood);
        }
        assert.ok(unknownOverloaded >= 1, 'the flood met the unknown emails with a full queue');
        for (let i = 0; i < 3; i++) {
            const ghost = await request(server, 'POST', '/sessions', { email: uniqueEmail('ghost'), password: 'wrong password' }, from(freshIp()));
            const real = await request(server, 'POST', '/sessions', { email: user.email, password: 'wrong password' }, from(freshIp()));
            assert.deepEqual([ghost.status, ghost.body], [real.status, real.body], 'an unknown email answers as a real one');
            assert.equal(ghost.status, 401);
        }
    });
});
describe('2. the login throttle holds under concurrent attempts', () => {
    let server;
    // The service's clock stands still (support/clock.ts): the first wait, 1 s, cannot run
    // out while a slow machine works through the burst.
    before(async () => { server = await startServer({ LOGIN_THROTTLE_FREE_ATTEMPTS: '5', LOGIN_THROTTLE_MAX_DELAY: '60', TRUST_PROXY: 'loopback' }, { now: createTestClock().now }); });
    after(async () => { await server.close(); });
    it('25 wrong passwords at once: at most the free attempts are verified, and then even the right one waits', async () => {
        const user = await signUp(server);
        const sent = Array.from({ length: 25 }, async (_, i) => await request(server, 'POST', '/sessions', { email: user.email, password: `wrong password ${i}` }, from(freshIp())));
        const burst = await Promise.all(sent);
        const right = await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD }, from(freshIp()));
        const verified = burst.filter(reply => reply.status === 401).length;
        // The old code verified all 25 (and let the right password in, were it among them).
        assert.equal(verified, 5, `wrong passwords verified (statuses ${burst.map(r => r.status).join(',')})`);
        assert.ok(burst.every(reply => reply.status === 401 || reply.status === 429), burst.map(r => r.status).join(','));
        assert.equal(right.status, 429, 'the right password waits too');
        assert.equal(right.headers.get('set-cookie'), null);
    });
});
describe('3. PUT /users/:id cannot guess current_password at hashing speed', () => {
    it('a wrong current_password counts as a failed login of the account', async () => {
        const server = await startServer({ LOGIN_THROTTLE_FREE_ATTEMPTS: '3', LOGIN_THROTTLE_MAX_DELAY: '60' }, { now: createTestClock().now });
        try {
            const user = await signUp(server);
            for (let i = 0; i < 3; i++) {
                const wrong = await request(server, 'PUT', `/users/${user.id}`, { password: 'a new password 1', current_password: `guess ${i}` }, { session: user.token });
                assert.equal(wrong.status, 403, `guess ${i}: ${wrong.text}`);
            }
            const throttled = await request(server, 'PUT', `/users/${user.id}`, { password: 'a new password 1', current_password: PASSWORD }, { session: user.token });
            assert.equal(throttled.status, 429, throttled.text);
            assert.match(throttled.headers.get('retry-after') ?? '', /^\d+$/);
            assert.equal((await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD })).status, 429, 'sign-in waits as well');
        }
        finally {
            await server.close();
        }
    });
    it('the route has a per-IP limit (RATE_LIMIT_ACCOUNT)', async () => {
        const server = await startServer({ RATE_LIMIT_ACCOUNT: '3', TRUST_PROXY: 'loopback' });
        try {
            const user = await signUp(server);
            const ip = freshIp();
            for (let i = 0; i < 3; i++) {
                assert.equal((await request(server, 'PUT', `/users/${user.id}`, { password: 'a new password 1', current_password: 'wrong' }, { session: user.token, ...from(ip) })).status, 403);
            }
            const limited = await request(server, 'PUT', `/users/${user.id}`, { password: 'a new password 1', current_password: PASSWORD }, { session: user.token, ...from(ip) });
            assert.equal(limited.status, 429, limited.text);
            assert.equal((await request(server, 'GET', `/users/${user.id}`, undefined, { session: user.token, ...from(ip) })).status, 200, 'reading is not limited');
        }
        finally {
            await server.close();
        }
    });
    it('one client flooding the hash queue leaves room for everybody else', async () => {
        const server = await startServer({ HASH_THREADS: '1', HASH_QUEUE_LIMIT: '8', TRUST_PROXY: 'loopback' });
        try {
            const attacker = await signUp(server);
            const victim = await signUp(server);
            const attackerIp = freshIp();
            let othersServed = 0;
            for (let round = 0; round < 3; round++) {
                const flood = Array.from({ length: 30 }, async () => await request(server, 'PUT', `/users/${attacker.id}`, { password: 'a new password 1', current_password: 'wrong' }, { session: attacker.token, ...from(attackerIp) }));
                await sleep(5); // no deadline: lets the flood reach the queue before the others ask
                const others = await Promise.all([0, 1].map(async () => await request(server, 'POST', '/sessions', { email: victim.email, password: PASSWORD }, from(freshIp()))));
                const replies = await Promise.all(flood);
                assert.ok(replies.some(reply => reply.status === 503), 'the attacker meets its own share\'s limit');
                othersServed += others.filter(reply => reply.status === 200).length;
                assert.deepEqual(others.map(reply => reply.status), [200, 200], `round ${round}: other clients are served`);
            }
            assert.equal(othersServed, 6);
        }
        finally {
            await server.close();
        }
    });
});
describe('4. a stalled Redis does not hang rate-limited routes', () => {
    it('POST /sessions answers while Redis accepts but never replies, with limits in memory', async () => {
        const proxy = await startTcpProxy('127.0.0.1', Number(new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379').port || 6379));
        const server = await startServer({ REDIS_URL: `redis://127.0.0.1:${proxy.port}`, REDIS_KEY_PREFIX: `authsvc-stall-${process.pid}:`, RATE_LIMIT_LOGIN: '3' });
        try {
            assert.equal((await request(server, 'POST', '/sessions', { email: 'bad' })).status, 400, 'served through Redis');
            proxy.stall();
            const statuses = [];
            for (let i = 0; i < 4; i++) {
                const reply = await fetch(`${server.url}/sessions`, {
                    method: 'POST',
                    headers: { 'content-type': 'application/json' },
                    body: JSON.stringify({ email: 'bad' }),
                    signal: AbortSignal.timeout(5000)
                });
                statuses.push(reply.status);
            }
            assert.deepEqual(statuses, [400, 400, 400, 429], 'answered, and the limit held in memory');
        }
        finally {
            proxy.resume();
            await server.close();
            await proxy.close();
        }
    });
});
/** Opens a connection, writes `data`, and resolves with what came back once the server closed it. */
async function stalledRequest(url, data, waitMs) {
    const { port } = new URL(url);
    return await new Promise(resolve => {
        const socket = net.connect(Number(port), '127.0.0.1');
        const start = Date.now();
        let received = '';
        const timer = setTimeout(() => { socket.destroy(); resolve({ received, closedAfterMs: null }); }, waitMs);
        socket.on('data', chunk => { received += chunk.toString(); });
        socket.on('error', () => { });
        socket.on('close', () => { clearTimeout(timer); resolve({ received, closedAfterMs: Date.now() - start }); });
        socket.write(data);
    });
}
describe('5. stalled requests are closed within seconds', () => {
    let server;
    before(async () => { server = await startServer({ HTTP_REQUEST_TIMEOUT: '2', HTTP_KEEP_ALIVE_TIMEOUT: '1' }); });
    after(async () => { await server.close(); });
    it('a body that stops arriving gets 408 and the connection is closed', async () => {
        const head = 'POST /users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n';
        const { received, closedAfterMs } = await stalledRequest(server.url, head + '{"email":', 8000);
        assert.notEqual(closedAfterMs, null, 'the connection was closed');
        assert.match(received, /^HTTP\/1\.1 408 /);
        assert.match(received, /"message":"request timed out"/);
    });
    it('headers that stop arriving: the connection is closed', async () => {
        const { received, closedAfterMs } = await stalledRequest(server.url, 'GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: a', 8000);
        assert.notEqual(closedAfterMs, null, 'the connection was closed');
        assert.match(received, /^HTTP\/1\.1 408 /);
    });
    it('an idle keep-alive connection is closed', async () => {
        const { received, closedAfterMs } = await stalledRequest(server.url, 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n', 8000);
        assert.match(received, /^HTTP\/1\.1 200 /);
        assert.notEqual(closedAfterMs, null, 'the idle connection was closed');
    });
});
describe('6. a failed login takes as long for a legacy bcrypt account as for any other', () => {
    let first;
    let server;
    const legacy = uniqueEmail('legacy');
    before(async () => {
        first = await startServer();
        // Cost 11, as the course service's cost 12 would make the test slow; still ~6 × argon2id.
        const stored = (await bcryptHash(PASSWORD, 11)).replace(/^\$2y\$/, '$2b$');
        // An id past the first ranges of the scan that looks for legacy hashes (10,000 ids each).
        await insertUserWithHash(first.db, { id: 25_000, email: legacy, hash: stored });
        // Started on a database that already holds the legacy user, as after an import.
        server = await startServer({ DATABASE_URL: first.databaseUrl });
    });
    after(async () => {
        await server.close();
        await first.close();
    });
    it('wrong password (bcrypt or argon2id user) and unknown email answer after about the same time', async () => {
        const modern = await signUp(server);
        // One failure of the legacy account first: the target follows the machine's load from
        // the real bcrypt verifications, and a busy CI machine's load moves within seconds.
        await request(server, 'POST', '/sessions', { email: legacy, password: 'wrong password' });
        const times = { legacy: [], modern: [], unknown: [] };
        for (let round = 0; round < 5; round++) {
            for (const [kind, email] of [['legacy', legacy], ['modern', modern.email], ['unknown', uniqueEmail('ghost')]]) {
                const { reply, ms } = await timed(async () => await request(server, 'POST', '/sessions', { email, password: 'wrong password' }));
                assert.equal(reply.status, 401);
                times[kind].push(ms);
            }
        }
        const legacyMs = median(times.legacy);
        for (const kind of ['modern', 'unknown']) {
            const ratio = median(times[kind]) / legacyMs;
            assert.ok(ratio > 0.5 && ratio < 2, `${kind}: ${median(times[kind]).toFixed(0)} ms against ${legacyMs.toFixed(0)} ms for the bcrypt account`);
        }
        assert.equal((await request(server, 'POST', '/sessions', { email: legacy, password: PASSWORD })).status, 200, 'the legacy user still signs in');
    });
});
describe('6. the scan that finds the costliest legacy hash', () => {
    let server;
    before(async () => { server = await startServer(); });
    after(async () => { await server.close(); });
    it('finds it in any range of ids, and nothing once there is none', async () => {
        const { findSlowestStoredHash } = await import('../src/identity/password-credential.js');
        assert.equal(await findSlowestStoredHash(server.db), null, 'no legacy hash: no padding');
        const cheap = (await bcryptHash(PASSWORD, 4)).replace(/^\$2y\$/, '$2b$');
        const costly = (await bcryptHash(PASSWORD, 6)).replace(/^\$2y\$/, '$2b$');
        await signUp(server);
        await insertUserWithHash(server.db, { id: 12, email: uniqueEmail('cheap'), hash: cheap });
        // Past the first ranges of the scan (10,000 ids each).
        await insertUserWithHash(server.db, { id: 25_000, email: uniqueEmail('costly'), hash: costly });
        assert.equal(await findSlowestStoredHash(server.db), costly);
        await server.db.deleteFrom('users').where('id', '=', 25_000).execute();
        assert.equal(await findSlowestStoredHash(server.db), cheap);
    });
});
describe('7. an email change needs a recent sign-in or the password, tells the old address, voids reset tokens', () => {
    let smtp;
    let server;
    const clock = createTestClock();
    before(async () => {
        smtp = await startSmtpReceiver();
        server = await startServer({ SMTP_URL: smtp.url, REAUTH_MAX_AGE: '600' }, { now: clock.now });
    });
    after(async () => {
        await server.close();
        await smtp.close();
    });
    it('from an older session, PUT /users/:id with email alone is 403 reauthentication_required', async () => {
        const user = await signUp(server);
        clock.advance(601_000); // past REAUTH_MAX_AGE on the service's clock
        const stale = await request(server, 'PUT', `/users/${user.id}`, { email: uniqueEmail('attacker') }, { session: user.token });
        assert.equal(stale.status, 403);
        assert.equal(stale.body.code, 'reauthentication_required');
        assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).body.email, user.email, 'nothing changed');
        const wrong = await request(server, 'PUT', `/users/${user.id}`, { email: uniqueEmail('attacker'), current_password: 'wrong' }, { session: user.token });
        assert.equal(wrong.status, 403);
        const newEmail = uniqueEmail('moved');
        const ok = await request(server, 'PUT', `/users/${user.id}`, { email: newEmail, current_password: PASSWORD }, { session: user.token });
        assert.deepEqual([ok.status, ok.body], [200, { email: newEmail, message: 'user updated' }]);
    });
    it('a fresh session changes the email without the password; the old address gets a notice', async () => {
        const fresh = await startServer({ SMTP_URL: smtp.url });
        try {
            const user = await signUp(fresh);
            const newEmail = uniqueEmail('moved');
            const reply = await request(fresh, 'PUT', `/users/${user.id}`, { email: newEmail }, { session: user.token });
            assert.deepEqual([reply.status, reply.body], [200, { email: newEmail, message: 'user updated' }]);
            const notice = await smtp.waitFor(user.email, /email address .*changed/i);
            assert.ok(notice.text.includes(newEmail), 'the notice names the new address');
            const toNew = await smtp.waitFor(newEmail);
            assert.equal(toNew.subject, 'Confirm your email address', 'the new address gets only a verification link');
        }
        finally {
            await fresh.close();
        }
    });
    it('a reset token mailed before the change no longer works after it', async () => {
        const user = await signUp(server);
        await request(server, 'POST', '/reset_password', { email: user.email });
        const mail = await smtp.waitFor(user.email, /^Reset/);
        const token = /token=([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1];
        assert.ok(token !== undefined, mail.text);
        const newEmail = uniqueEmail('moved');
        assert.equal((await request(server, 'PUT', `/users/${user.id}`, { email: newEmail, current_password: PASSWORD }, { session: user.token })).status, 200);
        const reset = await request(server, 'PUT', '/reset_password', { email: newEmail, reset_token: token, new_password: 'an attacker chose this' });
        assert.equal(reset.status, 403, reset.text);
        assert.equal((await request(server, 'POST', '/sessions', { email: newEmail, password: PASSWORD })).status, 200, 'the password is unchanged');
    });
});
describe('8. no login CSRF: cross-site sign-in and sign-up are refused', () => {
    let server;
    before(async () => { server = await startServer({ TRUSTED_ORIGINS: 'https://app.example.com' }); });
    after(async () => { await server.close(); });
    it('POST /sessions and POST /users from another site get 403 and no cookie', async () => {
        const user = await signUp(server);
        const crossSite = [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }];
        for (const headers of crossSite) {
            const login = await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD }, { headers });
            assert.equal(login.status, 403, JSON.stringify(headers));
            assert.equal(login.headers.get('set-cookie'), null);
            const register = await request(server, 'POST', '/users', { email: uniqueEmail(), password: PASSWORD }, { headers });
            assert.equal(register.status, 403, JSON.stringify(headers));
        }
        assert.equal((await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD }, { headers: { origin: 'https://app.example.com' } })).status, 200, 'a trusted origin');
        assert.equal((await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD }, { headers: { origin: new URL(server.config.publicUrl).origin } })).status, 200, 'this service\'s own origin (PUBLIC_URL)');
        assert.equal((await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD }, { headers: { 'sec-fetch-site': 'same-origin' } })).status, 200);
        assert.equal((await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD })).status, 200, 'a client that sends neither header (curl)');
    });
});
describe('9. an empty X-Session-ID does not lift the CSRF check of the cookie', () => {
    let server;
    before(async () => { server = await startServer(); });
    after(async () => { await server.close(); });
    it('a cross-site PUT with the cookie and an empty header is refused', async () => {
        const user = await signUp(server);
        const evil = await request(server, 'PUT', `/users/${user.id}`, { email: uniqueEmail('evil') }, {
            session: user.token,
            headers: { origin: 'https://evil.example', 'x-session-id': '' }
        });
        assert.equal(evil.status, 403, evil.text);
        assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).body.email, user.email, 'nothing changed');
    });
});
describe('10. the password policy cannot be bypassed with Unicode', () => {
    let server;
    before(async () => { server = await startServer(); });
    after(async () => { await server.close(); });
    it('one code point that expands under NFKC does not pass the length rule', async () => {
        const reply = await request(server, 'POST', '/users', { email: uniqueEmail(), password: '\uFDFA' }, { encoding: 'json' });
        assert.equal(reply.status, 400, reply.text);
        assert.match(reply.body.message, /at least 8/);
    });
    it('a common password in fullwidth forms is refused as common', async () => {
        const reply = await request(server, 'POST', '/users', { email: uniqueEmail(), password: 'ｐａｓｓｗｏｒｄ１２３' }, { encoding: 'json' });
        assert.equal(reply.status, 400, reply.text);
        assert.match(reply.body.message, /too common/);
    });
    it('a password registered in NFC signs in typed in NFD, and the other way round', async () => {
        const nfc = 'Grüße aus Köln'.normalize('NFC');
        const nfd = nfc.normalize('NFD');
        assert.notEqual(nfc, nfd);
        for (const [registered, typed] of [[nfc, nfd], [nfd, nfc]]) {
            const email = uniqueEmail();
            assert.equal((await request(server, 'POST', '/users', { email, password: registered }, { encoding: 'json' })).status, 200);
            assert.equal((await request(server, 'POST', '/sessions', { email, password: typed }, { encoding: 'json' })).status, 200);
        }
    });
    it('a legacy bcrypt hash of a password in NFD still verifies', async () => {
        const email = uniqueEmail('legacy');
        const typed = 'Grüße aus Köln'.normalize('NFD');
        const stored = (await bcryptHash(typed, 4)).replace(/^\$2y\$/, '$2b$');
        await insertUserWithHash(server.db, { email, hash: stored });
        assert.equal((await request(server, 'POST', '/sessions', { email, password: typed }, { encoding: 'json' })).status, 200);
        assert.equal((await request(server, 'POST', '/sessions', { email, password: typed }, { encoding: 'json' })).status, 200, 'and after its re-hash');
        assert.equal((await request(server, 'POST', '/sessions', { email, password: typed.normalize('NFC') }, { encoding: 'json' })).status, 200, 'typed in NFC after the re-hash');
    });
});
describe('11. every reply carries the security headers, errors of the HTTP parser included', () => {
    let server;
    before(async () => { server = await startServer(); });
    after(async () => { await server.close(); });
    const cases = [
        ['a malformed URL', { method: 'GET', path: '/users/%E0%A4%A' }, 400],
        ['oversized headers', { method: 'GET', path: '/', headers: { 'x-big': 'a'.repeat(20_000) } }, 431],
        ['an unsupported Expect', { method: 'POST', path: '/users', headers: { expect: 'something-else', 'content-type': 'application/json' }, body: Buffer.from('{}') }, 417]
    ];
    for (const [what, raw, status] of cases) {
        it(`${what}: ${status} with the headers`, async () => {
            const reply = await sendRaw(server.url, raw);
            assert.equal(reply.status, status);
            assert.match(String(reply.headers['content-type']), /^application\/json/);
            assert.equal(typeof JSON.parse(reply.text).message, 'string');
            assert.equal(reply.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'");
            assert.equal(reply.headers['x-content-type-options'], 'nosniff');
            assert.equal(reply.headers['x-frame-options'], 'DENY');
            assert.equal(reply.headers['cache-control'], 'no-store');
            assert.equal(reply.headers['referrer-policy'], 'no-referrer');
        });
    }
});
describe('12. per-IP limits and the memory store', () => {
    it('IPv6 clients are limited per /64', async () => {
        const server = await startServer({ RATE_LIMIT_REGISTER: '2', TRUST_PROXY: 'loopback' });
        try {
            const statuses = [];
            for (const ip of ['2001:db8:aa:bb::1', '2001:db8:aa:bb:ffff::2', '2001:0db8:00aa:00bb:1234:5678:9abc:def0']) {
                statuses.push((await request(server, 'POST', '/users', { email: 'bad' }, from(ip))).status);
            }
            assert.deepEqual(statuses, [400, 400, 429]);
            assert.equal((await request(server, 'POST', '/users', { email: 'bad' }, from('2001:db8:aa:bc::1'))).status, 400, 'the next /64 has its own budget');
        }
        finally {
            await server.close();
        }
    });
    it('cheap 400s from many addresses do not evict the login throttle', async () => {
        // On a clock that stands still (support/clock.ts): only an eviction can end the block.
        const server = await startServer({ RATE_LIMIT_MEMORY_KEYS: '50', RATE_LIMIT_LOGIN: '100', LOGIN_THROTTLE_FREE_ATTEMPTS: '2', LOGIN_THROTTLE_MAX_DELAY: '60', TRUST_PROXY: 'loopback' }, { now: createTestClock().now });
        try {
            const user = await signUp(server);
            for (let i = 0; i < 2; i++)
                assert.equal((await request(server, 'POST', '/sessions', { email: user.email, password: 'wrong' }, from(freshIp()))).status, 401);
            assert.equal((await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD }, from(freshIp()))).status, 429);
            // More addresses than the store holds (50), in batches.
            for (let batch = 0; batch < 4; batch++) {
                const statuses = await Promise.all(Array.from({ length: 20 }, async (_, i) => (await request(server, 'POST', '/sessions', { email: 'bad' }, from(`10.77.${batch}.${i}`))).status));
                assert.deepEqual(new Set(statuses), new Set([400]));
            }
            assert.equal((await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD }, from(freshIp()))).status, 429, 'still throttled');
        }
        finally {
            await server.close();
        }
    });
});
describe('13. no log line holds a token', () => {
    it('without SMTP_URL a reset mail goes to a file of the outbox, not to the log', async () => {
        const outbox = await mkdtemp(path.join(os.tmpdir(), 'authsvc-outbox-'));
        const service = await startService({ DATABASE_URL: ':memory:', NODE_ENV: 'development', MAIL_OUTBOX: outbox });
        let token;
        try {
            const email = uniqueEmail();
            assert.equal((await fetch(`${service.url}/users`, { method: 'POST', body: new URLSearchParams({ email, password: PASSWORD }) })).status, 200);
            assert.equal((await fetch(`${service.url}/reset_password`, { method: 'POST', body: new URLSearchParams({ email }) })).status, 200);
            for (let i = 0; i < 50 && token === undefined; i++) {
                const files = await readdir(outbox);
                const text = files.length === 0 ? '' : await readFile(path.join(outbox, files[0] ?? ''), 'utf8');
                token = /token=([A-Za-z0-9_-]{43})/.exec(text)?.[1];
                if (token === undefined)
                    await sleep(100);
            }
            assert.ok(token !== undefined, 'the reset mail is in the outbox');
        }
        finally {
            const { stdout, stderr } = await service.stop('SIGTERM');
            await rm(outbox, { recursive: true, force: true });
            assert.match(stdout, /written to the outbox/);
            if (token !== undefined)
                assert.ok(!stdout.includes(token) && !stderr.includes(token), 'the token is in no log line');
        }
    });
    it('the debug request log drops query strings', async () => {
        const service = await startService({ LOG_LEVEL: 'debug', DATABASE_URL: ':memory:', NODE_ENV: 'development' });
        const token = 'SeCrEtToKeN0123456789abcdefghijklmnopqrstuv';
        try {
            for (const path of [`/reset_password?email=a%40b.co&token=${token}`, `/ui/reset_password?token=${token}`, `/profile?token=${token}`]) {
                await fetch(service.url + path);
            }
            await fetch(`${service.url}/reset_password?token=${token}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
        }
        finally {
            const { stdout, stderr } = await service.stop('SIGTERM');
            assert.match(stdout, /"url":"\/reset_password"/, 'requests are logged');
            assert.ok(!stdout.includes(token) && !stderr.includes(token), 'the token is in no log line');
        }
    });
});
