import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import SQLite from 'better-sqlite3';
import { loadConfig } from '../src/config.js';
import { createDb } from '../src/db/index.js';
import { migrateTo, migrateToLatest } from '../src/db/migrate.js';
import { runCli } from './support/cli.js';
import { createTestDatabase } from './support/database.js';
import { request, signUp, startServer } from './support/server.js';
import { storedHashOf } from './support/users.js';
/** bcrypt as the course service's Python bcrypt writes it ($2b$). */
async function pythonBcrypt(password) {
    return (await bcryptHash(password, 4)).replace(/^\$2y\$/, '$2b$');
}
// The course's session ids are str(uuid.uuid4()).
const ALICE_SESSION = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
/** The course service's SQLite database, as SQLAlchemy created it. */
async function buildCourseDatabase(file) {
    const db = new SQLite(file);
    db.exec(`CREATE TABLE users (
    id INTEGER NOT NULL PRIMARY KEY,
    email VARCHAR(250) NOT NULL,
    hashed_password VARCHAR(250) NOT NULL,
    session_id VARCHAR(250),
    reset_token VARCHAR(250)
  )`);
    const insert = db.prepare('INSERT INTO users (id, email, hashed_password, session_id, reset_token) VALUES (?, ?, ?, ?, ?)');
    // Python's bcrypt.hashpw returns bytes; SQLAlchemy stored them as a BLOB.
    insert.run(3, 'Alice@Example.com', Buffer.from(await pythonBcrypt('alice-old-pw')), ALICE_SESSION, null);
    insert.run(7, 'bob@example.com', await pythonBcrypt('123456'), 'not-a-course-session-id', 'some-reset-token');
    insert.run(8, 'not-an-email', await pythonBcrypt('whatever'), null, null);
    insert.run(9, 'carol@example.com', 'plain-text-password', null, null);
    insert.run(12, 'ALICE@example.com', await pythonBcrypt('other'), null, null);
    db.close();
}
describe('import-legacy', () => {
    let server;
    let dir;
    let source;
    before(async () => {
        server = await startServer();
        dir = await fs.mkdtemp(path.join(os.tmpdir(), 'authsvc-legacy-'));
        source = path.join(dir, 'course.db');
        await buildCourseDatabase(source);
    });
    after(async () => {
        await server.close();
        await fs.rm(dir, { recursive: true, force: true });
    });
    it('imports valid users with their ids, lists the rejected rows, and exits 2', async () => {
        const run = await runCli(['import-legacy', source], { DATABASE_URL: server.databaseUrl });
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stdout, /^imported: 2$/m);
        assert.match(run.stdout, /^already present \(skipped\): 0$/m);
        assert.match(run.stdout, /^rejected: 3$/m);
        assert.match(run.stdout, /^sessions kept \(users stay signed in\): 1$/m);
        assert.match(run.stdout, /^duplicate emails: 1 rows have the email of an earlier row once lower-cased; the row with the lowest id was imported/m);
        assert.match(run.stdout, /id 8 "not-an-email": email must be a valid email address/);
        assert.match(run.stdout, /id 9 "carol@example.com": hashed_password is not a bcrypt hash/);
        assert.match(run.stdout, /id 12 "ALICE@example.com": same email as id 3 once lower-cased/);
        const users = await server.db.selectFrom('users').select(['id', 'email']).orderBy('id').execute();
        assert.deepEqual(users, [{ id: 3, email: 'alice@example.com' }, { id: 7, email: 'bob@example.com' }]);
    });
    it('a live course session stays signed in, stored as its SHA-256 only', async () => {
        const profile = await request(server, 'GET', '/profile', undefined, { session: ALICE_SESSION });
        assert.deepEqual([profile.status, profile.body], [200, { email: 'alice@example.com', id: 3 }]);
        const header = await request(server, 'GET', '/profile', undefined, { session: ALICE_SESSION, transport: 'header' });
        assert.equal(header.status, 200);
        const sessions = await server.db.selectFrom('sessions').select(['id', 'user_id', 'expires_at']).execute();
        assert.deepEqual(sessions.map(s => [s.id, s.user_id]), [[createHash('sha256').update(ALICE_SESSION).digest('hex'), 3]]);
        assert.ok(sessions[0] !== undefined && sessions[0].expires_at <= Date.now() + server.config.session.idleTtlSeconds * 1000, 'the usual expiry');
        const logout = await request(server, 'DELETE', '/sessions', undefined, { session: ALICE_SESSION });
        assert.equal(logout.status, 200);
        assert.equal((await request(server, 'GET', '/profile', undefined, { session: ALICE_SESSION })).status, 403, 'and it ends like any other');
    });
    it('migrates an empty target database first', async () => {
        const target = path.join(dir, 'fresh-target.sqlite');
        const run = await runCli(['import-legacy', source], { DATABASE_URL: target });
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stdout, /none of our tables yet: migrating it first/);
        assert.match(run.stdout, /^imported: 2$/m);
    });
    it('imported users log in with their old passwords, which are then re-hashed', async () => {
        const alice = await request(server, 'POST', '/sessions', { email: 'alice@example.com', password: 'alice-old-pw' });
        assert.deepEqual([alice.status, alice.body], [200, { email: 'alice@example.com', message: 'logged in' }]);
        const bob = await request(server, 'POST', '/sessions', { email: 'bob@example.com', password: '123456' });
        assert.equal(bob.status, 200);
        const wrong = await request(server, 'POST', '/sessions', { email: 'bob@example.com', password: '1234567' });
        assert.equal(wrong.status, 401);
        assert.match(await storedHashOf(server.db, { id: 3 }), /^\$argon2id\$/);
    });
    it('a second run imports nothing twice', async () => {
        const run = await runCli(['import-legacy', source], { DATABASE_URL: server.databaseUrl });
        assert.match(run.stdout, /^imported: 0$/m);
        assert.match(run.stdout, /^already present \(skipped\): 2$/m);
        const count = await server.db.selectFrom('users').select('id').execute();
        assert.equal(count.length, 2);
    });
    it('new registrations get ids after the imported ones', async () => {
        const reply = await request(server, 'POST', '/users', { email: 'new@example.com', password: 'a brand new password' });
        assert.equal(reply.status, 200);
        const row = await server.db.selectFrom('users').select('id').where('email', '=', 'new@example.com').executeTakeFirstOrThrow();
        assert.ok(row.id > 7, `new id ${row.id} is past the imported ids`);
    });
    it('reports a conflict with a different user already holding the id or the email', async () => {
        const other = path.join(dir, 'conflict.db');
        const db = new SQLite(other);
        db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(250), hashed_password VARCHAR(250), session_id VARCHAR(250), reset_token VARCHAR(250))');
        db.prepare('INSERT INTO users (id, email, hashed_password) VALUES (?, ?, ?)').run(3, 'mallory@example.com', await pythonBcrypt('x'));
        db.close();
        const run = await runCli(['import-legacy', other], { DATABASE_URL: server.databaseUrl });
        assert.equal(run.code, 2);
        assert.match(run.stdout, /id 3 "mallory@example.com": conflicts with existing user id 3 <alice@example.com>/);
    });
    it('refuses a file that is not a course-service database, and a missing file', async () => {
        const empty = path.join(dir, 'empty.db');
        new SQLite(empty).close();
        const wrong = await runCli(['import-legacy', empty], { DATABASE_URL: server.databaseUrl });
        assert.equal(wrong.code, 1);
        assert.match(wrong.stderr, /is not a course-service database: table users lacks id, email, hashed_password/);
        const missing = await runCli(['import-legacy', path.join(dir, 'nope.db')], { DATABASE_URL: server.databaseUrl });
        assert.equal(missing.code, 1);
        assert.match(missing.stderr, /cannot open/);
    });
});
/** A course database holding these rows (every password: "course password"). */
async function courseDatabaseWith(file, rows) {
    const db = new SQLite(file);
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(250), hashed_password VARCHAR(250), session_id VARCHAR(250), reset_token VARCHAR(250))');
    const insert = db.prepare('INSERT INTO users (id, email, hashed_password) VALUES (?, ?, ?)');
    const hash = await pythonBcrypt('course password');
    for (const row of rows)
        insert.run(row.id, row.email, hash);
    db.close();
}
describe('user ids are never reused, across deletions and import-legacy', () => {
    let dir;
    before(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'authsvc-legacy-ids-')); });
    after(async () => { await fs.rm(dir, { recursive: true, force: true }); });
    it('a sign-up after the highest account is deleted gets a higher id', async () => {
        const server = await startServer();
        try {
            await signUp(server);
            const top = await signUp(server);
            assert.equal((await request(server, 'DELETE', `/users/${top.id}`, undefined, { session: top.token })).status, 200);
            const next = await signUp(server);
            assert.ok(next.id > top.id, `new id ${next.id} is above the deleted ${top.id}`);
        }
        finally {
            await server.close();
        }
    });
    it('refuses to import the id of a deleted account, whose audit events stay out of reach', async () => {
        const server = await startServer();
        try {
            const gone = await signUp(server);
            assert.equal((await request(server, 'DELETE', `/users/${gone.id}`, undefined, { session: gone.token })).status, 200);
            const goneEvents = await server.db.selectFrom('audit_events').select('id').where('user_id', '=', gone.id).execute();
            assert.ok(goneEvents.length > 0, 'the deleted account left audit events');
            const file = path.join(dir, `deleted-id-${gone.id}.db`);
            await courseDatabaseWith(file, [{ id: gone.id, email: 'heir@example.com' }]);
            const run = await runCli(['import-legacy', file], { DATABASE_URL: server.databaseUrl });
            assert.equal(run.code, 2, run.stdout + run.stderr);
            assert.match(run.stdout, /^imported: 0$/m);
            assert.match(run.stdout, new RegExp(`id ${gone.id} "heir@example\\.com": id ${gone.id} is at or below the highest id ever held here \\(${gone.id}\\): ids are never reused`));
            assert.equal(await server.db.selectFrom('users').select('id').where('id', '=', gone.id).executeTakeFirst(), undefined, 'nothing written');
            assert.equal((await request(server, 'POST', '/sessions', { email: 'heir@example.com', password: 'course password' })).status, 401);
            const next = await signUp(server);
            assert.ok(next.id > gone.id, `new id ${next.id} is above the deleted ${gone.id}`);
            const listed = await request(server, 'GET', '/account/events', undefined, { session: next.token });
            assert.equal(listed.status, 200);
            const leaked = listed.body.events.filter(event => goneEvents.some(old => String(old.id) === event.id));
            assert.deepEqual(leaked, [], 'none of the deleted account\'s events');
        }
        finally {
            await server.close();
        }
    });
    it('after an import of ids 1..5 into an empty database, sign-ups go above them and a deleted id never returns', async () => {
        const server = await startServer();
        try {
            const file = path.join(dir, 'one-to-five.db');
            await courseDatabaseWith(file, [1, 2, 3, 4, 5].map(id => ({ id, email: `course-${id}@example.com` })));
            const first = await runCli(['import-legacy', file], { DATABASE_URL: server.databaseUrl });
            assert.equal(first.code, 0, first.stdout + first.stderr);
            assert.match(first.stdout, /^imported: 5$/m);
            const signedUp = await signUp(server);
            assert.ok(signedUp.id >= 6, `sign-up id ${signedUp.id} is above the imported ids`);
            // The top imported id and the top id of all are deleted.
            for (const id of [5, signedUp.id])
                assert.equal((await runCli(['users', 'delete', String(id)], { DATABASE_URL: server.databaseUrl })).code, 0);
            // The same file again: 1..4 are there; 5 belonged to an account that is gone.
            const again = await runCli(['import-legacy', file], { DATABASE_URL: server.databaseUrl });
            assert.equal(again.code, 2, again.stdout + again.stderr);
            assert.match(again.stdout, /^imported: 0$/m);
            assert.match(again.stdout, /^already present \(skipped\): 4$/m);
            assert.match(again.stdout, /id 5 "course-5@example\.com": id 5 is at or below the highest id ever held here \(\d+\): ids are never reused/);
            assert.equal(await server.db.selectFrom('users').select('id').where('id', '=', 5).executeTakeFirst(), undefined);
            const later = await signUp(server);
            assert.ok(later.id > signedUp.id, `sign-up id ${later.id} is above every id given out before (${signedUp.id})`);
        }
        finally {
            await server.close();
        }
    });
    it('remembers the ids of accounts deleted before the watermark existed (migration 0013)', async () => {
        const database = await createTestDatabase();
        try {
            const db = createDb(loadConfig({ DATABASE_URL: database.url }).database);
            try {
                assert.equal((await migrateTo(db, '0011_credentials_and_flows')).error, undefined);
                const now = Date.now();
                for (const email of ['first@example.com', 'second@example.com', 'third@example.com']) {
                    await db.insertInto('users').values({ email, created_at: now, updated_at: now }).execute();
                }
                // The top account goes: only the database's own id counter remembers its id.
                const top = await db.selectFrom('users').select('id').where('email', '=', 'third@example.com').executeTakeFirstOrThrow();
                await db.deleteFrom('users').where('id', '=', top.id).execute();
                assert.equal((await migrateToLatest(db)).error, undefined);
                const file = path.join(dir, 'after-migration.db');
                await courseDatabaseWith(file, [{ id: top.id, email: 'heir@example.com' }, { id: top.id + 1, email: 'newcomer@example.com' }]);
                const run = await runCli(['import-legacy', file], { DATABASE_URL: database.url });
                assert.equal(run.code, 2, run.stdout + run.stderr);
                assert.match(run.stdout, /^imported: 1$/m);
                assert.match(run.stdout, new RegExp(`id ${top.id} "heir@example\\.com": id ${top.id} is at or below the highest id ever held here \\(${top.id}\\)`));
                const ids = (await db.selectFrom('users').select('id').orderBy('id').execute()).map(row => row.id);
                assert.deepEqual(ids, [top.id - 2, top.id - 1, top.id + 1]);
            }
            finally {
                await db.destroy();
            }
        }
        finally {
            await database.drop();
        }
    });
});
