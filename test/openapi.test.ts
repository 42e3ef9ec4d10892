// The OpenAPI document: valid OpenAPI 3.1, clean under Redocly's recommended rules,
// complete (every registered route, and no route that is not), and true: the replies the
// service really sends match the schemas and headers it documents for their status; what a
// generated client relies on (ids typed as they are, required fields required, the
// session cookie, which operations are public) is checked one by one. The reference page
// at /docs is branded and loads nothing from elsewhere.
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { Validator } from '@seriousme/openapi-schema-validator'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { lintOpenApi } from '../scripts/lint-openapi.js'
import { launchChromium } from './support/browser.js'
import { PASSWORD, type Reply, request, sessionCookie, signUp, startServer, type TestServer, uniqueEmail } from './support/server.js'

interface Parameter { name: string, in: string, required?: boolean, schema: { type?: string } }
interface Operation {
  operationId?: string
  summary?: string
  tags?: string[]
  security?: unknown[]
  parameters?: Parameter[]
  requestBody?: { required?: boolean, content: Record<string, { schema: object }> }
  responses: Record<string, {
    description?: string
    headers?: Record<string, { description?: string, schema: { type?: string, pattern?: string } }>
    content?: { 'application/json'?: { schema: object } }
  }>
}
type Document = { paths: Record<string, Record<string, Operation>> } & Record<string, any>

// The documentation's own routes (HTML, assets, the document itself) are not API
// operations, nor is /metrics (Prometheus text for scrapers, not JSON), nor the
// pages' icon at /favicon.ico.
const DOCUMENTATION = /^\/(?:docs(?:\/.*)?|openapi\.json|metrics|favicon\.ico)$/

/** Every method and path Fastify has registered, read from printRoutes()'s tree. */
function registeredRoutes (tree: string): Array<{ method: string, path: string }> {
  const routes: Array<{ method: string, path: string }> = []
  const stack: string[] = []
  for (const line of tree.split('\n')) {
    const match = /^([│├└─\s]*)(\S.*) \(([A-Z, ]+)\)$/.exec(line)
    if (match === null) continue
    const depth = (match[1] ?? '').length / 4
    stack.length = depth
    const path = (stack[depth - 1] ?? '') + (match[2] ?? '')
    stack[depth] = path
    for (const method of (match[3] ?? '').split(', ')) routes.push({ method, path })
  }
  return routes
}

function toOpenApiPath (path: string): string {
  return path.replace(/:([A-Za-z_]+)/g, '{$1}')
}

/** Every operation of the document, as ['METHOD /path', operation]. */
function operationsOf (document: Document): Array<[string, Operation]> {
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]): [string, Operation] => [`${method.toUpperCase()} ${path}`, operation]))
}

describe('the OpenAPI document', () => {
  let server: TestServer
  let document: Document
  before(async () => {
    server = await startServer()
    document = (await request(server, 'GET', '/openapi.json')).body
  })
  after(async () => { await server.close() })

  it('is valid OpenAPI 3.1 and its references resolve', async () => {
    const validator = new Validator()
    const result = await validator.validate(structuredClone(document))
    assert.deepEqual(result.errors ?? [], [])
    assert.equal(result.valid, true)
    assert.equal(validator.version, '3.1')
    assert.doesNotThrow(() => validator.resolveRefs())
  })

  it('has every registered route, and nothing else', () => {
    const registered = registeredRoutes(server.app.printRoutes({ commonPrefix: false }))
      // The hosted pages (/ui/…) are HTML for people, documented in the README, not API
      // operations; the OpenID provider's endpoints (/oidc/*, which printRoutes shows as a
      // bare `*`) are described by its discovery.
      .filter(({ method, path }) => method !== 'HEAD' && !DOCUMENTATION.test(path) && !path.startsWith('/ui') && !path.endsWith('*') && path !== '/.well-known/openid-configuration')
      .map(({ method, path }) => `${method} ${toOpenApiPath(path)}`)
    assert.ok(registered.length >= 10, `the route list was read: ${registered.join(', ')}`)
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map(method => `${method.toUpperCase()} ${path}`))
    assert.deepEqual(documented.sort(), [...new Set(registered)].sort())
  })

  it('names each operation, tags it, sums it up, and names the session schemes where one is needed', () => {
    assert.deepEqual(Object.keys(document.components.securitySchemes).sort(), ['sessionCookie', 'sessionHeader'])
    assert.deepEqual(document.components.securitySchemes.sessionCookie, { type: 'apiKey', in: 'cookie', name: 'session_id', description: document.components.securitySchemes.sessionCookie.description })
    const ids = new Set<string>()
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const name = `${method.toUpperCase()} ${path}`
        assert.match(operation.operationId ?? '', /^[a-z][A-Za-z]+$/, name)
        assert.ok(!ids.has(operation.operationId ?? ''), `${name}: operationId is unique`)
        ids.add(operation.operationId ?? '')
        assert.ok((operation.summary ?? '').length > 0, `${name} has a summary`)
        assert.ok((operation.tags ?? []).length > 0, `${name} has a tag`)
        if (operation.requestBody !== undefined) {
          assert.deepEqual(Object.keys(operation.requestBody.content).sort(), ['application/json', 'application/x-www-form-urlencoded'], name)
        }
      }
    }
    for (const name of ['getProfile', 'signOut', 'getUser', 'updateUser', 'deleteUser']) {
      const operation = Object.values(document.paths).flatMap(operations => Object.values(operations)).find(op => op.operationId === name)
      assert.deepEqual(operation?.security, [{ sessionCookie: [] }, { sessionHeader: [] }], name)
      assert.ok(operation?.responses['403'] !== undefined, `${name} documents its 403`)
    }
  })

  it('says which operations are public: security [] exactly where no session is asked for', () => {
    const publicOnes: string[] = []
    // The routes the session check runs on: those whose refusals include its NO_SESSION.
    const checked = new Set(server.app.errorReplies()
      .filter(({ replies }) => [...replies.values()].flat().includes('NO_SESSION'))
      .map(({ method, url }) => `${method} ${toOpenApiPath(url)}`))
    assert.ok(checked.size >= 20, [...checked].join(', '))
    for (const [name, operation] of operationsOf(document)) {
      const asksForSession = checked.has(name)
      if (asksForSession) assert.deepEqual(operation.security, [{ sessionCookie: [] }, { sessionHeader: [] }], name)
      else {
        assert.deepEqual(operation.security, [], `${name}: public, and says so`)
        publicOnes.push(name)
      }
    }
    for (const name of ['GET /', 'POST /users', 'POST /sessions', 'POST /sessions/mfa', 'POST /sessions/passkey', 'POST /reset_password', 'PUT /reset_password']) {
      assert.ok(publicOnes.includes(name), `${name} is public`)
    }
    assert.equal(document.security, undefined, 'no document-wide requirement to override')
  })

  it('documents a 4xx on every operation but the three that take no input and need no session', () => {
    // Redocly's operation-4xx-response is off for these three alone (redocly.yaml).
    const without = operationsOf(document).filter(([, operation]) => !Object.keys(operation.responses).some(status => /^4\d\d$/.test(status))).map(([name]) => name)
    assert.deepEqual(without.sort(), ['GET /', 'GET /health/alive', 'GET /health/ready'])
  })

  it('types each path id as the id it names: a user id is the integer User.id is', () => {
    const user = document.components.schemas.User
    assert.equal(user.properties.id.type, 'integer')
    const types: Record<string, string | undefined> = {}
    for (const [name, operation] of operationsOf(document)) {
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === 'path') {
          assert.equal(parameter.required, true, `${name} {${parameter.name}}`)
          types[`${name.replace(/^\w+ /, '')} {${parameter.name}}`] = parameter.schema.type
        }
      }
    }
    // The type of the `id` of the items a list reply gives (GET /account/sessions …).
    const listedIdType = (route: string, key: string): string | undefined => {
      const schema = document.paths[route]?.get?.responses['200']?.content?.['application/json']?.schema as { properties: Record<string, { items: { properties: { id: { type: string } } } }> } | undefined
      return schema?.properties[key]?.items.properties.id.type
    }
    const clients = document.paths['/admin/clients']?.get?.responses['200']?.content?.['application/json']?.schema as { properties: { clients: { items: { properties: { client_id: { type: string } } } } } } | undefined
    assert.deepEqual(types, {
      '/users/{id} {id}': user.properties.id.type,
      // Handles and credential ids are text, as the lists that give them say.
      '/account/sessions/{id} {id}': listedIdType('/account/sessions', 'sessions'),
      '/account/passkeys/{id} {id}': listedIdType('/account/passkeys', 'passkeys'),
      '/admin/clients/{id} {id}': clients?.properties.clients.items.properties.client_id.type,
      // An identity's id (DELETE), or a provider's name (POST: one path shape, one parameter name).
      '/account/identities/{id} {id}': listedIdType('/account/identities', 'identities'),
      '/sessions/oidc/{provider} {provider}': 'string'
    })
    assert.deepEqual(Object.values(types).slice(1), ['string', 'string', 'string', 'string', 'string'])
    const limit = document.paths['/account/events']?.get?.parameters?.find(parameter => parameter.name === 'limit')
    assert.deepEqual(limit?.schema, { type: 'integer', minimum: 1, maximum: 100 })
  })

  it('a user id that is not a number is refused as any other user\'s: the same 403, never a 400', async () => {
    const user = await signUp(server)
    const other = await request(server, 'GET', `/users/${String(user.id + 1000)}`, undefined, { session: user.token })
    assert.deepEqual([other.status, other.body], [403, { message: 'forbidden: not your account', code: 'forbidden' }])
    for (const id of ['abc', `0${String(user.id)}`, `${String(user.id)}.0`, '-1', '1e3', '%20']) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const reply = await request(server, method, `/users/${id}`, method === 'PUT' ? { email: uniqueEmail('moved') } : undefined, { session: user.token })
        assert.deepEqual([reply.status, reply.body], [other.status, other.body], `${method} /users/${id}`)
      }
    }
  })

  it('requires a password on POST /users, under its name or as hashed_password', async () => {
    const validator = new Validator()
    await validator.validate(structuredClone(document))
    const resolved = validator.resolveRefs() as Document
    const ajv = new Ajv2020({ strict: false })
    const body = resolved.paths['/users']?.post?.requestBody
    assert.equal(body?.required, true)
    for (const [type, { schema }] of Object.entries(body?.content ?? {})) {
      const valid = ajv.compile(schema)
      assert.equal(valid({ email: 'a@b.co', password: PASSWORD }), true, type)
      assert.equal(valid({ email: 'a@b.co', hashed_password: PASSWORD }), true, type)
      assert.equal(valid({ email: 'a@b.co' }), false, `${type}: the password is required`)
      assert.equal(valid({ password: PASSWORD }), false, `${type}: the email is required`)
      assert.equal(valid({ email: 'a@b.co', password: 5 }), false, type)
    }
    // The same bodies over HTTP get the answers the schema promises, the v1 refusal included.
    const missing = await request(server, 'POST', '/users', { email: uniqueEmail('nopassword') })
    assert.deepEqual([missing.status, missing.body], [400, { message: 'password is required', code: 'invalid_field' }])
    assert.equal((await request(server, 'POST', '/users', { email: uniqueEmail('alias'), hashed_password: PASSWORD })).status, 200)
    // Every other body: each field the API contract lists as required is required.
    const required = (operation: string, fields: string[]): void => {
      const [method = '', route = ''] = operation.split(' ')
      // oxlint-disable-next-line typescript/no-unnecessary-type-assertion -- tsc needs it: the schema is typed as a plain object
      const schema = resolved.paths[route]?.[method.toLowerCase()]?.requestBody?.content['application/json']?.schema as { required?: string[] } | undefined
      assert.deepEqual([...schema?.required ?? []].sort((a, b) => a.localeCompare(b)), [...fields].sort((a, b) => a.localeCompare(b)), operation)
    }
    required('POST /sessions', ['email', 'password'])
    required('POST /sessions/mfa', ['mfa_token', 'code'])
    required('POST /reset_password', ['email'])
    required('PUT /reset_password', ['email', 'reset_token', 'new_password'])
    required('PUT /account', ['language'])
    required('PUT /account/password', ['new_password'])
    required('POST /account/email', ['new_email'])
    required('POST /verify_email', ['token'])
    required('POST /email_change/confirm', ['token'])
    required('POST /account/totp/confirm', ['code'])
    required('POST /account/passkeys', ['response'])
    required('PUT /account/passkeys/{id}', ['name'])
    required('POST /sessions/passkey', ['response'])
  })

  it('documents the session cookie: the scheme, and the Set-Cookie of every sign-in and sign-out', () => {
    assert.match(document.components.securitySchemes.sessionCookie.description, /HttpOnly/)
    const setting: string[] = []
    const clearing: string[] = []
    for (const [name, operation] of operationsOf(document)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const header = response.headers?.['Set-Cookie']
        if (header === undefined) continue
        assert.ok(Number(status) < 400, `${name} ${status}`)
        assert.equal(header.schema.type, 'string')
        assert.match(header.description ?? '', /session_id/)
        if (header.schema.pattern === '^session_id=;') clearing.push(`${name} ${status}`)
        else setting.push(`${name} ${status}`)
      }
    }
    assert.deepEqual(setting.sort(), ['POST /sessions 200', 'POST /sessions/mfa 200', 'POST /sessions/passkey 200'])
    assert.deepEqual(clearing.sort(), ['DELETE /account/sessions/{id} 200', 'DELETE /sessions 200', 'DELETE /sessions 204', 'DELETE /sessions 302', 'DELETE /users/{id} 200'])
    for (const name of ['POST /sessions', 'POST /sessions/mfa', 'POST /sessions/passkey']) {
      assert.match(operationsOf(document).find(([n]) => n === name)?.[1].responses['200']?.headers?.['Set-Cookie']?.description ?? '', /HttpOnly; SameSite=Lax/, name)
    }
  })

  it('has its licence (package.json\'s) and a description in info', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { license: string, version: string }
    assert.deepEqual(document.info.license, { name: pkg.license, identifier: pkg.license })
    assert.equal(document.info.version, pkg.version)
    assert.match(document.info.description, /session_id/)
    assert.deepEqual(document.servers, [{ url: server.config.publicUrl, description: 'This service (PUBLIC_URL)' }])
  })

  it('is clean under Redocly\'s recommended rules: no error, no warning', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'authsvc-openapi-'))
    try {
      const file = path.join(folder, 'openapi.json')
      await writeFile(file, JSON.stringify(document))
      const { status, output } = lintOpenApi(file, 'pipe')
      assert.equal(status, 0, output)
      assert.match(output, /Your API description is valid/, output)
      assert.doesNotMatch(output, /You have \d+ warnings?/, output)
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  })

  it('names its shared schemas as components', () => {
    for (const name of ['Error', 'Message', 'EmailMessage', 'User']) assert.ok(document.components.schemas[name] !== undefined, name)
    assert.deepEqual(document.paths['/profile']?.get?.responses['200']?.content?.['application/json']?.schema, { $ref: '#/components/schemas/User' })
  })

  it('documents the replies the service really sends, status and body', async () => {
    const validator = new Validator()
    await validator.validate(structuredClone(document))
    const resolved = validator.resolveRefs() as Document
    const ajv = new Ajv2020({ strict: false, allErrors: true })
    const seen: string[] = []
    const cookies: string[] = []
    function check (method: string, path: string, reply: Reply): void {
      const operation = resolved.paths[path]?.[method.toLowerCase()]
      const name = `${method} ${path} → ${reply.status}`
      seen.push(name)
      assert.ok(operation !== undefined, `${method} ${path} is documented`)
      const documented = operation.responses[String(reply.status)]
      assert.ok(documented !== undefined, `${name}: the status is documented`)
      // A Set-Cookie the reply carries is documented, and matches what the document says.
      const cookie = reply.headers.get('set-cookie')
      if (cookie !== null) {
        const header = documented.headers?.['Set-Cookie']
        assert.ok(header !== undefined, `${name}: its Set-Cookie (${cookie}) is documented`)
        assert.match(cookie, new RegExp(header.schema.pattern ?? '$^'), name)
        assert.match(cookie, /; HttpOnly; SameSite=Lax$/, name)
        cookies.push(name)
      }
      const schema = documented.content?.['application/json']?.schema
      if (reply.body === undefined) return
      assert.ok(schema !== undefined, `${name}: a body is documented`)
      assert.ok(ajv.validate(schema, reply.body), `${name}: ${JSON.stringify(reply.body)} against ${JSON.stringify(schema)}: ${ajv.errorsText()}`)
      // An error's code is one the status's description lists (made from the error table).
      if (reply.status >= 400) {
        const codes = (documented.description ?? '').split('\n').map(line => /^- `([a-z_]+)`:/.exec(line)?.[1])
        const { code } = reply.body as { code?: string }
        assert.ok(codes.includes(code), `${name}: ${String(code)} is among the documented ${codes.join(', ')}`)
      }
    }

    const email = uniqueEmail('openapi')
    check('GET', '/', await request(server, 'GET', '/'))
    check('POST', '/users', await request(server, 'POST', '/users', { email, password: PASSWORD }))
    check('POST', '/users', await request(server, 'POST', '/users', { email, password: PASSWORD }))
    check('POST', '/users', await request(server, 'POST', '/users', { email: 'a@b.co', password: 'x'.repeat(70_000) }))
    check('POST', '/users', await request(server, 'POST', '/users', { email: 'a@b.co', password: PASSWORD }, { headers: { origin: 'https://evil.example' } }))
    check('POST', '/sessions', await request(server, 'POST', '/sessions', { email, password: 'wrong password here' }))
    const login = await request(server, 'POST', '/sessions', { email, password: PASSWORD })
    check('POST', '/sessions', login)
    const token = sessionCookie(login)
    check('GET', '/profile', await request(server, 'GET', '/profile', undefined, { session: token }))
    check('GET', '/profile', await request(server, 'GET', '/profile'))
    const { id } = (await request(server, 'GET', '/profile', undefined, { session: token })).body
    check('GET', '/users/{id}', await request(server, 'GET', `/users/${String(id)}`, undefined, { session: token }))
    check('GET', '/users/{id}', await request(server, 'GET', `/users/${String(id + 1)}`, undefined, { session: token }))
    check('PUT', '/users/{id}', await request(server, 'PUT', `/users/${String(id)}`, { id: '7' }, { session: token }))
    check('PUT', '/users/{id}', await request(server, 'PUT', `/users/${String(id)}`, { password: 'a new long passphrase', current_password: 'wrong one!' }, { session: token }))
    check('PUT', '/users/{id}', await request(server, 'PUT', `/users/${String(id)}`, { email: uniqueEmail('moved') }, { session: token }))
    check('POST', '/reset_password', await request(server, 'POST', '/reset_password', { email }))
    check('PUT', '/reset_password', await request(server, 'PUT', '/reset_password', { email, reset_token: 'x'.repeat(43), new_password: 'another long passphrase' }))
    check('PUT', '/reset_password', await request(server, 'PUT', '/reset_password', { email }, { encoding: 'json' }))
    check('DELETE', '/sessions', await request(server, 'DELETE', '/sessions', undefined, { session: token, headers: { prefer: 'return=minimal' } }))
    const other = await signUp(server)
    check('DELETE', '/sessions', await request(server, 'DELETE', '/sessions', undefined, { session: other.token }))
    const again = sessionCookie(await request(server, 'POST', '/sessions', { email: other.email, password: PASSWORD }))
    const sessions = (await request(server, 'GET', '/account/sessions', undefined, { session: again })).body.sessions as Array<{ id: string, current: boolean }>
    const current = sessions.find(session => session.current)?.id ?? ''
    check('DELETE', '/account/sessions/{id}', await request(server, 'DELETE', `/account/sessions/${current}`, undefined, { session: again }))
    const last = sessionCookie(await request(server, 'POST', '/sessions', { email: other.email, password: PASSWORD }))
    check('DELETE', '/users/{id}', await request(server, 'DELETE', `/users/${String(other.id)}`, undefined, { session: last }))
    assert.ok(seen.length >= 20, seen.join('\n'))
    assert.deepEqual(cookies, ['POST /sessions → 200', 'DELETE /sessions → 204', 'DELETE /sessions → 200', 'DELETE /account/sessions/{id} → 200', 'DELETE /users/{id} → 200'])
  })
})

describe('the API reference page', () => {
  const BRAND = 'Acme <Sign-in> & "Co"'
  let server: TestServer
  before(async () => { server = await startServer({ BRAND_NAME: BRAND }) })
  after(async () => { await server.close() })

  it('is served at /docs with every script and style from this origin, nothing inline', async () => {
    const page = await fetch(`${server.url}/docs/`)
    assert.equal(page.status, 200)
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/)
    const csp = page.headers.get('content-security-policy') ?? ''
    assert.match(csp, /script-src 'self'(;|$)/)
    assert.match(csp, /style-src 'self'(;|$)/)
    assert.doesNotMatch(csp, /https?:|\*|unsafe-|data:.*data:/)
    const html = await page.text()
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map(match => match[1] ?? '')
    assert.ok(assets.length >= 3, html)
    for (const asset of assets) {
      assert.doesNotMatch(asset, /^(?:https?:)?\/\//, `${asset} is local`)
      const reply = await fetch(new URL(asset, `${server.url}/docs/`))
      assert.equal(reply.status, 200, asset)
    }
    const initializer = await (await fetch(`${server.url}/docs/static/swagger-initializer.js`)).text()
    assert.match(initializer, /validatorUrl: null,/, 'no online validator')
    assert.match(initializer, /url: resolveUrl\('\.\/json'\)/, 'the document comes from this origin')
  })
  it('is titled with BRAND_NAME, has our icon and neither Swagger\'s logo nor its top bar', async () => {
    const html = await (await fetch(`${server.url}/docs/`)).text()
    assert.match(html, /<title>Acme &#60;Sign-in&#62; &#38; &#34;Co&#34; API reference<\/title>/)
    assert.doesNotMatch(html, /Swagger UI|<Sign-in>|logo\.svg|favicon-(16|32)/)
    const icon = /<link rel="icon" type="image\/svg\+xml" href="([^"]+)"/.exec(html)?.[1]
    assert.ok(icon !== undefined, html)
    const reply = await fetch(new URL(icon, `${server.url}/docs/`))
    assert.equal(reply.headers.get('content-type'), 'image/svg+xml')
    assert.match(await reply.text(), /^<svg /)
    const initializer = await (await fetch(`${server.url}/docs/static/swagger-initializer.js`)).text()
    assert.match(initializer, /"layout":"BaseLayout"/, 'the layout without the top bar')
    const swaggerLogo = await readFile(new URL('../node_modules/@fastify/swagger-ui/static/logo.svg', import.meta.url))
    assert.ok(!initializer.includes(swaggerLogo.toString('base64')), 'Swagger\'s logo is nowhere in the page')
  })

  it('renders every operation in Chromium with nothing refused by its CSP', async () => {
    const served = (await request(server, 'GET', '/openapi.json')).body as Document
    const browser = await launchChromium()
    try {
      const page = await browser.newPage()
      const refused: string[] = []
      page.on('console', message => { if (message.type() === 'error') refused.push(message.text()) })
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', event => { console.error(`CSP refused ${event.violatedDirective}: ${event.blockedURI}`) })
      })
      await page.goto(`${server.url}/docs/`)
      await page.locator('.opblock').first().waitFor()
      assert.equal(await page.locator('.opblock').count(), operationsOf(served).length)
      assert.equal(await page.locator('.topbar').count(), 0)
      // Open one operation: its parameters, body and responses render too.
      await page.locator('.opblock-summary').first().click()
      await page.locator('.responses-wrapper').first().waitFor()
      assert.match(await page.title(), /^Acme <Sign-in> & "Co" API reference$/)
      assert.deepEqual(refused, [])
    } finally {
      await browser.close()
    }
  })
})
