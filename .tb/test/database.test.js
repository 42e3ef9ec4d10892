import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { AuthError } from '../src/auth/errors.js';
import { generateToken, hashToken } from '../src/auth/tokens.js';
import { loadConfig } from '../src/config.js';
import { createDb } from '../src/db/index.js';
import { migrateTo, migrateToLatest } from '../src/db/migrate.js';
import { createSession } from '../src/features/sessions/sessions.js';
import { createServices } from '../src/services.js';
import { pino } from 'pino';
import { spawnCli } from './support/cli.js';
import { createTestDatabase, describeOn, TEST_DIALECT } from './support/database.js';
import { PASSWORD, request, signUp, sleep, startServer, startServerViaProxy } from './support/server.js';
/** Waits until GET /profile answers 200 again (at most 10 s): the pool reconnects in its own time. */
async function answersAgain(server, session) {
    const deadline = Date.now() + 10_000;
    while ((await request(server, 'GET', '/profile', undefined, { session })).status !== 200) {
        if (Date.now() > deadline)
            throw new Error('GET /profile did not answer 200 again within 10 s');
        await sleep(50);
    }
}
describe(`migrations on ${TEST_DIALECT}`, () => {
    let database;
    before(async () => { database = await createTestDatabase(); });
    after(async () => { await database.drop(); });
    it('five instances running migrate at once apply each migration exactly once', async () => {
        // Separate processes, as separate instances would be: SQLite locks per process.
        const runs = await Promise.all(Array.from({ length: 5 }, async () => await spawnCli(['migrate'], { DATABASE_URL: database.url })));
        for (const run of runs)
            assert.equal(run.code, 0, run.stderr);
        const applied = runs.flatMap(run => [...run.stdout.matchAll(/^applied: (\S+)$/gm)].map(match => match[1] ?? '')).sort();
        const files = readdirSync('src/db/migrations').filter(file => /^\d{4}_\w+\.ts$/.test(file)).map(file => file.replace(/\.ts$/, '')).sort();
        assert.ok(files.length >= 6 && files[0] === '0001_users', files.join(', '));
        assert.deepEqual(applied, files);
        const again = await spawnCli(['migrate'], { DATABASE_URL: database.url });
        assert.equal(again.code, 0);
        assert.match(again.stdout, /database is up to date/);
    });
});
describe(`the one-time token migration on ${TEST_DIALECT}`, () => {
    it('moves unused reset tokens over: a reset mail sent before the upgrade works after it', async () => {
        const database = await createTestDatabase();
        const email = 'before-upgrade@example.com';
        const [live, used, expired] = [generateToken(), generateToken(), generateToken()];
        try {
            const db = createDb(loadConfig({ DATABASE_URL: database.url }).database);
            try {
                assert.equal((await migrateTo(db, '0003_password_reset_tokens')).error, undefined);
                const now = Date.now();
                await sql `insert into users (id, email, password_hash, created_at, updated_at) values (7, ${email}, 'x', ${now}, ${now})`.execute(db);
                for (const [token, expiresAt, usedAt] of [[live, now + 600_000, null], [used, now + 600_000, now], [expired, now - 1, null]]) {
                    await sql `insert into password_reset_tokens (id, user_id, created_at, expires_at, used_at) values (${hashToken(token)}, 7, ${now}, ${expiresAt}, ${usedAt})`.execute(db);
                }
                assert.equal((await migrateToLatest(db)).error, undefined);
                const moved = await db.selectFrom('one_time_tokens').select(['id', 'purpose', 'user_id']).execute();
                const expected = [live, expired].map(token => ({ id: hashToken(token), purpose: 'password_reset', user_id: 7 }));
                assert.deepEqual(moved.sort((a, b) => a.id.localeCompare(b.id)), expected.sort((a, b) => a.id.localeCompare(b.id)), 'the unused ones, the used one gone');
            }
            finally {
                await db.destroy();
            }
            const server = await startServer({ DATABASE_URL: database.url });
            try {
                for (const token of [used, expired]) {
                    const refused = await request(server, 'PUT', '/reset_password', { email, reset_token: token, new_password: 'a brand new passphrase' });
                    assert.equal(refused.status, 403);
                }
                const reset = await request(server, 'PUT', '/reset_password', { email, reset_token: live, new_password: 'a brand new passphrase' });
                assert.deepEqual([reset.status, reset.body], [200, { email, message: 'Password updated' }]);
                assert.equal((await request(server, 'POST', '/sessions', { email, password: 'a brand new passphrase' })).status, 200);
            }
            finally {
                await server.close();
            }
        }
        finally {
            await database.drop();
        }
    });
});
describe('an unreachable database', () => {
    for (const url of ['postgres://authsvc@127.0.0.1:1/nothing', 'mysql://authsvc@127.0.0.1:1/nothing']) {
        it(`gives 503 with a JSON message and Retry-After (${url.split(':')[0] ?? ''})`, async () => {
            const server = await startServer({ DATABASE_URL: url, DATABASE_CONNECT_TIMEOUT: '1' }, { migrate: false });
            try {
                for (const [method, path, body] of [['POST', '/users', { email: 'a@example.com', password: PASSWORD }], ['POST', '/sessions', { email: 'a@example.com', password: PASSWORD }], ['GET', '/profile', undefined]]) {
                    const reply = await request(server, method, path, body, { session: 'A'.repeat(43) });
                    assert.equal(reply.status, 503, `${method} ${path}: ${reply.text}`);
                    assert.match(reply.body.message, /database cannot be reached/);
                    assert.equal(reply.headers.get('retry-after'), '2');
                }
                const home = await request(server, 'GET', '/');
                assert.equal(home.status, 200, 'routes that need no database still answer');
            }
            finally {
                await server.close();
            }
        });
    }
});
describeOn(['postgres', 'mysql'])(`recovery on ${TEST_DIALECT}`, () => {
    let proxy;
    let server;
    before(async () => {
        ({ server, proxy } = await startServerViaProxy());
    });
    after(async () => {
        await server.close();
        await proxy.close();
    });
    it('answers 503 while the network to the database is down and recovers by itself', async () => {
        const user = await signUp(server);
        await proxy.cut();
        const down = await request(server, 'GET', '/profile', undefined, { session: user.token });
        assert.equal(down.status, 503, down.text);
        assert.match(down.body.message, /database cannot be reached/);
        await proxy.restore();
        await answersAgain(server, user.token);
        for (let i = 0; i < 5; i++) {
            const reply = await request(server, 'GET', '/profile', undefined, { session: user.token });
            assert.deepEqual([reply.status, reply.body], [200, { email: user.email, id: user.id }], `request ${i} after recovery`);
        }
    });
});
describeOn(['postgres'])('PostgreSQL connections killed by the server', () => {
    let server;
    before(async () => { server = await startServer(); });
    after(async () => { await server.close(); });
    it('the requests after pg_terminate_backend succeed', async () => {
        const user = await signUp(server);
        // Fill the pool with several connections, then have the server kill all of them.
        await Promise.all(Array.from({ length: 8 }, async () => await request(server, 'GET', '/profile', undefined, { session: user.token })));
        const name = new URL(server.databaseUrl).pathname.slice(1);
        const killed = await sql `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`.execute(server.db);
        assert.ok((killed.rows[0]?.n ?? 0) >= 1, 'some pool connections were terminated');
        await answersAgain(server, user.token);
        for (let i = 0; i < 10; i++) {
            const reply = await request(server, 'GET', '/profile', undefined, { session: user.token });
            assert.equal(reply.status, 200, `request ${i}: ${reply.text}`);
        }
        const login = await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD });
        assert.equal(login.status, 200);
    });
});
describe(`constraint violations on ${TEST_DIALECT}`, () => {
    let server;
    before(async () => { server = await startServer(); });
    after(async () => { await server.close(); });
    it('two users racing to the same new email: one 200, one 400', async () => {
        const alice = await signUp(server);
        const bob = await signUp(server);
        const target = `taken-${Date.now()}@example.com`;
        const replies = await Promise.all([alice, bob].map(async (user) => await request(server, 'PUT', `/users/${user.id}`, { email: target }, { session: user.token })));
        assert.deepEqual(replies.map(r => r.status).sort((a, b) => a - b), [200, 400]);
        assert.deepEqual(replies.find(r => r.status === 400)?.body, { message: 'email already registered', code: 'email_taken' });
    });
    it('a session for a user deleted meanwhile is refused as FORBIDDEN, not a 500', async (t) => {
        // The domain function called directly, on the service graph the CLI and the server use.
        const services = await createServices(server.config, { logger: pino({ level: 'silent' }) });
        t.after(async () => { await services.close(); });
        await assert.rejects(createSession(services.auth, services.db, 2_000_000_000, ['password'], { ip: null, userAgent: null, requestId: null }), (error) => {
            assert.ok(error instanceof AuthError);
            assert.equal(error.code, 'FORBIDDEN');
            return true;
        });
    });
});
describe(`session checks at once on ${TEST_DIALECT}`, () => {
    let server;
    before(async () => { server = await startServer(); });
    after(async () => { await server.close(); });
    it('many concurrent checks of different sessions each answer for their own user; revoked ones are refused', async () => {
        const users = await Promise.all(Array.from({ length: 12 }, async () => await signUp(server)));
        const revoked = users.slice(0, 3);
        await Promise.all(revoked.map(async (user) => await request(server, 'DELETE', '/sessions', undefined, { session: user.token })));
        const checks = Array.from({ length: 120 }, (_, i) => users[i % users.length]);
        const replies = await Promise.all(checks.map(async (user) => ({ user, reply: await request(server, 'GET', '/profile', undefined, { session: user.token, transport: 'header' }) })));
        for (const { user, reply } of replies) {
            if (revoked.includes(user)) {
                assert.equal(reply.status, 403, user.email);
            }
            else {
                assert.deepEqual([reply.status, reply.body], [200, { email: user.email, id: user.id }]);
            }
        }
    });
});
