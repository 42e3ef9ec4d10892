// The layers' rules, checked on the source: the domain (src/auth, src/identity,
// src/tokens, and every module of a feature, method or flow but its routes.ts) knows
// nothing of HTTP, route modules and the HTTP layer never touch SQL, only the login flow
// creates sessions, and only createServices() builds the service graph.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'

function sourceFiles (folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter(file => file.endsWith('.ts'))
    .map(file => path.join(folder, file))
}

/** Every module specifier a file imports (static, dynamic and require()). */
function importsOf (file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/g), ...text.matchAll(/\b(?:import|require)\(\s*'([^']+)'\s*\)/g)]
  return specifiers.map(match => match[1] ?? '')
}

const isRoutes = (file: string): boolean => path.basename(file) === 'routes.ts'
const FEATURE_FOLDERS = ['src/features', 'src/methods', 'src/flows']
const featureFiles = (): string[] => FEATURE_FOLDERS.flatMap(sourceFiles)
const domainFiles = (): string[] => [...sourceFiles('src/auth'), ...sourceFiles('src/identity'), ...sourceFiles('src/tokens'), ...featureFiles().filter(file => !isRoutes(file))]
const httpFiles = (): string[] => [...sourceFiles('src/http'), ...sourceFiles('src/ui'), ...featureFiles().filter(isRoutes)]

describe('module boundaries', () => {
  it('the source files are found (the checks below look at something)', () => {
    assert.ok(sourceFiles('src/auth').length >= 10)
    assert.ok(sourceFiles('src/features').filter(isRoutes).length >= 5)
    for (const folder of ['src/features/', 'src/methods/', 'src/flows/', 'src/identity/', 'src/tokens/']) assert.ok(domainFiles().some(file => file.startsWith(folder)), `${folder} is checked`)
    assert.ok(importsOf('src/http/app.ts').includes('fastify'), 'the import scanner sees a plain import')
  })

  it('the domain (src/auth, identity, tokens, and features, methods and flows but their routes) imports neither Fastify nor the HTTP layer', () => {
    const offending = domainFiles().flatMap(file =>
      importsOf(file).filter(specifier => /fastify|^node:http$|\/http\/|\/routes\.js$/.test(specifier)).map(specifier => `${file}: ${specifier}`))
    assert.deepEqual(offending, [])
  })

  it('route modules and the HTTP layer touch neither Kysely nor the database module', () => {
    const offending = httpFiles().flatMap(file => [
      ...importsOf(file).filter(specifier => /kysely|\/db\/(?!errors\.js$)/.test(specifier)).map(specifier => `${file}: imports ${specifier}`),
      ...(/\.(?:selectFrom|insertInto|updateTable|deleteFrom)\(|ctx\.db\b/.test(readFileSync(file, 'utf8')) ? [`${file}: queries the database`] : [])
    ])
    assert.deepEqual(offending, [])
  })

  it('each table is queried by its owner module only', () => {
    const owners: Record<string, string[]> = {
      // The session check joins its user in the same statement: one query per request.
      users: ['src/features/users/users.ts', 'src/features/sessions/session-lookup.ts'],
      password_credentials: ['src/identity/password-credential.ts'],
      sessions: ['src/features/sessions/sessions.ts', 'src/features/sessions/session-lookup.ts'],
      login_flows: ['src/tokens/login-flows.ts'],
      one_time_tokens: ['src/auth/one-time-tokens.ts'],
      audit_events: ['src/features/audit/audit.ts'],
      totp_credentials: ['src/methods/totp/totp.ts'],
      recovery_codes: ['src/methods/recovery-code/recovery-codes.ts'],
      passkeys: ['src/methods/passkey/passkeys.ts'],
      webauthn_challenges: ['src/methods/passkey/challenges.ts'],
      job_leases: ['src/db/leases.ts'],
      outbox: ['src/outbox/outbox.ts'],
      id_watermarks: ['src/features/users/users.ts'],
      oidc_records: ['src/provider/adapter.ts', 'src/provider/records.ts'],
      oidc_clients: ['src/provider/clients.ts'],
      oidc_keys: ['src/provider/keys.ts'],
      oidc_session_clients: ['src/provider/session-clients.ts'],
      identities: ['src/methods/upstream/identities.ts'],
      upstream_flows: ['src/methods/upstream/flows.ts']
    }
    const offending = sourceFiles('src').filter(file => !file.startsWith('src/db/migrations/')).flatMap(file =>
      [...readFileSync(file, 'utf8').matchAll(/\.(?:selectFrom|insertInto|updateTable|deleteFrom|innerJoin|leftJoin)\('([a-z_]+)'/g)]
        .map(match => match[1] ?? '')
        .filter(table => !(owners[table] ?? []).includes(file))
        .map(table => `${file} queries ${table}`))
    assert.deepEqual(offending, [])
  })

  it('only the login flow creates a session, and it alone publishes login.succeeded: a method proves, the flow decides', () => {
    const callers = (pattern: RegExp): string[] => sourceFiles('src').filter(file => pattern.test(readFileSync(file, 'utf8'))).sort()
    assert.deepEqual(callers(/\bcreateSession\(/), ['src/flows/login/login.ts'], 'createSession is called by the login flow alone')
    assert.deepEqual(callers(/'login\.succeeded'/).filter(file => !file.startsWith('src/i18n/') && !file.startsWith('src/auth/events') && file !== 'src/metrics.ts'), ['src/flows/login/login.ts'])
    assert.deepEqual(callers(/type: 'login\.failed'/), ['src/flows/login/login.ts'])
  })

  it('only the composition root builds the service graph', () => {
    const factories: Record<string, string> = { createDb: 'src/db/index.ts', createCounterStore: 'src/limits/counter-store.ts', createPasswordHasher: 'src/auth/password-hasher.ts', createMailer: 'src/mail/mailer.ts' }
    for (const [factory, home] of Object.entries(factories)) {
      const callers = sourceFiles('src').filter(file => file !== home && new RegExp(`\\b${factory}\\(`).test(readFileSync(file, 'utf8')))
      assert.deepEqual(callers, ['src/services.ts'], factory)
    }
  })
})
