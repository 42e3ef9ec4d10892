// The layers' rules, checked on the source: the domain (src/auth) knows nothing of HTTP,
// route modules never touch SQL, and only createServices() builds the service graph.
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

describe('module boundaries', () => {
  it('the source files are found (the checks below look at something)', () => {
    assert.ok(sourceFiles('src/auth').length >= 10)
    assert.ok(sourceFiles('src/http/routes').length >= 3)
    assert.ok(importsOf('src/http/app.ts').includes('fastify'), 'the import scanner sees a plain import')
  })

  it('src/auth (the domain) imports neither Fastify nor the HTTP layer', () => {
    const offending = sourceFiles('src/auth').flatMap(file =>
      importsOf(file).filter(specifier => /fastify|^node:http$|\/http\//.test(specifier)).map(specifier => `${file}: ${specifier}`))
    assert.deepEqual(offending, [])
  })

  it('route modules touch neither Kysely nor the database module', () => {
    const offending = sourceFiles('src/http/routes').flatMap(file => [
      ...importsOf(file).filter(specifier => /kysely|\/db\//.test(specifier)).map(specifier => `${file}: imports ${specifier}`),
      ...(/\.(?:selectFrom|insertInto|updateTable|deleteFrom)\(|ctx\.db\b/.test(readFileSync(file, 'utf8')) ? [`${file}: queries the database`] : [])
    ])
    assert.deepEqual(offending, [])
  })

  it('only the composition root builds the service graph', () => {
    const factories: Record<string, string> = { createDb: 'src/db/index.ts', createCounterStore: 'src/limits/counter-store.ts', createPasswordHasher: 'src/auth/password-hasher.ts', createMailer: 'src/mail/mailer.ts' }
    for (const [factory, home] of Object.entries(factories)) {
      const callers = sourceFiles('src').filter(file => file !== home && new RegExp(`\\b${factory}\\(`).test(readFileSync(file, 'utf8')))
      assert.deepEqual(callers, ['src/services.ts'], factory)
    }
  })
})
