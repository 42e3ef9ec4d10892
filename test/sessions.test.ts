import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { deleteExpiredTokens } from '../src/auth/one-time-tokens.js'
import { deleteExpiredSessions } from '../src/features/sessions/sessions.js'
import { sweepExpiredRows } from '../src/services.js'
import { createTestClock } from './support/clock.js'
import { PASSWORD, request, sessionCookie, signUp, startServer, type TestServer, uniqueEmail } from './support/server.js'

describe('POST /sessions', () => {
  let server: TestServer
  before(async () => { server = await startServer() })
  after(async () => { await server.close() })

  for (const encoding of ['form', 'json'] as const) {
    it(`logs in from a ${encoding} body and sets the session cookie`, async () => {
      const email = uniqueEmail()
      await request(server, 'POST', '/users', { email, password: PASSWORD })
      const reply = await request(server, 'POST', '/sessions', { email: ` ${email.toUpperCase()}`, password: PASSWORD }, { encoding })
      assert.equal(reply.status, 200)
      assert.deepEqual(reply.body, { email, message: 'logged in' })
      const cookie = reply.headers.get('set-cookie') ?? ''
      assert.match(cookie, /^session_id=[A-Za-z0-9_-]{43};/)
      assert.match(cookie, /; HttpOnly/)
      assert.match(cookie, /; SameSite=Lax/)
      assert.match(cookie, /; Path=\//)
      assert.doesNotMatch(cookie, /Secure/, 'no Secure flag outside production')
    })
  }

  it('answers unknown email and wrong password with the same 401', async () => {
    const user = await signUp(server)
    const wrong = await request(server, 'POST', '/sessions', { email: user.email, password: 'not the password' })
    const unknown = await request(server, 'POST', '/sessions', { email: uniqueEmail('ghost'), password: 'not the password' })
    assert.equal(wrong.status, 401)
    assert.equal(unknown.status, 401)
    assert.deepEqual(wrong.body, unknown.body)
    assert.equal(wrong.headers.get('set-cookie'), null)
  })

  it('names missing or malformed fields with a 400', async () => {
    const noPassword = await request(server, 'POST', '/sessions', { email: uniqueEmail() })
    assert.deepEqual([noPassword.status, noPassword.body], [400, { message: 'password is required', code: 'invalid_field' }])
    const badEmail = await request(server, 'POST', '/sessions', { email: 'nope', password: PASSWORD })
    assert.deepEqual([badEmail.status, badEmail.body], [400, { message: 'email must be a valid email address', code: 'invalid_field' }])
  })

  it('issues a fresh token on every login, ignoring one presented with it', async () => {
    const user = await signUp(server)
    const again = await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD }, { session: user.token })
    assert.notEqual(sessionCookie(again), user.token)
  })

  it('stores only the SHA-256 of the token, with ip and user agent', async () => {
    const user = await signUp(server)
    const rows = await server.db.selectFrom('sessions').select(['id', 'ip', 'user_agent']).where('user_id', '=', user.id).execute()
    assert.equal(rows.length, 1)
    assert.match(rows[0]?.id ?? '', /^[0-9a-f]{64}$/)
    assert.notEqual(rows[0]?.id, user.token)
    assert.equal(rows[0]?.ip, '127.0.0.1')
    assert.equal(typeof rows[0]?.user_agent, 'string')
  })
})

describe('sessions on several devices', () => {
  let server: TestServer
  before(async () => { server = await startServer() })
  after(async () => { await server.close() })

  it('GET /profile works with the cookie and with X-Session-ID', async () => {
    const user = await signUp(server)
    for (const transport of ['cookie', 'header'] as const) {
      const reply = await request(server, 'GET', '/profile', undefined, { session: user.token, transport })
      assert.deepEqual([reply.status, reply.body], [200, { email: user.email, id: user.id }])
    }
  })

  it('GET /profile is 403 without a session or with a wrong one', async () => {
    for (const session of [undefined, '', 'x', 'A'.repeat(43), 'A'.repeat(5000)]) {
      const reply = await request(server, 'GET', '/profile', undefined, session === undefined ? {} : { session, transport: 'header' })
      assert.equal(reply.status, 403, String(session).slice(0, 10))
      assert.equal(typeof reply.body.message, 'string')
    }
  })

  it('DELETE /sessions ends only the session presented and clears the cookie', async () => {
    const user = await signUp(server)
    const laptop = sessionCookie(await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD }))
    const reply = await request(server, 'DELETE', '/sessions', undefined, { session: user.token })
    assert.deepEqual([reply.status, reply.body], [200, { message: 'logged out' }])
    assert.match(reply.headers.get('set-cookie') ?? '', /^session_id=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/)
    assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).status, 403)
    assert.equal((await request(server, 'GET', '/profile', undefined, { session: laptop })).status, 200)
  })

  it('DELETE /sessions with X-Session-ID works the same', async () => {
    const user = await signUp(server)
    const reply = await request(server, 'DELETE', '/sessions', undefined, { session: user.token, transport: 'header' })
    assert.deepEqual([reply.status, reply.body], [200, { message: 'logged out' }])
    assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token, transport: 'header' })).status, 403)
  })

  it('DELETE /sessions answers 204 without a body to Prefer: return=minimal', async () => {
    const user = await signUp(server)
    const reply = await request(server, 'DELETE', '/sessions', undefined, { session: user.token, headers: { prefer: 'return=minimal' } })
    assert.equal(reply.status, 204)
    assert.equal(reply.text, '')
    assert.equal(reply.headers.get('preference-applied'), 'return=minimal')
    assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).status, 403)
  })

  it('DELETE /sessions is 403 without a valid session', async () => {
    const reply = await request(server, 'DELETE', '/sessions')
    assert.equal(reply.status, 403)
    const user = await signUp(server)
    await request(server, 'DELETE', '/sessions', undefined, { session: user.token })
    const twice = await request(server, 'DELETE', '/sessions', undefined, { session: user.token })
    assert.equal(twice.status, 403)
  })
})

describe('session expiry', () => {
  // The service's clock stands still unless moved (support/clock.ts): no test waits for an expiry.
  const MINUTE = 60_000

  it('ends a session left idle longer than SESSION_IDLE_TTL', async () => {
    const clock = createTestClock()
    const server = await startServer({ SESSION_IDLE_TTL: '3600', SESSION_ABSOLUTE_TTL: '86400' }, { now: clock.now })
    try {
      const user = await signUp(server)
      const idle = await signUp(server)
      clock.advance(59 * MINUTE)
      assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).status, 200, 'idle 59 min of 60')
      clock.advance(2 * MINUTE)
      assert.equal((await request(server, 'GET', '/profile', undefined, { session: idle.token })).status, 403, 'idle 61 min')
      assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).status, 200, 'used 2 min ago')
      const left = await server.db.selectFrom('sessions').select('id').where('user_id', '=', idle.id).execute()
      assert.deepEqual(left, [], 'the expired row is deleted')
    } finally {
      await server.close()
    }
  })

  it('extends a session in use, but never past SESSION_ABSOLUTE_TTL', async () => {
    const clock = createTestClock()
    const server = await startServer({ SESSION_IDLE_TTL: '3600', SESSION_ABSOLUTE_TTL: '10800' }, { now: clock.now })
    try {
      const user = await signUp(server)
      for (let used = 50; used <= 150; used += 50) {
        clock.advance(50 * MINUTE) // past the first idle window from 100 min on: alive because it was used
        assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).status, 200, `${used} min after login`)
      }
      clock.advance(35 * MINUTE) // 185 min after login: past the absolute limit although used 35 min ago
      assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).status, 403)
    } finally {
      await server.close()
    }
  })

  it('the expired-row sweep deletes every expired session and reset token, over several batches, and nothing live', async () => {
    const server = await startServer()
    try {
      const user = await signUp(server)
      const other = await signUp(server)
      const now = Date.now()
      const expired = (i: number): { id: string, user_id: number, created_at: number, expires_at: number } =>
        ({ id: `expired-${String(i).padStart(6, '0')}`.padEnd(64, 'x'), user_id: i % 2 === 0 ? user.id : other.id, created_at: now - 10_000, expires_at: now - 1 - i })
      // More than two of the sweep's batches, written in chunks the drivers' parameter limits allow.
      const rows = Array.from({ length: 2500 }, (_, i) => ({ ...expired(i), last_seen_at: now - 10_000, ip: null, user_agent: null }))
      for (let i = 0; i < rows.length; i += 500) await server.db.insertInto('sessions').values(rows.slice(i, i + 500)).execute()
      await server.db.insertInto('one_time_tokens').values([0, 1, 2].map(i => ({ ...expired(i), purpose: 'password_reset', data: null }))).execute()
      await server.db.insertInto('one_time_tokens').values({ id: 'live'.padEnd(64, '0'), purpose: 'password_reset', user_id: user.id, data: null, created_at: now, expires_at: now + 60_000 }).execute()

      assert.equal(await deleteExpiredSessions(server.db, now), 2500)
      assert.equal(await deleteExpiredTokens(server.db, now), 3)
      const expiredLeft = await server.db.selectFrom('sessions').select('id').where('expires_at', '<=', now).execute()
      assert.deepEqual(expiredLeft, [])
      assert.deepEqual(await server.db.selectFrom('one_time_tokens').select('id').where('expires_at', '<=', now).execute(), [])
      assert.deepEqual(await server.db.selectFrom('one_time_tokens').select('id').where('purpose', '=', 'password_reset').execute(), [{ id: 'live'.padEnd(64, '0') }])
      const verification = await server.db.selectFrom('one_time_tokens').select('user_id').where('purpose', '=', 'email_verification').orderBy('user_id').execute()
      assert.deepEqual(verification.map(row => row.user_id), [user.id, other.id], 'the sign-ups\' live verification links stay')
      // The two sign-up sessions were not expired and still work.
      assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).status, 200)
      assert.equal((await request(server, 'GET', '/profile', undefined, { session: other.token })).status, 200)
      assert.equal(await deleteExpiredSessions(server.db, now) + await deleteExpiredTokens(server.db, now), 0)
    } finally {
      await server.close()
    }
  })

  it('the expired-row sweep also removes the OpenID provider\'s expired records and the flows waiting at other providers', async () => {
    const server = await startServer()
    try {
      const now = Date.now()
      const record = (id: string, expiresAt: number | null): { id: string, model: string, payload: string, grant_id: null, uid: null, user_code: null, expires_at: number | null, consumed_at: null } =>
        ({ id, model: id.split(':')[0] ?? '', payload: '{}', grant_id: null, uid: null, user_code: null, expires_at: expiresAt, consumed_at: null })
      await server.db.insertInto('oidc_records').values([record('AccessToken:old', now - 1), record('AccessToken:live', now + 60_000), record('Client:kept', null)]).execute()
      const flow = (id: string, expiresAt: number): { id: string, provider: string, state: string, nonce: string, code_verifier: string, link_user_id: null, return_to: null, created_at: number, expires_at: number } =>
        ({ id: id.padEnd(64, '0'), provider: 'google', state: 's', nonce: 'n', code_verifier: 'v', link_user_id: null, return_to: null, created_at: now - 600_000, expires_at: expiresAt })
      await server.db.insertInto('upstream_flows').values([flow('old', now - 1), flow('live', now + 60_000)]).execute()
      await sweepExpiredRows(server.db, now)
      assert.deepEqual((await server.db.selectFrom('oidc_records').select('id').where('model', '=', 'AccessToken').orderBy('id').execute()).map(row => row.id), ['AccessToken:live'])
      assert.equal((await server.db.selectFrom('oidc_records').select('id').where('id', '=', 'Client:kept').execute()).length, 1, 'a record without an expiry stays')
      assert.deepEqual((await server.db.selectFrom('upstream_flows').select('id').execute()).map(row => row.id), ['live'.padEnd(64, '0')])
    } finally {
      await server.close()
    }
  })

  it('sets Secure on the cookie in production', async () => {
    const server = await startServer({ NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:9', PUBLIC_URL: 'https://auth.example.com', ENCRYPTION_KEY: '4m8Vq0uJ8eS3c6rK2wXy1Zt7bN5dF9gH0jL2pQ4sT6U=' })
    try {
      const email = uniqueEmail()
      await request(server, 'POST', '/users', { email, password: PASSWORD })
      const reply = await request(server, 'POST', '/sessions', { email, password: PASSWORD })
      assert.match(reply.headers.get('set-cookie') ?? '', /; Secure/)
    } finally {
      await server.close()
    }
  })
})
