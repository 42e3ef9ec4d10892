// Starts the real service graph (config → db → migrations → buildApp) on port 0 with a
// fresh SQLite file, and speaks HTTP to it with fetch. Nothing of ours is mocked.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { createDb } from '../../src/db/index.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { buildApp } from '../../src/http/app.js';
import { createServices } from '../../src/services.js';
import { createMigratedTestDatabase, createTestDatabase, TEST_DIALECT } from './database.js';
import { startTcpProxy } from './tcp-proxy.js';
/** The abuse limits are off unless a test sets them: most tests make many requests. */
export const LIMITS_OFF = {
    RATE_LIMIT_REGISTER: '0',
    RATE_LIMIT_LOGIN: '0',
    RATE_LIMIT_RESET: '0',
    RATE_LIMIT_ACCOUNT: '0',
    LOGIN_THROTTLE_MAX_DELAY: '0',
    RESET_MAIL_LIMIT: '0'
};
/** Starts the app on a fresh database of this run's kind (see support/database.ts). */
export async function startServer(env = {}, options = {}) {
    // A copy of the pass's migrated template when there is one; migrateToLatest() below then has nothing to do.
    const fresh = async () => (options.migrate === false ? null : await createMigratedTestDatabase()) ?? await createTestDatabase();
    const database = env.DATABASE_URL === undefined ? await fresh() : { url: env.DATABASE_URL, drop: async () => { } };
    // Mail without SMTP_URL goes to files: a folder of this server's own, removed at close.
    const outbox = await mkdtemp(path.join(os.tmpdir(), 'authsvc-outbox-'));
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: database.url, MAIL_OUTBOX: outbox, ...LIMITS_OFF, ...env });
    const services = await createServices(config, { logger: pino({ level: config.logLevel }), eventSubscribers: options.eventSubscribers, now: options.now });
    if (options.migrate !== false) {
        const migration = await migrateToLatest(services.db);
        if (migration.error !== undefined) {
            await services.close();
            throw migration.error instanceof Error ? migration.error : new Error('migration failed', { cause: migration.error });
        }
    }
    const app = await buildApp(services);
    await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string')
        throw new Error('server has no TCP address');
    const testDb = createDb(config.database);
    return {
        url: `http://127.0.0.1:${address.port}`,
        config,
        app,
        db: testDb,
        databaseUrl: database.url,
        async close() {
            await testDb.destroy();
            await app.close();
            await database.drop();
            await rm(outbox, { recursive: true, force: true });
        }
    };
}
/**
 * A server on a fresh PostgreSQL or MySQL database of this run, reached through a TCP
 * relay the test can cut, stall and restore; closing the server drops the database.
 */
export async function startServerViaProxy(env = {}) {
    const direct = await createMigratedTestDatabase() ?? await createTestDatabase();
    const url = new URL(direct.url);
    const proxy = await startTcpProxy(url.hostname, Number(url.port || (TEST_DIALECT === 'postgres' ? 5432 : 3306)));
    url.port = String(proxy.port);
    const started = await startServer({ DATABASE_URL: url.toString(), DATABASE_CONNECT_TIMEOUT: '1', ...env });
    return { server: { ...started, close: async () => { await started.close(); await direct.drop(); } }, proxy };
}
export async function request(server, method, urlPath, body, options = {}) {
    const headers = { ...options.headers };
    let payload;
    if (body !== undefined) {
        if (options.encoding === 'json') {
            headers['content-type'] = 'application/json';
            payload = JSON.stringify(body);
        }
        else {
            headers['content-type'] = 'application/x-www-form-urlencoded';
            payload = new URLSearchParams(body).toString();
        }
    }
    if (options.session !== undefined) {
        if (options.transport === 'header')
            headers['x-session-id'] = options.session;
        else
            headers.cookie = `session_id=${options.session}`;
    }
    const response = await fetch(server.url + urlPath, { method, headers, body: payload });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: text === '' ? undefined : JSON.parse(text) };
}
/** Sends a raw body with any content type, for malformed and hostile input. */
export async function rawRequest(server, method, urlPath, payload, headers = {}) {
    const response = await fetch(server.url + urlPath, { method, headers, body: payload });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: text === '' ? undefined : JSON.parse(text) };
}
/** The session token from a reply's Set-Cookie header. */
export function sessionCookie(reply) {
    const match = /(?:^|,\s*)session_id=([^;]*)/.exec(reply.headers.get('set-cookie') ?? '');
    if (match?.[1] === undefined)
        throw new Error(`no session_id cookie in ${JSON.stringify(reply.headers.get('set-cookie'))}`);
    return match[1];
}
let counter = 0;
/** A unique email for this test process. */
export function uniqueEmail(label = 'user') {
    counter += 1;
    return `${label}-${process.pid}-${counter}@example.com`;
}
export const PASSWORD = 'correct horse battery staple';
/** Registers a user and logs in; returns the email, id and session token. */
export async function signUp(server, email = uniqueEmail(), password = PASSWORD) {
    const created = await request(server, 'POST', '/users', { email, password });
    if (created.status !== 200)
        throw new Error(`sign-up failed: ${created.status} ${created.text}`);
    const login = await request(server, 'POST', '/sessions', { email, password });
    if (login.status !== 200)
        throw new Error(`login failed: ${login.status} ${login.text}`);
    const token = sessionCookie(login);
    const profile = await request(server, 'GET', '/profile', undefined, { session: token });
    return { email: created.body.email, id: profile.body.id, token };
}
/** signUp, with the address marked verified behind the API (as its mailed link would):
 *  second factors are for verified addresses only. */
export async function signUpVerified(server, email = uniqueEmail(), password = PASSWORD) {
    const created = await request(server, 'POST', '/users', { email, password });
    if (created.status !== 200)
        throw new Error(`sign-up failed: ${created.status} ${created.text}`);
    await server.db.updateTable('users').set({ email_verified_at: Date.now() }).where('email', '=', created.body.email).execute();
    const login = await request(server, 'POST', '/sessions', { email, password });
    if (login.status !== 200)
        throw new Error(`login failed: ${login.status} ${login.text}`);
    const token = sessionCookie(login);
    const profile = await request(server, 'GET', '/profile', undefined, { session: token });
    return { email: created.body.email, id: profile.body.id, token };
}
export async function sleep(ms) {
    await new Promise(resolve => setTimeout(resolve, ms));
}
