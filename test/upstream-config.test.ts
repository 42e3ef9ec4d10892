// The settings of the `microsoft` and `apple` presets (OIDC_<NAME>_*, src/config/
// upstream-settings.ts) as loadConfig reads them: Microsoft's tenant in its issuer, Apple's
// key read at start. No database; one case starts the service (a provider that does not
// answer) to read its log.
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { jwtVerify } from 'jose'
import { ConfigError, loadConfig } from '../src/config.js'
import { APPLE_SECRET_TTL_SECONDS, createAppleClientSecret } from '../src/methods/upstream/apple.js'
import { freePort, startService } from './support/service.js'

const microsoft = (env: Record<string, string> = {}): ReturnType<typeof loadConfig> =>
  loadConfig({ OIDC_PROVIDERS: 'microsoft', OIDC_MICROSOFT_CLIENT_ID: 'ms-client', OIDC_MICROSOFT_CLIENT_SECRET: 'ms-secret', ...env })

/** The problems loadConfig reports for `env`, as thrown. */
function problemsOf (env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  assert.fail('loadConfig accepted it')
}

const pem = (type: 'ec' | 'rsa', format: 'pkcs8' | 'sec1' = 'pkcs8'): string => type === 'ec'
  ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: format, format: 'pem' }).toString()
  : generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()

describe('the microsoft preset', () => {
  it('puts the tenant in the issuer: common by default, organizations, or one tenant', () => {
    const [byDefault] = microsoft().upstream
    assert.deepEqual([byDefault?.issuer, byDefault?.tenant, byDefault?.label], ['https://login.microsoftonline.com/common/v2.0', 'common', 'Microsoft'])
    assert.equal(microsoft({ OIDC_MICROSOFT_TENANT: 'organizations' }).upstream[0]?.issuer, 'https://login.microsoftonline.com/organizations/v2.0')
    assert.equal(microsoft({ OIDC_MICROSOFT_TENANT: 'contoso.onmicrosoft.com' }).upstream[0]?.issuer, 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0')
  })

  it('refuses a tenant that is not an id or a domain (a slash would change the issuer\'s path)', () => {
    for (const tenant of ['common/../evil', 'a/b', 'tenant?x=1']) {
      const problems = problemsOf({ OIDC_PROVIDERS: 'microsoft', OIDC_MICROSOFT_CLIENT_ID: 'c', OIDC_MICROSOFT_CLIENT_SECRET: 's', OIDC_MICROSOFT_TENANT: tenant })
      assert.ok(problems.some(problem => problem.startsWith('OIDC_MICROSOFT_TENANT must be a tenant id or domain')), `${tenant}: ${problems.join('; ')}`)
    }
  })

  it('OIDC_MICROSOFT_ISSUER replaces the preset\'s (one tenant\'s own issuer)', () => {
    assert.equal(microsoft({ OIDC_MICROSOFT_ISSUER: 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0' }).upstream[0]?.issuer,
      'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0')
  })
})

describe('the apple preset', () => {
  const apple = (key: string): Record<string, string> =>
    ({ OIDC_PROVIDERS: 'apple', OIDC_APPLE_CLIENT_ID: 'com.example.web', OIDC_APPLE_TEAM_ID: 'TEAM123456', OIDC_APPLE_KEY_ID: 'KEY1234567', OIDC_APPLE_PRIVATE_KEY: key })

  it('reads the key, its line breaks written as \\n in one line; no client secret asked; Apple\'s issuer', () => {
    const key = pem('ec')
    const [provider] = loadConfig(apple(key.trim().replaceAll('\n', '\\n'))).upstream
    assert.equal(provider?.issuer, 'https://appleid.apple.com')
    assert.equal(provider?.clientSecret, null)
    assert.deepEqual(provider?.apple, { teamId: 'TEAM123456', keyId: 'KEY1234567', privateKey: key.trim() })
  })

  it('asks for the team, the key id and the key', () => {
    const problems = problemsOf({ OIDC_PROVIDERS: 'apple', OIDC_APPLE_CLIENT_ID: 'com.example.web' })
    assert.deepEqual(problems.map(problem => problem.split(' ')[0] ?? '').sort((a, b) => a.localeCompare(b)), ['OIDC_APPLE_KEY_ID', 'OIDC_APPLE_PRIVATE_KEY', 'OIDC_APPLE_TEAM_ID'])
  })

  it('refuses at start a key that cannot sign Apple\'s ES256 secret: RSA, SEC 1, not a key', () => {
    for (const [label, key] of [['rsa', pem('rsa')], ['sec1', pem('ec', 'sec1')], ['text', 'not a key']] as const) {
      const problems = problemsOf(apple(key))
      assert.ok(problems.some(problem => problem.startsWith('OIDC_APPLE_PRIVATE_KEY must be the PKCS #8 PEM of a P-256 key')), `${label}: ${problems.join('; ')}`)
      if (key.length > 80) assert.ok(problems.every(problem => !problem.includes(key.slice(40, 80))), 'the key is not echoed')
    }
  })

  it('signs its client secret once, keeps it, and signs a new one when less than 5 minutes of its hour are left', async () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    const [provider] = loadConfig(apple(key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())).upstream
    assert.ok(provider !== undefined)
    let now = Date.UTC(2026, 11, 8, 12, 0, 0)
    const secret = createAppleClientSecret(provider, () => now)
    const first = await secret()
    const { payload, protectedHeader } = await jwtVerify(first, key.publicKey, { issuer: 'TEAM123456', subject: 'com.example.web', audience: 'https://appleid.apple.com', currentDate: new Date(now) })
    assert.deepEqual([protectedHeader.alg, protectedHeader.kid, (payload.exp ?? 0) - (payload.iat ?? 0)], ['ES256', 'KEY1234567', APPLE_SECRET_TTL_SECONDS])
    now += 54 * 60_000
    assert.equal(await secret(), first, 'still 6 minutes left: the same secret')
    now += 2 * 60_000
    const second = await secret()
    assert.notEqual(second, first, '4 minutes left: a new one')
    assert.equal((await jwtVerify(second, key.publicKey, { currentDate: new Date(now) })).payload.iat, Math.floor(now / 1000))
  })
})

describe('a provider that does not answer', () => {
  it('is a 502 provider_unavailable for the person, and a warning naming the provider and the cause for the operator, never the secret', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'authsvc-upstream-down-'))
    // Nothing listens there: discovery fails at once.
    const issuer = `http://127.0.0.1:${await freePort()}`
    const service = await startService({ DATABASE_URL: path.join(dir, 'auth.sqlite'), LOG_LEVEL: 'warn', OIDC_PROVIDERS: 'acme', OIDC_ACME_ISSUER: issuer, OIDC_ACME_CLIENT_ID: 'client', OIDC_ACME_CLIENT_SECRET: 'a-secret-never-logged' })
    let run
    try {
      const reply = await fetch(`${service.url}/sessions/oidc/acme`, { redirect: 'manual' })
      assert.equal(reply.status, 502)
      assert.equal(((await reply.json()) as { code: string }).code, 'provider_unavailable')
    } finally {
      run = await service.stop('SIGTERM')
      await rm(dir, { recursive: true, force: true })
    }
    const line = run.stdout.split('\n').find(entry => entry.includes('identity provider unavailable'))
    assert.ok(line !== undefined, run.stdout)
    const logged = JSON.parse(line) as { level: number, provider: string, cause: string }
    assert.equal(logged.level, 40)
    assert.equal(logged.provider, 'acme')
    assert.match(logged.cause, /ECONNREFUSED/)
    assert.doesNotMatch(run.stdout, /a-secret-never-logged/)
  })
})
