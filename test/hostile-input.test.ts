import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { rawRequest, type Reply, request, signUp, startServer, type TestServer } from './support/server.js'

const ROUTES: Array<[string, string]> = [
  ['POST', '/users'], ['POST', '/sessions'], ['DELETE', '/sessions'], ['GET', '/profile'],
  ['POST', '/reset_password'], ['PUT', '/reset_password'], ['GET', '/users/:id'], ['PUT', '/users/:id'], ['DELETE', '/users/:id']
]

const STRINGS = [
  "' OR '1'='1' --", 'a@b.co\'; DROP TABLE users; --', '"; SELECT * FROM sessions; --', '%00', '\u0000',
  'a@b.co\r\nBcc: victim@example.com', '\u202eevil@example.com', 'zero\u200bwidth@example.com', '😀@😀.de',
  'e\u0301\u0301\u0301@example.com', '<script>alert(1)</script>', '${jndi:ldap://x}', '../../etc/passwd', 'x'.repeat(20000)
]
const VALUES: unknown[] = [null, true, 0, -1, 1e308, [], ['a', 'b'], {}, { $ne: null }, { toString: 'x' }]

function assertClean (reply: Reply, what: string): void {
  assert.ok(reply.status >= 200 && reply.status < 500, `${what}: status ${reply.status} ${reply.text.slice(0, 200)}`)
  if (reply.status !== 204) {
    assert.match(reply.headers.get('content-type') ?? '', /^application\/json/, what)
    assert.equal(typeof reply.body, 'object', what)
  }
  if (reply.status >= 400) {
    assert.equal(typeof reply.body.message, 'string', what)
    assert.doesNotMatch(reply.text, /at \w+ \(|node_modules|SQLITE|stack/i, `${what}: leaks internals`)
  }
}

describe('hostile input', () => {
  let server: TestServer
  before(async () => { server = await startServer() })
  after(async () => { await server.close() })

  it('injection strings and unicode in every field of every route are answered cleanly', async () => {
    for (const [method, route] of ROUTES) {
      // A user of its own per route: DELETE /sessions and DELETE /users/:id end theirs.
      const user = await signUp(server)
      const path = route.replace(':id', String(user.id))
      for (const value of STRINGS) {
        for (const encoding of ['form', 'json'] as const) {
          const body = method === 'GET' ? undefined : { email: value, password: value, hashed_password: value, reset_token: value, new_password: value, current_password: value }
          assertClean(await request(server, method, path, body, { encoding, session: user.token, transport: 'header' }), `${method} ${path} ${JSON.stringify(value).slice(0, 40)}`)
        }
      }
    }
  })

  it('values of every JSON type in every field are a 400 naming the field', async () => {
    const user = await signUp(server)
    for (const [method, route] of ROUTES.filter(([m]) => m === 'POST' || m === 'PUT')) {
      const path = route.replace(':id', String(user.id))
      for (const value of VALUES) {
        const reply = await request(server, method, path, { email: value, password: value, new_password: value, reset_token: value }, { encoding: 'json', session: user.token })
        assertClean(reply, `${method} ${path} ${JSON.stringify(value)}`)
        assert.equal(reply.status, 400, `${method} ${path} ${JSON.stringify(value)}`)
        assert.match(reply.body.message, /^(email|password|new_password|reset_token|request body)\b/, `${method} ${path} ${JSON.stringify(value)}`)
      }
    }
    const profile = await request(server, 'GET', '/profile', undefined, { session: user.token })
    assert.deepEqual(profile.body, { email: user.email, id: user.id }, 'nothing was changed')
  })

  it('prototype-poisoning JSON is refused', async () => {
    for (const payload of ['{"__proto__": {"admin": true}, "email": "a@b.co", "password": "long enough pw"}',
      '{"constructor": {"prototype": {"admin": true}}, "email": "a@b.co", "password": "long enough pw"}']) {
      const reply = await rawRequest(server, 'POST', '/users', payload, { 'content-type': 'application/json' })
      assertClean(reply, payload)
      assert.equal(reply.status, 400)
    }
    assert.equal(({} as Record<string, unknown>).admin, undefined)
  })

  it('broken encodings, charsets and headers never reach a 500', async () => {
    const cases: Array<[string, string | undefined, Record<string, string>]> = [
      ['POST', 'email=%zz&password=%', { 'content-type': 'application/x-www-form-urlencoded' }],
      ['POST', 'email=a%40b.co&email=c%40d.co&password=x', { 'content-type': 'application/x-www-form-urlencoded' }],
      ['POST', '\xff\xfe{"email":1}', { 'content-type': 'application/json' }],
      ['POST', '{"email":"a@b.co"}', { 'content-type': 'application/json; charset=utf-16' }],
      ['POST', '{"email":"a@b.co"}', { 'content-type': 'application/xml' }],
      ['POST', '{"email":"a@b.co"}', { 'content-type': 'multipart/form-data; boundary=x' }],
      ['GET', undefined, { cookie: 'session_id=%%%; session_id=x; =; ;;' }],
      ['GET', undefined, { cookie: `session_id=${'A'.repeat(8000)}` }],
      ['GET', undefined, { 'x-session-id': 'A'.repeat(8000) }],
      ['GET', undefined, { 'x-session-id': "' OR 1=1 --" }],
      ['DELETE', undefined, { prefer: 'return=minimal', 'x-session-id': 'nope' }]
    ]
    for (const [method, payload, headers] of cases) {
      for (const path of ['/users', '/sessions', '/profile', '/reset_password']) {
        const reply = await rawRequest(server, method, path, payload, headers)
        if (reply.status === 404) continue // that method is not a route on this path
        assertClean(reply, `${method} ${path} ${JSON.stringify(headers)}`)
      }
    }
  })

  it('the server answers normally after all of it', async () => {
    const reply = await request(server, 'GET', '/')
    assert.deepEqual([reply.status, reply.body], [200, { message: 'Bienvenue' }])
  })
})
