import assert from 'node:assert/strict'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createHash } from 'node:crypto'
import { hash as bcryptHash } from '@node-rs/bcrypt'
import SQLite from 'better-sqlite3'
import { runCli } from './support/cli.js'
import { request, startServer, type TestServer } from './support/server.js'
import { storedHashOf } from './support/users.js'

/** bcrypt as the course service's Python bcrypt writes it ($2b$). */
async function pythonBcrypt (password: string): Promise<string> {
  return (await bcryptHash(password, 4)).replace(/^\$2y\$/, '$2b$')
}

// The course's session ids are str(uuid.uuid4()).
const ALICE_SESSION = '3f2504e0-4f89-41d3-9a0c-0305e82c3301'

/** The course service's SQLite database, as SQLAlchemy created it. */
async function buildCourseDatabase (file: string): Promise<void> {
  const db = new SQLite(file)
  db.exec(`CREATE TABLE users (
    id INTEGER NOT NULL PRIMARY KEY,
    email VARCHAR(250) NOT NULL,
    hashed_password VARCHAR(250) NOT NULL,
    session_id VARCHAR(250),
    reset_token VARCHAR(250)
  )`)
  const insert = db.prepare('INSERT INTO users (id, email, hashed_password, session_id, reset_token) VALUES (?, ?, ?, ?, ?)')
  // Python's bcrypt.hashpw returns bytes; SQLAlchemy stored them as a BLOB.
  insert.run(3, 'Alice@Example.com', Buffer.from(await pythonBcrypt('alice-old-pw')), ALICE_SESSION, null)
  insert.run(7, 'bob@example.com', await pythonBcrypt('123456'), 'not-a-course-session-id', 'some-reset-token')
  insert.run(8, 'not-an-email', await pythonBcrypt('whatever'), null, null)
  insert.run(9, 'carol@example.com', 'plain-text-password', null, null)
  insert.run(12, 'ALICE@example.com', await pythonBcrypt('other'), null, null)
  db.close()
}

describe('import-legacy', () => {
  let server: TestServer
  let dir: string
  let source: string
  before(async () => {
    server = await startServer()
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'authsvc-legacy-'))
    source = path.join(dir, 'course.db')
    await buildCourseDatabase(source)
  })
  after(async () => {
    await server.close()
    await fs.rm(dir, { recursive: true, force: true })
  })

  it('imports valid users with their ids, lists the rejected rows, and exits 2', async () => {
    const run = await runCli(['import-legacy', source], { DATABASE_URL: server.databaseUrl })
    assert.equal(run.code, 2, run.stderr)
    assert.match(run.stdout, /^imported: 2$/m)
    assert.match(run.stdout, /^already present \(skipped\): 0$/m)
    assert.match(run.stdout, /^rejected: 3$/m)
    assert.match(run.stdout, /^sessions kept \(users stay signed in\): 1$/m)
    assert.match(run.stdout, /^duplicate emails: 1 rows have the email of an earlier row once lower-cased; the row with the lowest id was imported/m)
    assert.match(run.stdout, /id 8 "not-an-email": email must be a valid email address/)
    assert.match(run.stdout, /id 9 "carol@example.com": hashed_password is not a bcrypt hash/)
    assert.match(run.stdout, /id 12 "ALICE@example.com": same email as id 3 once lower-cased/)
    const users = await server.db.selectFrom('users').select(['id', 'email']).orderBy('id').execute()
    assert.deepEqual(users, [{ id: 3, email: 'alice@example.com' }, { id: 7, email: 'bob@example.com' }])
  })

  it('a live course session stays signed in, stored as its SHA-256 only', async () => {
    const profile = await request(server, 'GET', '/profile', undefined, { session: ALICE_SESSION })
    assert.deepEqual([profile.status, profile.body], [200, { email: 'alice@example.com', id: 3 }])
    const header = await request(server, 'GET', '/profile', undefined, { session: ALICE_SESSION, transport: 'header' })
    assert.equal(header.status, 200)
    const sessions = await server.db.selectFrom('sessions').select(['id', 'user_id', 'expires_at']).execute()
    assert.deepEqual(sessions.map(s => [s.id, s.user_id]), [[createHash('sha256').update(ALICE_SESSION).digest('hex'), 3]])
    assert.ok(sessions[0] !== undefined && sessions[0].expires_at <= Date.now() + server.config.session.idleTtlSeconds * 1000, 'the usual expiry')
    const logout = await request(server, 'DELETE', '/sessions', undefined, { session: ALICE_SESSION })
    assert.equal(logout.status, 200)
    assert.equal((await request(server, 'GET', '/profile', undefined, { session: ALICE_SESSION })).status, 403, 'and it ends like any other')
  })

  it('migrates an empty target database first', async () => {
    const target = path.join(dir, 'fresh-target.sqlite')
    const run = await runCli(['import-legacy', source], { DATABASE_URL: target })
    assert.equal(run.code, 2, run.stderr)
    assert.match(run.stdout, /none of our tables yet: migrating it first/)
    assert.match(run.stdout, /^imported: 2$/m)
  })

  it('imported users log in with their old passwords, which are then re-hashed', async () => {
    const alice = await request(server, 'POST', '/sessions', { email: 'alice@example.com', password: 'alice-old-pw' })
    assert.deepEqual([alice.status, alice.body], [200, { email: 'alice@example.com', message: 'logged in' }])
    const bob = await request(server, 'POST', '/sessions', { email: 'bob@example.com', password: '123456' })
    assert.equal(bob.status, 200)
    const wrong = await request(server, 'POST', '/sessions', { email: 'bob@example.com', password: '1234567' })
    assert.equal(wrong.status, 401)
    assert.match(await storedHashOf(server.db, { id: 3 }), /^\$argon2id\$/)
  })

  it('a second run imports nothing twice', async () => {
    const run = await runCli(['import-legacy', source], { DATABASE_URL: server.databaseUrl })
    assert.match(run.stdout, /^imported: 0$/m)
    assert.match(run.stdout, /^already present \(skipped\): 2$/m)
    const count = await server.db.selectFrom('users').select('id').execute()
    assert.equal(count.length, 2)
  })

  it('new registrations get ids after the imported ones', async () => {
    const reply = await request(server, 'POST', '/users', { email: 'new@example.com', password: 'a brand new password' })
    assert.equal(reply.status, 200)
    const row = await server.db.selectFrom('users').select('id').where('email', '=', 'new@example.com').executeTakeFirstOrThrow()
    assert.ok(row.id > 7, `new id ${row.id} is past the imported ids`)
  })

  it('reports a conflict with a different user already holding the id or the email', async () => {
    const other = path.join(dir, 'conflict.db')
    const db = new SQLite(other)
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(250), hashed_password VARCHAR(250), session_id VARCHAR(250), reset_token VARCHAR(250))')
    db.prepare('INSERT INTO users (id, email, hashed_password) VALUES (?, ?, ?)').run(3, 'mallory@example.com', await pythonBcrypt('x'))
    db.close()
    const run = await runCli(['import-legacy', other], { DATABASE_URL: server.databaseUrl })
    assert.equal(run.code, 2)
    assert.match(run.stdout, /id 3 "mallory@example.com": conflicts with existing user id 3 <alice@example.com>/)
  })

  it('refuses a file that is not a course-service database, and a missing file', async () => {
    const empty = path.join(dir, 'empty.db')
    new SQLite(empty).close()
    const wrong = await runCli(['import-legacy', empty], { DATABASE_URL: server.databaseUrl })
    assert.equal(wrong.code, 1)
    assert.match(wrong.stderr, /is not a course-service database: table users lacks id, email, hashed_password/)
    const missing = await runCli(['import-legacy', path.join(dir, 'nope.db')], { DATABASE_URL: server.databaseUrl })
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /cannot open/)
  })
})
