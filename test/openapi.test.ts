// The OpenAPI document: valid OpenAPI 3.1, complete (every registered route, and no route
// that is not), and true: the replies the service really sends match the schemas it
// documents for their status. The reference page at /docs loads nothing from elsewhere.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Validator } from '@seriousme/openapi-schema-validator'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { PASSWORD, type Reply, request, sessionCookie, signUp, startServer, type TestServer, uniqueEmail } from './support/server.js'

interface Operation {
  operationId?: string
  summary?: string
  tags?: string[]
  security?: unknown[]
  requestBody?: { content: Record<string, unknown> }
  responses: Record<string, { description?: string, content?: { 'application/json'?: { schema: object } } }>
}
type Document = { paths: Record<string, Record<string, Operation>> } & Record<string, any>

// The documentation's own routes (HTML, assets, the document itself) are not API
// operations, nor is /metrics (Prometheus text for scrapers, not JSON).
const DOCUMENTATION = /^\/(?:docs(?:\/.*)?|openapi\.json|metrics)$/

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
      // The hosted pages (/ui/…) are HTML for people, documented in the README, not API operations.
      .filter(({ method, path }) => method !== 'HEAD' && !DOCUMENTATION.test(path) && !path.startsWith('/ui'))
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
    assert.equal(document.paths['/']?.get?.security, undefined, 'GET / needs no session')
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
    function check (method: string, path: string, reply: Reply): void {
      const operation = resolved.paths[path]?.[method.toLowerCase()]
      const name = `${method} ${path} → ${reply.status}`
      seen.push(name)
      assert.ok(operation !== undefined, `${method} ${path} is documented`)
      const documented = operation.responses[String(reply.status)]
      assert.ok(documented !== undefined, `${name}: the status is documented`)
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
    check('DELETE', '/users/{id}', await request(server, 'DELETE', `/users/${String(other.id)}`, undefined, { session: again }))
    assert.ok(seen.length >= 20, seen.join('\n'))
  })
})

describe('the API reference page', () => {
  let server: TestServer
  before(async () => { server = await startServer() })
  after(async () => { await server.close() })

  it('is served at /docs with every script and style from this origin', async () => {
    const page = await fetch(`${server.url}/docs/`)
    assert.equal(page.status, 200)
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/)
    const csp = page.headers.get('content-security-policy') ?? ''
    assert.match(csp, /script-src 'self'(;|$)/)
    assert.doesNotMatch(csp, /https?:|\*/)
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
})
