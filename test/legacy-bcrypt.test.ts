import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { hash as bcryptHash } from '@node-rs/bcrypt'
import { request, startServer, type TestServer, uniqueEmail } from './support/server.js'

/** Puts a user with a bcrypt hash straight into the database, as the course service stored it. */
async function insertLegacyUser (server: TestServer, email: string, password: string): Promise<void> {
  // Python's bcrypt writes $2b$; this library writes $2y$, the same algorithm.
  const stored = (await bcryptHash(password, 4)).replace(/^\$2y\$/, '$2b$')
  await server.db.insertInto('users').values({ email, password_hash: stored, created_at: Date.now(), updated_at: Date.now() }).execute()
}

async function storedHash (server: TestServer, email: string): Promise<string> {
  const row = await server.db.selectFrom('users').select('password_hash').where('email', '=', email).executeTakeFirstOrThrow()
  return row.password_hash
}

describe('legacy bcrypt hashes', () => {
  let server: TestServer
  before(async () => { server = await startServer({ PASSWORD_MIN_LENGTH: '6' }) })
  after(async () => { await server.close() })

  it('log in with the old password and are re-hashed to argon2id', async () => {
    const email = uniqueEmail('legacy')
    await insertLegacyUser(server, email, '123456')
    assert.match(await storedHash(server, email), /^\$2b\$04\$/)
    const wrong = await request(server, 'POST', '/sessions', { email, password: '1234567' })
    assert.equal(wrong.status, 401)
    assert.match(await storedHash(server, email), /^\$2b\$/, 'a failed login changes nothing')
    const reply = await request(server, 'POST', '/sessions', { email, password: '123456' })
    assert.deepEqual([reply.status, reply.body], [200, { email, message: 'logged in' }])
    assert.match(await storedHash(server, email), /^\$argon2id\$/)
    const again = await request(server, 'POST', '/sessions', { email, password: '123456' })
    assert.equal(again.status, 200, 'the new argon2id hash verifies the same password')
  })

  it('verify the password exactly as given, without trimming', async () => {
    const email = uniqueEmail('legacy')
    await insertLegacyUser(server, email, ' spaced out ')
    assert.equal((await request(server, 'POST', '/sessions', { email, password: 'spaced out' })).status, 401)
    assert.equal((await request(server, 'POST', '/sessions', { email, password: ' spaced out ' })).status, 200)
  })

  it('never let the first 72 bytes of a longer password log in', async () => {
    const email = uniqueEmail('legacy')
    const long72 = 'b'.repeat(72)
    await insertLegacyUser(server, email, long72)
    const longer = await request(server, 'POST', '/sessions', { email, password: long72 + 'extra' })
    assert.equal(longer.status, 401, 'bcrypt would have ignored everything past byte 72')
    assert.match(await storedHash(server, email), /^\$2b\$/)
    assert.equal((await request(server, 'POST', '/sessions', { email, password: long72 })).status, 200)
  })
})
