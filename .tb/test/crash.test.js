// Crash test: the real service (`authsvc serve`, a child process) is SIGKILLed while
// registrations and logins are in flight, then restarted on the same database. What it
// confirmed before dying must still be there, nothing may be half-written, and the
// database must be consistent.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { loadConfig } from '../src/config.js';
import { createDb } from '../src/db/index.js';
import { createTestDatabase, TEST_DIALECT } from './support/database.js';
import { LIMITS_OFF } from './support/server.js';
import { startService } from './support/service.js';
const IN_FLIGHT = 16;
const LOAD_MS = { min: 1000, max: 2000 };
async function post(url, path, fields) {
    return await fetch(url + path, { method: 'POST', body: new URLSearchParams(fields), signal: AbortSignal.timeout(10_000) });
}
/** Runs `task` over `items` with at most `limit` at once. */
async function eachLimited(items, limit, task) {
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
        while (next < items.length) {
            const item = items[next++];
            await task(item);
        }
    }));
}
/** On SQLite: the file's own integrity check and foreign-key check. */
function checkSqliteFile(file, when) {
    const sqlite = new SQLite(file);
    try {
        assert.deepEqual(sqlite.pragma('integrity_check'), [{ integrity_check: 'ok' }], `${when}: PRAGMA integrity_check`);
        assert.deepEqual(sqlite.pragma('foreign_key_check'), [], `${when}: PRAGMA foreign_key_check`);
    }
    finally {
        sqlite.close();
    }
}
describe(`crash (SIGKILL) under load on ${TEST_DIALECT}`, () => {
    it('loses no confirmed registration, half-writes no user and leaves the database consistent', { timeout: 60_000 }, async (t) => {
        const database = await createTestDatabase();
        const env = { DATABASE_URL: database.url, LOG_LEVEL: 'warn', ...LIMITS_OFF };
        const services = [];
        let db;
        try {
            // ---- load, then SIGKILL in the middle of it
            const first = await startService(env);
            services.push(first);
            const registrations = [];
            const unexpected = [];
            let counter = 0;
            let inFlight = 0;
            let loginsConfirmed = 0;
            let killed = false;
            const worker = async () => {
                while (!killed) {
                    counter += 1;
                    const registration = { email: `crash-${counter}@example.com`, password: `crash test password ${counter}`, outcome: 'pending' };
                    registrations.push(registration);
                    inFlight += 1;
                    try {
                        const reply = await post(first.url, '/users', { email: registration.email, password: registration.password });
                        await reply.arrayBuffer();
                        registration.outcome = reply.status === 200 ? 'confirmed' : `status ${reply.status}`;
                    }
                    catch {
                        registration.outcome = 'no answer';
                    }
                    finally {
                        inFlight -= 1;
                    }
                    if (registration.outcome !== 'confirmed' || killed)
                        continue;
                    inFlight += 1;
                    try {
                        const login = await post(first.url, '/sessions', { email: registration.email, password: registration.password });
                        await login.arrayBuffer();
                        if (login.status === 200)
                            loginsConfirmed += 1;
                        else
                            unexpected.push(`login of ${registration.email} before the crash: ${login.status}`);
                    }
                    catch {
                        // cut off by the crash
                    }
                    finally {
                        inFlight -= 1;
                    }
                }
            };
            const workers = Array.from({ length: IN_FLIGHT }, worker);
            // The load runs LOAD_MS from the first confirmed registration: a slow machine (or a
            // busy one, running other test files beside this) may take a second to hash the first.
            for (let waited = 0; !registrations.some(r => r.outcome === 'confirmed') && waited < 20_000; waited += 50) {
                await new Promise(resolve => setTimeout(resolve, 50));
            }
            await new Promise(resolve => setTimeout(resolve, LOAD_MS.min + Math.random() * (LOAD_MS.max - LOAD_MS.min)));
            const inFlightAtKill = inFlight;
            killed = true;
            const crashed = await first.stop('SIGKILL');
            await Promise.all(workers);
            assert.equal(crashed.code, null, 'the process died of the signal');
            const confirmed = registrations.filter(r => r.outcome === 'confirmed');
            const unanswered = registrations.filter(r => r.outcome === 'no answer');
            t.diagnostic(`before the kill: ${registrations.length} registrations sent, ${confirmed.length} confirmed, ${unanswered.length} without an answer, ${loginsConfirmed} logins; ${inFlightAtKill} requests in flight at the kill`);
            assert.deepEqual(registrations.filter(r => r.outcome.startsWith('status')).map(r => `${r.email}: ${r.outcome}`), [], 'every registration answered before the crash was a 200');
            assert.deepEqual(unexpected, [], 'every login answered before the crash was a 200');
            assert.ok(confirmed.length > 0, 'some registrations completed before the kill');
            assert.ok(inFlightAtKill > 0, 'the kill came with requests in flight');
            // What the crash left, before anything else opens the file (SQLite recovers its WAL here).
            if (TEST_DIALECT === 'sqlite')
                checkSqliteFile(database.url, 'right after the crash');
            // ---- restart on the same database
            const second = await startService(env);
            services.push(second);
            db = createDb(loadConfig({ DATABASE_URL: database.url }).database);
            const stored = new Map((await db.selectFrom('users').innerJoin('password_credentials', 'password_credentials.user_id', 'users.id').select(['users.email', 'password_credentials.hash']).execute()).map(row => [row.email, row.hash]));
            const loginFailures = [];
            const login = async (registration) => {
                const reply = await post(second.url, '/sessions', { email: registration.email, password: registration.password });
                const text = await reply.text();
                if (reply.status !== 200)
                    loginFailures.push(`${registration.email} (${registration.outcome}): ${reply.status} ${text}`);
            };
            // Every confirmed user exists and logs in; an unanswered one may be missing, but if it
            // was written, it was written whole: it logs in with its password too.
            const missing = confirmed.filter(r => !stored.has(r.email)).map(r => r.email);
            assert.deepEqual(missing, [], 'confirmed registrations missing after the restart');
            const unansweredButStored = unanswered.filter(r => stored.has(r.email));
            await eachLimited([...confirmed, ...unansweredButStored], 4, login);
            assert.deepEqual(loginFailures, [], 'logins after the restart');
            t.diagnostic(`after the restart: ${confirmed.length} confirmed users log in; ${unansweredButStored.length} of ${unanswered.length} unanswered registrations were stored, and log in`);
            // Nobody the client never asked for, every hash whole, no dangling rows.
            const asked = new Set(registrations.map(r => r.email));
            assert.deepEqual([...stored.keys()].filter(email => !asked.has(email)), [], 'users nobody registered');
            const badHashes = [...stored].filter(([, hash]) => !hash.startsWith('$argon2id$')).map(([email, hash]) => `${email}: ${JSON.stringify(hash)}`);
            assert.deepEqual(badHashes, [], 'password hashes that are not argon2id');
            const orphanSessions = await db.selectFrom('sessions').leftJoin('users', 'users.id', 'sessions.user_id')
                .select('sessions.user_id').where('users.id', 'is', null).execute();
            assert.deepEqual(orphanSessions, [], 'sessions of users that do not exist');
            const orphanTokens = await db.selectFrom('one_time_tokens').leftJoin('users', 'users.id', 'one_time_tokens.user_id')
                .select('one_time_tokens.user_id').where('users.id', 'is', null).execute();
            assert.deepEqual(orphanTokens, [], 'reset tokens of users that do not exist');
            // The restarted service takes new registrations.
            const fresh = await post(second.url, '/users', { email: 'after-crash@example.com', password: 'crash test password after' });
            assert.equal(fresh.status, 200, await fresh.text());
            await db.destroy();
            db = undefined;
            const stopped = await second.stop('SIGTERM');
            assert.equal(stopped.code, 0, `exit code after SIGTERM; stderr: ${stopped.stderr}`);
            if (TEST_DIALECT === 'sqlite')
                checkSqliteFile(database.url, 'after the restarted service stopped');
        }
        finally {
            for (const service of services)
                if (service.running())
                    await service.stop('SIGKILL');
            await db?.destroy();
            await database.drop();
        }
    });
});
