// One sign-in flow (issue 23), over real HTTP: the attacks of the outside review as
// regression tests (a stolen old session adding a second factor, pre-hijacking both ways,
// a pending TOTP secret confirmed from a stale session, a raced mfa_token), privileged
// actions and POST /sessions/reauthenticate, the same account rules and events for every
// method, the methods and authenticated_at of sessions, one path per rule, and the data
// migration of passwords into their own credential rows. Passkey ceremonies need a
// browser: test/passkeys.test.ts covers them in Chromium with the same rules.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { Secret, TOTP } from 'otpauth'
import { hashToken } from '../src/auth/tokens.js'
import { loadConfig } from '../src/config.js'
import { createDb } from '../src/db/index.js'
import { migrateTo, migrateToLatest } from '../src/db/migrate.js'
import { createTestClock } from './support/clock.js'
import { runCli } from './support/cli.js'
import { createTestDatabase, TEST_DIALECT } from './support/database.js'
import { PASSWORD, request, type Reply, sessionCookie, signUp, signUpVerified, sleep, startServer, type TestServer, uniqueEmail } from './support/server.js'
import { resetLinkOf, type SmtpReceiver, startSmtpReceiver } from './support/smtp.js'
import { STEP_MS } from './support/totp.js'

const NEW_PASSWORD = 'a new and longer passphrase'
// The clock of the servers that check TOTP codes stands still (support/clock.ts) and the
// codes are computed for its time: no step can end between computing a code and sending it.
const clock = createTestClock()

interface Account { email: string, id: number, token: string }

/** Turns TOTP on for a signed-in (fresh) account; returns its generator. */
async function enableTotp (server: TestServer, user: Account): Promise<TOTP> {
  const started = await request(server, 'POST', '/account/totp', {}, { session: user.token })
  assert.equal(started.status, 200, started.text)
  const totp = new TOTP({ secret: Secret.fromBase32(started.body.secret), digits: 6, period: 30, algorithm: 'SHA1' })
  const confirmed = await request(server, 'POST', '/account/totp/confirm', { code: totp.generate({ timestamp: clock.now() }) }, { session: user.token })
  assert.equal(confirmed.status, 200, confirmed.text)
  return totp
}

/** The session as if it had been signed in an hour ago, past REAUTH_MAX_AGE (600 s): a
 *  stolen old session. (Waiting past a 1 s REAUTH_MAX_AGE raced the set-up steps on a busy CI.) */
async function makeStale (server: TestServer, token: string): Promise<void> {
  const updated = await server.db.updateTable('sessions').set({ authenticated_at: Date.now() - 3600_000 }).where('id', '=', hashToken(token)).executeTakeFirst()
  assert.equal(updated.numUpdatedRows, 1n)
}

async function sessionsOf (server: TestServer, token: string): Promise<Array<{ methods: string[], authenticated_at: string, created_at: string, current: boolean }>> {
  const reply = await request(server, 'GET', '/account/sessions', undefined, { session: token })
  assert.equal(reply.status, 200, reply.text)
  return reply.body.sessions
}

async function currentSession (server: TestServer, token: string): Promise<{ methods: string[], authenticated_at: string, created_at: string }> {
  const current = (await sessionsOf(server, token)).find(session => session.current)
  assert.ok(current !== undefined)
  return current
}

async function eventsOf (server: TestServer, userId: number, type: string): Promise<Array<{ details: string | null }>> {
  return await server.db.selectFrom('audit_events').select('details').where('user_id', '=', userId).where('type', '=', type).orderBy('id').execute()
}

/** A passkey row put behind the API (the ceremony needs a browser: passkeys.test.ts does it
 *  for real); enough to see whether a reset removes it. */
async function plantPasskey (server: TestServer, userId: number): Promise<void> {
  const id = `${userId}-${Math.random().toString(36).slice(2)}`
  await server.db.insertInto('passkeys').values({ id: id.padEnd(64, '0').slice(0, 64), user_id: userId, credential_id: id, public_key: 'AAAA', sign_count: 0, transports: null, device_type: 'singleDevice', backed_up: 0, name: 'hijacker', created_at: Date.now(), last_used_at: null }).execute()
}

async function passkeyCount (server: TestServer, userId: number): Promise<number> {
  return (await server.db.selectFrom('passkeys').select('id').where('user_id', '=', userId).execute()).length
}

describe(`privileged actions need a fresh authentication on ${TEST_DIALECT}`, () => {
  let server: TestServer
  let smtp: SmtpReceiver
  before(async () => {
    smtp = await startSmtpReceiver()
    server = await startServer({ SMTP_URL: smtp.url, PUBLIC_URL: 'https://auth.example.com' }, { now: clock.now })
  })
  after(async () => {
    await server.close()
    await smtp.close()
  })

  it('a stolen old session can add neither a passkey nor TOTP, nor delete the account: 403 reauthentication_required', async () => {
    const user = await signUpVerified(server)
    await makeStale(server, user.token)
    const forged = { response: { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: 'AAAA', attestationObject: 'AAAA' } } }
    const attempts: Array<[string, string, Record<string, unknown> | undefined]> = [
      ['POST', '/account/passkeys/options', undefined],
      ['POST', '/account/passkeys', forged],
      ['POST', '/account/totp', {}],
      ['PUT', '/account/password', { new_password: NEW_PASSWORD }],
      ['POST', '/account/email', { new_email: uniqueEmail('thief') }],
      ['PUT', `/users/${user.id}`, { email: uniqueEmail('thief') }],
      ['DELETE', `/users/${user.id}`, undefined]
    ]
    for (const [method, path, body] of attempts) {
      const reply = await request(server, method, path, body, { session: user.token, encoding: 'json' })
      assert.deepEqual([reply.status, reply.body.code], [403, 'reauthentication_required'], `${method} ${path}: ${reply.text}`)
    }
    assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).status, 200, 'the account is still there')
    const rows = await server.db.selectFrom('totp_credentials').select('user_id').where('user_id', '=', user.id).execute()
    assert.deepEqual(rows, [], 'no pending secret was made')
  })

  it('without a second factor, the right current_password stands in for a fresh session; a wrong one is 403 invalid_credentials', async () => {
    const user = await signUpVerified(server)
    await makeStale(server, user.token)
    const wrong = await request(server, 'POST', '/account/totp', { current_password: 'not the password' }, { session: user.token })
    assert.deepEqual([wrong.status, wrong.body.code], [403, 'invalid_credentials'])
    const started = await request(server, 'POST', '/account/totp', { current_password: PASSWORD }, { session: user.token })
    assert.equal(started.status, 200, started.text)
  })

  it('a pending TOTP secret cannot be confirmed from a stale session', async () => {
    const user = await signUpVerified(server)
    const started = await request(server, 'POST', '/account/totp', {}, { session: user.token })
    assert.equal(started.status, 200, started.text)
    const totp = new TOTP({ secret: Secret.fromBase32(started.body.secret) })
    await makeStale(server, user.token)
    const confirm = await request(server, 'POST', '/account/totp/confirm', { code: totp.generate({ timestamp: clock.now() }) }, { session: user.token })
    assert.deepEqual([confirm.status, confirm.body.code], [403, 'reauthentication_required'])
    assert.equal((await request(server, 'GET', '/account', undefined, { session: user.token })).body.totp_enabled, false)
  })

  it('POST /sessions/reauthenticate with the password makes the session fresh, and updates its methods and authenticated_at', async () => {
    const user = await signUpVerified(server)
    const before = await currentSession(server, user.token)
    assert.deepEqual(before.methods, ['password'])
    assert.equal(before.authenticated_at, before.created_at)
    await makeStale(server, user.token)
    const wrong = await request(server, 'POST', '/sessions/reauthenticate', { password: 'not the password' }, { session: user.token })
    assert.deepEqual([wrong.status, wrong.body.code], [401, 'invalid_credentials'])
    clock.advance(1000) // a second after the sign-in on the service's clock
    const ok = await request(server, 'POST', '/sessions/reauthenticate', { password: PASSWORD }, { session: user.token })
    assert.deepEqual([ok.status, ok.body], [200, { message: 'reauthenticated' }])
    const after = await currentSession(server, user.token)
    assert.deepEqual(after.methods, ['password'])
    assert.ok(Date.parse(after.authenticated_at) > Date.parse(before.authenticated_at))
    assert.equal(after.created_at, before.created_at, 'the same session')
    assert.equal((await request(server, 'POST', '/account/totp', {}, { session: user.token })).status, 200, 'fresh again')
    assert.equal((await eventsOf(server, user.id, 'session.reauthenticated')).length, 1)
    assert.equal((await request(server, 'POST', '/sessions/reauthenticate', { password: PASSWORD })).status, 403, 'needs a session')
  })

  it('with TOTP on, a fresh authentication includes the code: current_password alone is not enough', async () => {
    const user = await signUpVerified(server)
    const totp = await enableTotp(server, user)
    assert.deepEqual((await currentSession(server, user.token)).methods, ['password', 'totp'], 'confirming the app proved it to this session')
    await makeStale(server, user.token)
    const passwordOnly = await request(server, 'DELETE', '/account/totp', { current_password: PASSWORD }, { session: user.token })
    assert.deepEqual([passwordOnly.status, passwordOnly.body.code], [403, 'reauthentication_required'])
    const noCode = await request(server, 'POST', '/sessions/reauthenticate', { password: PASSWORD }, { session: user.token })
    assert.deepEqual([noCode.status, noCode.body.code], [401, 'invalid_code'])
    const withCode = await request(server, 'POST', '/sessions/reauthenticate', { password: PASSWORD, code: totp.generate({ timestamp: clock.now() + STEP_MS }) }, { session: user.token })
    assert.equal(withCode.status, 200, withCode.text)
    assert.deepEqual((await currentSession(server, user.token)).methods, ['password', 'totp'])
    assert.equal((await request(server, 'DELETE', '/account/totp', {}, { session: user.token })).status, 200)
  })

  it('a second factor is for a verified address only: 403 email_not_verified', async () => {
    const user = await signUp(server)
    for (const path of ['/account/totp', '/account/passkeys/options']) {
      const reply = await request(server, 'POST', path, {}, { session: user.token })
      assert.deepEqual([reply.status, reply.body.code], [403, 'email_not_verified'], path)
    }
  })
})

describe(`recovery cleans up a pre-hijacked account on ${TEST_DIALECT}`, () => {
  let server: TestServer
  let smtp: SmtpReceiver
  before(async () => {
    smtp = await startSmtpReceiver()
    server = await startServer({ SMTP_URL: smtp.url, PUBLIC_URL: 'https://auth.example.com' }, { now: clock.now })
  })
  after(async () => {
    await server.close()
    await smtp.close()
  })

  async function resetAs (email: string): Promise<Reply> {
    assert.equal((await request(server, 'POST', '/reset_password', { email })).status, 200)
    const mail = await smtp.waitFor(email, /Reset your password/)
    const token = resetLinkOf(mail).searchParams.get('token') ?? ''
    return await request(server, 'PUT', '/reset_password', { email, reset_token: token, new_password: NEW_PASSWORD })
  }

  it('signed up first with the owner\'s address: the hijacker\'s passkey goes with the owner\'s reset', async () => {
    const victim = uniqueEmail('victim')
    const hijacker = await signUp(server, victim)
    // The hijacker cannot add one now (unverified address); one planted before v3 had it.
    assert.equal((await request(server, 'POST', '/account/passkeys/options', {}, { session: hijacker.token })).status, 403)
    await plantPasskey(server, hijacker.id)
    const reset = await resetAs(victim)
    assert.equal(reset.status, 200, reset.text)
    assert.equal(await passkeyCount(server, hijacker.id), 0, 'the passkey is gone')
    assert.equal((await request(server, 'GET', '/profile', undefined, { session: hijacker.token })).status, 403, 'the hijacker is signed out')
    const notice = await smtp.waitFor(victim, /was reset/)
    assert.match(notice.text, /passkeys, authenticator app, recovery codes and linked accounts at other providers were removed/)
    const owner = await request(server, 'POST', '/sessions', { email: victim, password: NEW_PASSWORD })
    assert.deepEqual([owner.status, owner.body.message], [200, 'logged in'])
    assert.equal((await request(server, 'GET', '/account', undefined, { session: sessionCookie(owner) })).body.email_verified, true, 'the reset proved the address')
  })

  it('signed up first with the owner\'s address: an identity at another provider the hijacker linked goes with the owner\'s reset', async () => {
    const victim = uniqueEmail('victim-identity')
    const hijacker = await signUp(server, victim)
    // Linking needs a verified address now; one linked before that rule had it.
    await server.db.insertInto('identities').values({ id: `planted-${hijacker.id}`, user_id: hijacker.id, provider: 'acme', issuer: 'https://idp.example', subject: `hijacker-${hijacker.id}`, email: 'hijacker@example.com', email_verified: 1, tokens: null, created_at: Date.now(), last_used_at: null }).execute()
    const reset = await resetAs(victim)
    assert.equal(reset.status, 200, reset.text)
    assert.deepEqual(await server.db.selectFrom('identities').select('id').where('user_id', '=', hijacker.id).execute(), [], 'the identity is gone')
    const notice = await smtp.waitFor(victim, /was reset/)
    assert.match(notice.text, /linked accounts at other providers were removed/)
  })

  it('moved onto the owner\'s address with PUT /users/:id: its TOTP and passkey go with the owner\'s reset', async () => {
    const hijacker = await signUpVerified(server, uniqueEmail('hijacker'))
    await enableTotp(server, hijacker)
    await plantPasskey(server, hijacker.id)
    const victim = uniqueEmail('owner')
    const moved = await request(server, 'PUT', `/users/${hijacker.id}`, { email: victim }, { session: hijacker.token })
    assert.equal(moved.status, 200, moved.text)
    assert.equal((await request(server, 'GET', '/account', undefined, { session: hijacker.token })).body.email_verified, false, 'the new address is unverified')
    await smtp.waitFor(victim, /Confirm your email address/)
    const reset = await resetAs(victim)
    assert.equal(reset.status, 200, reset.text)
    assert.equal(await passkeyCount(server, hijacker.id), 0)
    const signIn = await request(server, 'POST', '/sessions', { email: victim, password: NEW_PASSWORD })
    assert.deepEqual([signIn.status, signIn.body.message], [200, 'logged in'], 'no second factor of the hijacker\'s is asked for')
    assert.equal((await request(server, 'GET', '/profile', undefined, { session: hijacker.token })).status, 403)
    const removed = await eventsOf(server, hijacker.id, 'mfa.reset')
    assert.equal(removed.length, 1)
  })

  it('a reset of a verified address leaves its second factors alone', async () => {
    const user = await signUpVerified(server)
    await enableTotp(server, user)
    const reset = await resetAs(user.email)
    assert.equal(reset.status, 200, reset.text)
    const signIn = await request(server, 'POST', '/sessions', { email: user.email, password: NEW_PASSWORD })
    assert.equal(signIn.body.message, 'second factor required')
  })
})

describe(`the login flow on ${TEST_DIALECT}`, () => {
  let server: TestServer
  before(async () => { server = await startServer({ PUBLIC_URL: 'https://auth.example.com' }, { now: clock.now }) })
  after(async () => { await server.close() })

  it('40 parallel wrong codes on one mfa_token: at most 5 are judged, and the token is used up', async () => {
    const user = await signUpVerified(server)
    const totp = await enableTotp(server, user)
    const step = await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD })
    const mfaToken = step.body.mfa_token as string
    const replies = await Promise.all(Array.from({ length: 40 }, async (_, i) => await request(server, 'POST', '/sessions/mfa', { mfa_token: mfaToken, code: String(100000 + i) })))
    assert.ok(replies.every(reply => reply.status === 401 && reply.body.code === 'invalid_code'), replies.map(r => r.status).join(','))
    const judged = (await eventsOf(server, user.id, 'login.failed')).filter(event => /invalid_code/.test(event.details ?? ''))
    assert.ok(judged.length <= 5, `${judged.length} codes judged`)
    const right = await request(server, 'POST', '/sessions/mfa', { mfa_token: mfaToken, code: totp.generate({ timestamp: clock.now() }) })
    assert.deepEqual([right.status, right.body.code], [401, 'invalid_code'], 'the flow is used up')
  })

  it('records the methods of each way in: password, password + totp, password + recovery code', async () => {
    const plain = await signUp(server)
    assert.deepEqual((await currentSession(server, plain.token)).methods, ['password'])
    const user = await signUpVerified(server)
    const started = await request(server, 'POST', '/account/totp', {}, { session: user.token })
    const totp = new TOTP({ secret: Secret.fromBase32(started.body.secret) })
    const codes = (await request(server, 'POST', '/account/totp/confirm', { code: totp.generate({ timestamp: clock.now() }) }, { session: user.token })).body.recovery_codes as string[]
    const withTotp = await request(server, 'POST', '/sessions/mfa', { mfa_token: (await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD })).body.mfa_token, code: totp.generate({ timestamp: clock.now() + STEP_MS }) })
    assert.equal(withTotp.status, 200, withTotp.text)
    assert.deepEqual((await currentSession(server, sessionCookie(withTotp))).methods, ['password', 'totp'])
    const withRecovery = await request(server, 'POST', '/sessions/mfa', { mfa_token: (await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD })).body.mfa_token, code: codes[0] ?? '' })
    assert.equal(withRecovery.status, 200, withRecovery.text)
    const current = await currentSession(server, sessionCookie(withRecovery))
    assert.deepEqual(current.methods, ['password', 'recovery_code'])
    assert.ok(Math.abs(Date.parse(current.authenticated_at) - clock.now()) < 60_000)
    const succeeded = await eventsOf(server, user.id, 'login.succeeded')
    assert.deepEqual(succeeded.map(event => JSON.parse(event.details ?? '{}').methods), ['password', 'password,totp', 'password,recovery_code'])
  })

  it('a wrong password by any route is one login.failed with its method', async () => {
    const user = await signUp(server)
    assert.equal((await request(server, 'POST', '/sessions', { email: user.email, password: 'nope nope nope' })).status, 401)
    const failed = await eventsOf(server, user.id, 'login.failed')
    assert.deepEqual(failed.map(event => JSON.parse(event.details ?? '{}')), [{ method: 'password' }])
  })
})

describe(`the same account rules for every method on ${TEST_DIALECT}`, () => {
  let server: TestServer
  let smtp: SmtpReceiver
  before(async () => {
    smtp = await startSmtpReceiver()
    server = await startServer({ SMTP_URL: smtp.url, REQUIRE_EMAIL_VERIFICATION: 'true', PUBLIC_URL: 'https://auth.example.com' }, { now: clock.now })
  })
  after(async () => {
    await server.close()
    await smtp.close()
  })

  it('a sign-in refused for an unverified address mails a fresh link and leaves the sign-up\'s working', async () => {
    const email = uniqueEmail('early')
    assert.equal((await request(server, 'POST', '/users', { email, password: PASSWORD })).status, 200)
    const first = await smtp.waitFor(email, /Confirm your email address/)
    const refused = await request(server, 'POST', '/sessions', { email, password: PASSWORD })
    assert.deepEqual([refused.status, refused.body.code], [403, 'email_not_verified'])
    for (let i = 0; i < 200 && smtp.messages.filter(m => m.to === email).length < 2; i++) await sleep(50)
    assert.equal(smtp.messages.filter(m => m.to === email).length, 2, 'a fresh link was mailed')
    const token = /verify_email\?token=([\w-]{43})/.exec(first.text)?.[1] ?? ''
    const verified = await request(server, 'POST', '/verify_email', { token })
    assert.deepEqual([verified.status, verified.body.message], [200, 'email verified'], 'the sign-up\'s link still works')
    assert.equal((await request(server, 'POST', '/sessions', { email, password: PASSWORD })).status, 200)
    const failed = await server.db.selectFrom('audit_events').select('details').where('type', '=', 'login.failed').where('details', 'like', '%email_not_verified%').execute()
    assert.ok(failed.some(event => /"method":"password"/.test(event.details ?? '')))
  })

  it('a disabled account is refused after the right password and after the second factor alike', async () => {
    const user = await signUpVerified(server)
    const totp = await enableTotp(server, user)
    const step = await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD })
    assert.equal(step.body.message, 'second factor required')
    const disabled = await runCli(['users', 'disable', user.email], { DATABASE_URL: server.databaseUrl })
    assert.equal(disabled.code, 0, disabled.stderr)
    const code = await request(server, 'POST', '/sessions/mfa', { mfa_token: step.body.mfa_token, code: totp.generate({ timestamp: clock.now() + STEP_MS }) })
    assert.equal(code.status, 401, 'disabling ended the pending sign-in')
    const password = await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD })
    assert.deepEqual([password.status, password.body.code], [403, 'account_disabled'])
    const failed = (await eventsOf(server, user.id, 'login.failed')).map(event => JSON.parse(event.details ?? '{}'))
    assert.deepEqual(failed.at(-1), { method: 'password', reason: 'account_disabled' })
  })
})

describe(`one path per rule on ${TEST_DIALECT}`, () => {
  let server: TestServer
  let smtp: SmtpReceiver
  before(async () => {
    smtp = await startSmtpReceiver()
    server = await startServer({ SMTP_URL: smtp.url })
  })
  after(async () => {
    await server.close()
    await smtp.close()
  })

  it('PUT /users/:id with a password mails the notice, voids reset links and ends the other sessions, as PUT /account/password does', async () => {
    for (const [method, path] of [['PUT', '/users/:id'], ['PUT', '/account/password']] as const) {
      const user = await signUp(server)
      const other = sessionCookie(await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD }))
      await request(server, 'POST', '/reset_password', { email: user.email })
      const mail = await smtp.waitFor(user.email, /Reset your password/)
      const body = path === '/users/:id' ? { password: NEW_PASSWORD } : { new_password: NEW_PASSWORD }
      const changed = await request(server, method, path.replace(':id', String(user.id)), body, { session: user.token })
      assert.equal(changed.status, 200, `${path}: ${changed.text}`)
      await smtp.waitFor(user.email, /password of your account was changed/)
      assert.equal((await request(server, 'GET', '/profile', undefined, { session: other })).status, 403, `${path}: other sessions end`)
      assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).status, 200, `${path}: this one stays`)
      const token = resetLinkOf(mail).searchParams.get('token') ?? ''
      assert.equal((await request(server, 'PUT', '/reset_password', { email: user.email, reset_token: token, new_password: 'yet another passphrase' })).status, 403, `${path}: the reset link is void`)
    }
  })

  it('authsvc users set-password mails the notice too', async () => {
    const user = await signUp(server)
    const set = await runCli(['users', 'set-password', user.email, '--password-stdin'], { DATABASE_URL: server.databaseUrl, SMTP_URL: smtp.url }, `${NEW_PASSWORD}\n`)
    assert.equal(set.code, 0, set.stderr)
    await smtp.waitFor(user.email, /password of your account was changed/)
    assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).status, 403)
  })

  it('authsvc users set-email moves the account as PUT /users/:id does: unverified, a link to the new address, a notice to the old', async () => {
    const user = await signUpVerified(server)
    const moved = uniqueEmail('moved-by-support')
    const run = await runCli(['users', 'set-email', String(user.id), moved], { DATABASE_URL: server.databaseUrl, SMTP_URL: smtp.url })
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stdout, /moved user/)
    await smtp.waitFor(moved, /Confirm your email address/)
    await smtp.waitFor(user.email, /email address of your account was changed/)
    const account = await request(server, 'GET', '/account', undefined, { session: user.token })
    assert.deepEqual([account.body.email, account.body.email_verified], [moved, false])
    const wrong = await runCli(['users', 'set-email', String(user.id)], { DATABASE_URL: server.databaseUrl })
    assert.equal(wrong.code, 2)
    assert.match(wrong.stderr, /a user \(its id or email\) and the new email/)
  })
})

describe(`the credentials migration on ${TEST_DIALECT}`, () => {
  it('moves every password hash into its own credential row: accounts sign in as before', async () => {
    const database = await createTestDatabase()
    const email = 'before-credentials@example.com'
    try {
      const db = createDb(loadConfig({ DATABASE_URL: database.url }).database)
      try {
        assert.equal((await migrateTo(db, '0010_job_leases')).error, undefined)
        // An argon2id hash of PASSWORD, as the service stored it before.
        const hashing = await startServer()
        const registered = await request(hashing, 'POST', '/users', { email, password: PASSWORD })
        assert.equal(registered.status, 200)
        const hash = (await hashing.db.selectFrom('password_credentials').select('hash').executeTakeFirstOrThrow()).hash
        await hashing.close()
        const now = Date.now()
        await sql`insert into users (id, email, password_hash, created_at, updated_at) values (41, ${email}, ${hash}, ${now}, ${now})`.execute(db)
        assert.equal((await migrateToLatest(db)).error, undefined)
        const rows = await db.selectFrom('password_credentials').selectAll().execute()
        assert.deepEqual(rows.map(row => [row.user_id, row.hash]), [[41, hash]])
      } finally {
        await db.destroy()
      }
      const server = await startServer({ DATABASE_URL: database.url })
      try {
        const signIn = await request(server, 'POST', '/sessions', { email, password: PASSWORD })
        assert.deepEqual([signIn.status, signIn.body], [200, { email, message: 'logged in' }])
      } finally {
        await server.close()
      }
    } finally {
      await database.drop()
    }
  })
})
