// The signing keys of ID tokens and session JWTs (src/provider/keys.ts) on the real
// database, and POST /sessions/token over HTTP: keys made once, sealed, one signer per
// alg even when instances start together; a rotation publishes at once, signs after
// KEY_ROTATION_DELAY and keeps the old key published until its tokens expired (time moved
// with the server's TestClock, never slept through); the JWT's claims verify with jose
// against the published JWKS; `authsvc keys rotate|list`.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { createLocalJWKSet, decodeProtectedHeader, type JWK, jwtVerify, type JWTPayload } from 'jose'
import { SecretBox } from '../src/auth/secret-box.js'
import { loadConfig } from '../src/config.js'
import { createDb } from '../src/db/index.js'
import { amrOf } from '../src/identity/methods.js'
import { CachedSigningKeyStore } from '../src/provider/key-store.js'
import {
  deleteRetiredKeys, ensureSigningKeys, ID_TOKEN_LIFETIME_SECONDS, loadSigningKeys, openStoredKey, PUBLISH_MARGIN_SECONDS, readStoredKeys,
  rotateSigningKeys, SigningKeyError, type SigningKeySet
} from '../src/provider/keys.js'
import { runCli } from './support/cli.js'
import { createTestClock, type TestClock } from './support/clock.js'
import { TEST_DIALECT } from './support/database.js'
import { PASSWORD, request, sessionCookie, signUp, startServer, type TestServer } from './support/server.js'

const encryptionKey = (): string => randomBytes(32).toString('base64')
const boxOf = (server: TestServer): SecretBox => new SecretBox(server.config.encryption)
const HOUR_MS = 3600 * 1000
/** How long a retired key stays published by default: the ID tokens' lifetime and the margin. */
const AFTER_RETIREMENT_MS = (ID_TOKEN_LIFETIME_SECONDS + PUBLISH_MARGIN_SECONDS) * 1000

async function keySet (server: TestServer, now: number): Promise<SigningKeySet> {
  return await loadSigningKeys(server.db, boxOf(server), now)
}

const kidsOf = (set: SigningKeySet, alg: string): string[] => set.keys.filter(key => key.alg === alg).map(key => key.kid ?? '')

async function sessionToken (server: TestServer, token: string, query = ''): Promise<{ status: number, body: any }> {
  return await request(server, 'POST', `/sessions/token${query}`, undefined, { session: token })
}

async function verify (jwt: string, set: SigningKeySet, now: number, options: { audience?: string, issuer?: string } = {}): Promise<JWTPayload> {
  const { payload } = await jwtVerify(jwt, createLocalJWKSet({ keys: [...set.publicJwks.keys] }), { currentDate: new Date(now), typ: 'session+jwt', ...options })
  return payload
}

describe(`signing keys on ${TEST_DIALECT}`, () => {
  it('the first need makes one RS256 (2048-bit) and one ES256 key, each sealed; a second ensure adds none', async () => {
    const server = await startServer({ ENCRYPTION_KEY: encryptionKey() })
    try {
      assert.deepEqual(await readStoredKeys(server.db), [], 'none before they are needed')
      const { token } = await signUp(server)
      assert.equal((await sessionToken(server, token)).status, 200)
      const stored = await readStoredKeys(server.db)
      assert.deepEqual(stored.map(key => key.alg).sort(), ['ES256', 'RS256'])
      const box = boxOf(server)
      for (const key of stored) {
        const jwk = openStoredKey(box, key)
        assert.ok(jwk !== null)
        assert.equal(jwk.kid, key.kid)
        assert.equal(jwk.use, 'sig')
        assert.equal(typeof jwk.d, 'string', 'the private key is stored')
        if (key.alg === 'RS256') assert.equal(Buffer.from(jwk.n ?? '', 'base64url').length * 8, 2048)
        else assert.equal(jwk.crv, 'P-256')
        assert.equal(key.signsFrom, key.createdAt)
        assert.equal(key.retiredAt, null)
        // The row itself: no JWK in clear, no private member, sealed under the configured key.
        const [row] = await server.db.selectFrom('oidc_keys').selectAll().where('kid', '=', key.kid).execute()
        const text = JSON.stringify(row)
        assert.ok(!text.includes(jwk.d ?? '-'), 'the private exponent is not in the row')
        assert.doesNotMatch(text, /"kty"|\\"d\\"/)
        assert.equal(row?.key_id, server.config.encryption.keys[0]?.id)
        // Sealed for its own row: a box moved to another kid does not open.
        assert.equal(openStoredKey(box, { ...key, kid: stored.find(other => other !== key)?.kid ?? '' }), null)
      }
      await ensureSigningKeys(server.db, box, Date.now())
      assert.deepEqual((await readStoredKeys(server.db)).map(key => key.kid), stored.map(key => key.kid), 'a second ensure adds nothing')
    } finally {
      await server.close()
    }
  })

  it('instances ensuring keys at once end with one key per alg', async () => {
    const server = await startServer({ ENCRYPTION_KEY: encryptionKey() })
    // Four "instances": connections of their own to the same database.
    const instances = Array.from({ length: 4 }, () => createDb(server.config.database))
    try {
      const now = Date.now()
      await Promise.all(instances.map(async db => { await ensureSigningKeys(db, boxOf(server), now) }))
      const stored = await readStoredKeys(server.db)
      assert.deepEqual(stored.map(key => key.alg).sort(), ['ES256', 'RS256'])
      // And through the service: the keys it signs with are those.
      const { token } = await signUp(server)
      const reply = await sessionToken(server, token)
      assert.equal(decodeProtectedHeader(reply.body.access_token).kid, stored.find(key => key.alg === 'RS256')?.kid)
      assert.equal((await readStoredKeys(server.db)).length, 2)
    } finally {
      await Promise.all(instances.map(async db => { await db.destroy() }))
      await server.close()
    }
  })

  describe('rotation', () => {
    let clock: TestClock
    let server: TestServer
    let session: string
    before(async () => {
      clock = createTestClock()
      server = await startServer({ ENCRYPTION_KEY: encryptionKey(), SESSION_JWT_TTL: '600' }, { now: clock.now })
      session = (await signUp(server)).token
    })
    after(async () => { await server.close() })

    it('publishes the new keys at once, signs with the old ones until the delay, then with the new; the old stays published until its tokens expired', async () => {
      const first = await sessionToken(server, session)
      assert.equal(first.status, 200)
      const oldRsa = kidsOf(await keySet(server, clock.now()), 'RS256')[0] ?? assert.fail('no RS256 key')
      assert.equal(decodeProtectedHeader(first.body.access_token).kid, oldRsa)

      // A store like the service's: it re-reads the table at most every 5 s.
      const store = new CachedSigningKeyStore({ db: server.db, box: boxOf(server), now: clock.now, maxTokenLifetimeSeconds: ID_TOKEN_LIFETIME_SECONDS, warn: () => {} })
      const before = await store.current()

      const delayMs = 120_000
      const rotatedAt = clock.now()
      const created = await rotateSigningKeys(server.db, boxOf(server), rotatedAt, delayMs / 1000)
      assert.deepEqual(created.map(key => key.alg), ['RS256', 'ES256'])
      assert.ok(created.every(key => key.signsFrom === rotatedAt + delayMs && key.createdAt === rotatedAt))
      const newRsa = created[0]?.kid ?? ''
      const newEc = created[1]?.kid ?? ''

      // Published at once, but the old keys still come first (they sign).
      const published = await keySet(server, rotatedAt)
      assert.deepEqual(kidsOf(published, 'RS256'), [oldRsa, newRsa])
      assert.equal(kidsOf(published, 'ES256')[1], newEc)
      assert.ok(published.publicJwks.keys.every(key => key.d === undefined && key.p === undefined), 'the JWKS has no private member')
      assert.equal(published.nextChangeAt, rotatedAt + delayMs, 'the order changes when the new keys start signing')
      assert.equal((await store.current()).version, before.version, 'the store serves its cached rows for up to 5 s')
      clock.advance(5000)
      const refreshed = await store.current()
      assert.notEqual(refreshed.version, before.version, 'and re-reads them after 5 s')
      assert.deepEqual(kidsOf(refreshed, 'RS256'), [oldRsa, newRsa])

      const beforeDelay = await sessionToken(server, session)
      assert.equal(decodeProtectedHeader(beforeDelay.body.access_token).kid, oldRsa, 'the old key signs until the delay')

      clock.advance(delayMs - 5000)
      const afterDelay = await sessionToken(server, session)
      assert.equal(decodeProtectedHeader(afterDelay.body.access_token).kid, newRsa, 'then the new one')
      const rotated = await store.current()
      assert.deepEqual(kidsOf(rotated, 'RS256'), [newRsa, oldRsa], 'the store reorders by time alone')
      assert.deepEqual(kidsOf(rotated, 'ES256')[0], newEc)

      // A token the old key signed just before it retired verifies against the JWKS published now.
      const retiredAt = rotatedAt + delayMs
      await verify(beforeDelay.body.access_token, rotated, clock.now())
      const stored = await readStoredKeys(server.db)
      assert.equal(stored.find(key => key.kid === oldRsa)?.retiredAt, retiredAt)
      assert.equal(stored.find(key => key.kid === newRsa)?.retiredAt, null)

      // Published until its last token's expiry (the ID tokens' hour) and the margin, then not.
      const lastPublished = await keySet(server, retiredAt + AFTER_RETIREMENT_MS - 1)
      assert.ok(kidsOf(lastPublished, 'RS256').includes(oldRsa))
      assert.equal(lastPublished.nextChangeAt, retiredAt + AFTER_RETIREMENT_MS)
      const gone = await keySet(server, retiredAt + AFTER_RETIREMENT_MS)
      assert.deepEqual(kidsOf(gone, 'RS256'), [newRsa])
      assert.equal(gone.nextChangeAt, null)
      // A shorter longest lifetime shortens it.
      assert.deepEqual(kidsOf(await loadSigningKeys(server.db, boxOf(server), retiredAt + (600 + PUBLISH_MARGIN_SECONDS) * 1000, 600), 'RS256'), [newRsa])

      // The sweep deletes it once unpublished, and never the keys that sign.
      assert.equal(await deleteRetiredKeys(server.db, retiredAt + AFTER_RETIREMENT_MS - 1, AFTER_RETIREMENT_MS / 1000), 0)
      assert.equal(await deleteRetiredKeys(server.db, retiredAt + AFTER_RETIREMENT_MS, AFTER_RETIREMENT_MS / 1000), 2)
      assert.deepEqual((await readStoredKeys(server.db)).map(key => key.kid).sort(), [newRsa, newEc].sort())
      assert.equal(await deleteRetiredKeys(server.db, retiredAt + 100 * HOUR_MS, 0), 0)
      await store.close()
    })

    it('two rotations within the delay: the middle key signs between them, one key signs at any time', async () => {
      const start = clock.now()
      const [a] = await rotateSigningKeys(server.db, boxOf(server), start, 100)
      const [b] = await rotateSigningKeys(server.db, boxOf(server), start + 10_000, 100)
      const signerAt = async (time: number): Promise<string | undefined> => kidsOf(await keySet(server, time), 'RS256')[0]
      const current = await signerAt(start)
      assert.notEqual(current, a?.kid)
      assert.equal(await signerAt(start + 100_000 - 1), current)
      assert.equal(await signerAt(start + 100_000), a?.kid)
      assert.equal(await signerAt(start + 110_000), b?.kid)
      // With no delay, the newest signs at once, and the pending ones never will.
      const [c] = await rotateSigningKeys(server.db, boxOf(server), start + 20_000, 0)
      assert.equal(await signerAt(start + 20_000), c?.kid)
      assert.equal(await signerAt(start + 200_000), c?.kid)
    })
  })

  it('a key that cannot be opened is left out; with none left for an alg, the error names the cause and no key', async () => {
    const oldKey = encryptionKey()
    const newKey = encryptionKey()
    const server = await startServer({ ENCRYPTION_KEY: oldKey })
    try {
      const now = Date.now()
      await ensureSigningKeys(server.db, boxOf(server), now)
      const [oldRsa] = (await readStoredKeys(server.db)).filter(key => key.alg === 'RS256')
      const secret = openStoredKey(boxOf(server), oldRsa ?? assert.fail())?.d ?? ''
      const withoutOld = new SecretBox(loadConfig({ ENCRYPTION_KEY: newKey }).encryption)
      await assert.rejects(loadSigningKeys(server.db, withoutOld, now), (error: unknown) => {
        assert.ok(error instanceof SigningKeyError)
        assert.equal(error.reason, 'unusable')
        assert.match(error.message, /no usable RS256 signing key: .*ENCRYPTION_KEY entry that is no longer configured \(fingerprint [0-9a-f]{12}\).*authsvc keys rotate/)
        assert.ok(!error.message.includes(secret) && !error.message.includes(oldKey))
        return true
      })
      // keys rotate under the new ENCRYPTION_KEY: its keys are the only usable ones, so they sign at once.
      const created = await rotateSigningKeys(server.db, withoutOld, now, 3600)
      const set = await loadSigningKeys(server.db, withoutOld, now)
      assert.deepEqual(set.keys.map(key => key.kid), created.map(key => key.kid))
      assert.deepEqual(set.unusable.map(key => key.alg).sort(), ['ES256', 'RS256'])
      // With the old key listed after the new one, both open again.
      const both = new SecretBox(loadConfig({ ENCRYPTION_KEY: `${newKey},${oldKey}` }).encryption)
      assert.equal((await loadSigningKeys(server.db, both, now)).keys.length, 4)
      assert.equal((await loadSigningKeys(server.db, both, now)).keys[0]?.kid, oldRsa?.kid)
    } finally {
      await server.close()
    }
  })

  it('amrOf spells the methods as RFC 8176 does, in order, each once', () => {
    assert.deepEqual(amrOf(['password']), ['pwd'])
    assert.deepEqual(amrOf(['password', 'totp']), ['pwd', 'otp'])
    assert.deepEqual(amrOf(['password', 'recovery_code']), ['pwd', 'otp'])
    assert.deepEqual(amrOf(['passkey']), ['hwk'])
    assert.deepEqual(amrOf(['email_code', 'totp', 'recovery_code']), ['email_code', 'otp'])
    assert.deepEqual(amrOf(['oidc:google']), ['oidc:google'])
    assert.deepEqual(amrOf([]), [])
  })
})

describe(`POST /sessions/token on ${TEST_DIALECT}`, () => {
  let clock: TestClock
  let server: TestServer
  let user: { email: string, id: number, token: string }
  before(async () => {
    clock = createTestClock()
    server = await startServer({ SESSION_JWT_TTL: '120', SESSION_JWT_AUDIENCES: 'https://api.example.com, billing' }, { now: clock.now })
    user = await signUp(server)
  })
  after(async () => { await server.close() })

  it('answers a JWT of the session: sub, sid, amr, iat, exp, iss, signed by the current RS256 key', async () => {
    const reply = await sessionToken(server, user.token)
    assert.equal(reply.status, 200)
    assert.deepEqual(Object.keys(reply.body).sort(), ['access_token', 'expires_in', 'token_type'])
    assert.equal(reply.body.token_type, 'Bearer')
    assert.equal(reply.body.expires_in, 120)
    const set = await keySet(server, clock.now())
    const header = decodeProtectedHeader(reply.body.access_token)
    assert.deepEqual(header, { alg: 'RS256', kid: kidsOf(set, 'RS256')[0], typ: 'session+jwt' })
    const claims = await verify(reply.body.access_token, set, clock.now(), { issuer: server.config.publicUrl })
    const subject = (await server.db.selectFrom('users').select('subject').where('id', '=', user.id).executeTakeFirst())?.subject
    const sessions = await request(server, 'GET', '/account/sessions', undefined, { session: user.token })
    const iat = Math.floor(clock.now() / 1000)
    assert.deepEqual(claims, {
      sub: subject,
      sid: sessions.body.sessions.find((session: { current: boolean }) => session.current).id,
      amr: ['pwd'],
      iat,
      exp: iat + 120,
      iss: server.config.publicUrl
    })
    assert.ok(typeof subject === 'string' && subject.length >= 22 && subject !== String(user.id) && !subject.includes('@'))
    assert.ok(!reply.body.access_token.includes(user.token), 'the session token is not in it')
  })

  it('works with X-Session-ID too, and the same sub for every session of the account', async () => {
    const other = sessionCookie(await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD }))
    const reply = await request(server, 'POST', '/sessions/token', undefined, { session: other, transport: 'header' })
    assert.equal(reply.status, 200)
    const set = await keySet(server, clock.now())
    const mine = await verify((await sessionToken(server, user.token)).body.access_token, set, clock.now())
    const theirs = await verify(reply.body.access_token, set, clock.now())
    assert.equal(theirs.sub, mine.sub)
    assert.notEqual(theirs.sid, mine.sid)
  })

  it('puts ?audience= in aud only when SESSION_JWT_AUDIENCES lists it; any other is a 400', async () => {
    const set = await keySet(server, clock.now())
    for (const audience of ['https://api.example.com', 'billing']) {
      const reply = await sessionToken(server, user.token, `?audience=${encodeURIComponent(audience)}`)
      assert.equal(reply.status, 200)
      assert.equal((await verify(reply.body.access_token, set, clock.now(), { audience })).aud, audience)
    }
    assert.equal((await verify((await sessionToken(server, user.token)).body.access_token, set, clock.now())).aud, undefined, 'no audience asked: no aud')
    for (const query of ['?audience=https%3A%2F%2Fevil.example', '?audience=', '?audience=Billing', '?audience=billing&audience=billing']) {
      const reply = await sessionToken(server, user.token, query)
      assert.equal(reply.status, 400, query)
      assert.equal(reply.body.code, 'invalid_field', query)
      assert.match(reply.body.message, /audience/, query)
    }
  })

  it('refuses an audience when SESSION_JWT_AUDIENCES is empty', async () => {
    const plain = await startServer()
    try {
      const { token } = await signUp(plain)
      const reply = await sessionToken(plain, token, '?audience=billing')
      assert.equal(reply.status, 400)
      assert.equal(reply.body.code, 'invalid_field')
      assert.match(reply.body.message, /SESSION_JWT_AUDIENCES/)
    } finally {
      await plain.close()
    }
  })

  it('is 403 without a valid session', async () => {
    for (const session of [undefined, 'not-a-session', randomBytes(32).toString('base64url')]) {
      const reply = await request(server, 'POST', '/sessions/token', undefined, session === undefined ? {} : { session })
      assert.equal(reply.status, 403)
      assert.equal(reply.body.code, 'forbidden')
      assert.equal(reply.body.access_token, undefined)
    }
    const ended = await signUp(server)
    await request(server, 'DELETE', '/sessions', undefined, { session: ended.token })
    assert.equal((await sessionToken(server, ended.token)).status, 403, 'a signed-out session gets none')
  })

  it('expires after SESSION_JWT_TTL', async () => {
    const jwt = (await sessionToken(server, user.token)).body.access_token as string
    const set = await keySet(server, clock.now())
    await verify(jwt, set, clock.now() + 119_000)
    await assert.rejects(verify(jwt, set, clock.now() + 120_000), { code: 'ERR_JWT_EXPIRED' })
  })
})

describe(`authsvc keys on ${TEST_DIALECT}`, () => {
  let server: TestServer
  let env: Record<string, string>
  before(async () => {
    const key = encryptionKey()
    server = await startServer({ ENCRYPTION_KEY: key })
    env = { DATABASE_URL: server.databaseUrl, ENCRYPTION_KEY: key, KEY_ROTATION_DELAY: '120', LOG_LEVEL: 'silent' }
  })
  after(async () => { await server.close() })

  it('keys list on a database without keys says so; keys rotate prints the new kids and when they sign', async () => {
    const empty = await runCli(['keys', 'list'], env)
    assert.equal(empty.code, 0, empty.stderr)
    assert.match(empty.stdout, /^no signing keys yet/)

    await ensureSigningKeys(server.db, boxOf(server), Date.now())
    const first = await readStoredKeys(server.db)
    const rotated = await runCli(['keys', 'rotate', '--json'], env)
    assert.equal(rotated.code, 0, rotated.stderr)
    const { keys } = JSON.parse(rotated.stdout) as { keys: Array<{ kid: string, alg: string, created_at: string, signs_from: string }> }
    assert.deepEqual(keys.map(key => key.alg), ['RS256', 'ES256'])
    for (const key of keys) {
      assert.deepEqual(Object.keys(key).sort(), ['alg', 'created_at', 'kid', 'signs_from'])
      assert.equal(Date.parse(key.signs_from) - Date.parse(key.created_at), 120_000, 'KEY_ROTATION_DELAY')
    }
    const stored = await readStoredKeys(server.db)
    assert.equal(stored.length, 4)
    assert.deepEqual(stored.filter(key => !first.some(old => old.kid === key.kid)).map(key => key.kid).sort(), keys.map(key => key.kid).sort())

    const text = await runCli(['keys', 'rotate'], env)
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stdout, /^published 2 new signing keys; .*KEY_ROTATION_DELAY=120 s.*\n {2}RS256 {2}[\w-]{22} {2}signs from \d{4}-\d\d-\d\dT[0-9:.]+Z\n {2}ES256 /)
  })

  it('keys list shows every key and its state, never private material', async () => {
    const listed = await runCli(['keys', 'list', '--json'], env)
    assert.equal(listed.code, 0, listed.stderr)
    const { keys } = JSON.parse(listed.stdout) as { keys: Array<Record<string, unknown>> }
    const stored = await readStoredKeys(server.db)
    assert.deepEqual(keys.map(key => key.kid), stored.map(key => key.kid))
    assert.deepEqual(Object.keys(keys[0] ?? {}).sort(), ['alg', 'created_at', 'kid', 'published', 'published_until', 'retired_at', 'signing', 'signs_from', 'usable'])
    assert.equal(keys.filter(key => key.signing === true).length, 2, 'one signer per alg')
    assert.ok(keys.every(key => key.published === true && key.usable === true))
    const signers = keys.filter(key => key.signing === true).map(key => key.kid)
    assert.deepEqual(signers, stored.filter(key => key.retiredAt !== null && key.signsFrom === key.createdAt).map(key => key.kid), 'the first keys sign until the delay')

    const table = await runCli(['keys', 'list'], env)
    assert.equal(table.code, 0)
    assert.match(table.stdout, /^KID +ALG +CREATED +SIGNS FROM +RETIRED +PUBLISHED +STATE\n/)
    assert.match(table.stdout, /RS256 .* signing\n/)
    assert.match(table.stdout, /ES256 .* next\n/)
    const box = boxOf(server)
    for (const key of stored) {
      const jwk = openStoredKey(box, key) as JWK
      for (const member of [jwk.d, jwk.p, jwk.q, key.sealed].filter(value => value !== undefined)) {
        assert.ok(!listed.stdout.includes(member) && !table.stdout.includes(member), 'no private member, no sealed box')
      }
    }

    const elsewhere = await runCli(['keys', 'list'], { ...env, ENCRYPTION_KEY: encryptionKey() })
    assert.equal(elsewhere.code, 0)
    assert.match(elsewhere.stdout, /cannot be opened \(ENCRYPTION_KEY entry missing\)/)
  })

  it('wrong usage is exit code 2 with one line; --help lists the commands', async () => {
    for (const args of [['keys'], ['keys', 'frobnicate'], ['keys', 'rotate', 'now'], ['keys', 'list', '--all']]) {
      const run = await runCli(args, env)
      assert.equal(run.code, 2, args.join(' '))
      assert.equal(run.stdout, '')
      assert.match(run.stderr, /^.+\n\nRun "authsvc --help"/, args.join(' '))
    }
    const help = await runCli(['--help'], env)
    assert.match(help.stdout, /keys rotate +Make a new RS256 and ES256 key/)
    assert.match(help.stdout, /keys list +Every stored key/)
  })
})
