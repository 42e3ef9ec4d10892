// The error table (src/error-codes.ts) is the only source: the names of AuthError and
// HttpError are its rows, classifyError turns any thrown value into one of them, and the
// OpenAPI document describes each error status of a route with the rows the route
// declared (errors(...)) and its hooks added: no more, no fewer. No row of the domain is
// dead: some route answers it. And the codes a route documents are the ones it answers.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { AuthError, type AuthErrorCode } from '../src/auth/errors.js'
import { describeErrors, type ErrorName, ERRORS } from '../src/error-codes.js'
import { classifyError } from '../src/http/errors.js'
import { HttpError, type HttpErrorCode } from '../src/http/http-error.js'
import { PASSWORD, request, signUp, signUpVerified, startServer, type TestServer } from './support/server.js'

interface Response { description: string, content?: { 'application/json'?: { schema?: { $ref?: string } } } }
interface Operation { security?: unknown[], requestBody?: unknown, responses: Record<string, Response> }
type Document = { paths: Record<string, Record<string, Operation>> }

const NAMES = Object.keys(ERRORS) as ErrorName[]
const namesOf = (part: string): ErrorName[] => NAMES.filter(name => ERRORS[name].part === part)
const isErrorReply = (response: Response | undefined): boolean => response?.content?.['application/json']?.schema?.$ref === '#/components/schemas/Error'
const toOpenApiPath = (url: string): string => url.replace(/:([A-Za-z_]+)/g, '{$1}')

/** The codes and messages a documented error status lists, one per line. */
function listed (description: string): Array<{ code: string, message: string }> {
  return description.split('\n').map(line => {
    const match = /^- `([a-z_]+)`: (.+)$/.exec(line)
    assert.ok(match !== null, `a line of the table: ${JSON.stringify(line)}`)
    return { code: match[1] ?? '', message: match[2] ?? '' }
  })
}

describe('the error table', () => {
  it('gives every row a part, an error status, a snake_case code and a message', () => {
    for (const name of NAMES) {
      const { part, status, code, message } = ERRORS[name]
      assert.ok(['domain', 'http', 'framework'].includes(part), name)
      assert.ok(status >= 400 && status < 600, name)
      assert.match(code, /^[a-z]+(?:_[a-z]+)*$/, name)
      assert.ok(message.length > 0, name)
    }
  })

  it('is where AuthError and HttpError take their names, statuses, codes and messages', () => {
    for (const name of namesOf('domain')) {
      assert.deepEqual(classifyError(new AuthError(name as AuthErrorCode)), { name, status: ERRORS[name].status, code: ERRORS[name].code, message: ERRORS[name].message, retryAfterSeconds: undefined })
    }
    for (const name of namesOf('http')) {
      assert.deepEqual(classifyError(new HttpError(name as HttpErrorCode)), { name, status: ERRORS[name].status, code: ERRORS[name].code, message: ERRORS[name].message, retryAfterSeconds: undefined })
    }
    assert.deepEqual(namesOf('http').sort(), ['CROSS_SITE', 'IP_RATE_LIMITED', 'NO_SESSION'])
  })
})

describe('classifyError', () => {
  it('keeps the message and the wait of a domain error', () => {
    assert.deepEqual(classifyError(new AuthError('RATE_LIMITED', 'too many failed logins for this email; try again later', 30)),
      { name: 'RATE_LIMITED', status: 429, code: 'rate_limited', message: 'too many failed logins for this email; try again later', retryAfterSeconds: 30 })
  })

  it('names the field of a schema failure', () => {
    const error = Object.assign(new Error('body must have required property email'), { statusCode: 400, validation: [{ keyword: 'required', instancePath: '', params: { missingProperty: 'email' } }] })
    assert.deepEqual(classifyError(error), { name: 'INVALID_FIELD', status: 400, code: 'invalid_field', message: 'email is required' })
  })

  it('keeps the status of Fastify\'s own 4xx errors, in words of this API', () => {
    const unsupported = Object.assign(new Error('Unsupported Media Type: text/plain'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' })
    assert.deepEqual(classifyError(unsupported), { name: 'UNSUPPORTED_MEDIA_TYPE', status: 415, code: 'unsupported_media_type', message: ERRORS.UNSUPPORTED_MEDIA_TYPE.message })
    const badJson = Object.assign(new Error('Unexpected token'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' })
    assert.deepEqual(classifyError(badJson), { name: 'BAD_REQUEST', status: 400, code: 'bad_request', message: 'request body is not valid JSON' })
    const formToken = Object.assign(new Error('Invalid csrf token'), { statusCode: 403, code: 'FST_CSRF_INVALID_TOKEN' })
    assert.equal(classifyError(formToken).name, 'CROSS_SITE')
  })

  it('answers an unreachable database with 503 and a wait, and anything else with a bare 500', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
    assert.deepEqual(classifyError(refused), { name: 'DATABASE_UNAVAILABLE', status: 503, code: 'unavailable', message: ERRORS.DATABASE_UNAVAILABLE.message, retryAfterSeconds: 2 })
    for (const thrown of [new Error('secret internals'), 'a string', null, Object.assign(new Error('odd'), { code: 42 })]) {
      assert.deepEqual(classifyError(thrown), { name: 'INTERNAL', status: 500, code: 'internal_error', message: 'internal server error' }, String(thrown))
    }
  })
})

describe('the error replies of the routes', () => {
  let server: TestServer
  let document: Document
  let routes: ReturnType<TestServer['app']['errorReplies']>
  before(async () => {
    server = await startServer()
    document = (await request(server, 'GET', '/openapi.json')).body
    routes = server.app.errorReplies()
  })
  after(async () => { await server.close() })

  function operationOf (method: string, url: string): Operation {
    const operation = document.paths[toOpenApiPath(url)]?.[method.toLowerCase()]
    assert.ok(operation !== undefined, `${method} ${url} is documented`)
    return operation
  }

  it('are described from the table: each status lists the codes of the names declared for it, and no other', () => {
    assert.ok(routes.length >= 30, `the routes were read: ${routes.length}`)
    for (const { method, url, replies } of routes) {
      const operation = operationOf(method, url)
      for (const [status, names] of replies) {
        const name = `${method} ${url} ${status}`
        assert.ok(names.length > 0, name)
        for (const error of names) assert.equal(ERRORS[error].status, status, `${name}: ${error} is a row of this status`)
        const response = operation.responses[String(status)]
        assert.ok(isErrorReply(response), `${name} is documented with the Error schema`)
        assert.equal(response?.description, describeErrors(names), name)
        const documented = listed(response?.description ?? '')
        assert.deepEqual(new Set(documented.map(item => item.code)), new Set(names.map(error => ERRORS[error].code)), name)
        for (const { code, message } of documented) {
          assert.ok(names.some(error => ERRORS[error].code === code && ERRORS[error].message === message), `${name}: ${code}: ${message} is a row it declared`)
        }
      }
      // Every error status the document has for the route is one of those.
      for (const [status, response] of Object.entries(operation.responses)) {
        if (isErrorReply(response)) assert.ok(replies.has(Number(status)), `${method} ${url} ${status} comes from declared names`)
      }
    }
  })

  it('include the refusals of the hooks: session, cross-site check, body parsing and validation, the database', () => {
    for (const { method, url, replies } of routes) {
      const operation = operationOf(method, url)
      const has = (status: number, error: ErrorName): boolean => replies.get(status)?.includes(error) === true
      const name = `${method} ${url}`
      // security [] marks a public operation (plugins/openapi.ts).
      if (operation.security !== undefined && operation.security.length > 0) {
        assert.ok(has(403, 'NO_SESSION'), `${name}: no session`)
        assert.ok(has(503, 'DATABASE_UNAVAILABLE'), `${name}: the session is read from the database`)
      }
      if (method !== 'GET') assert.ok(has(403, 'CROSS_SITE'), `${name}: the cross-site check`)
      if (operation.requestBody !== undefined) {
        for (const [status, error] of [[400, 'INVALID_FIELD'], [400, 'BAD_REQUEST'], [413, 'PAYLOAD_TOO_LARGE'], [415, 'UNSUPPORTED_MEDIA_TYPE']] as const) {
          assert.ok(has(status, error), `${name}: ${error}`)
        }
      }
      if ([...replies.values()].flat().some(error => ERRORS[error].part === 'domain')) assert.ok(has(503, 'DATABASE_UNAVAILABLE'), `${name} reads the database`)
    }
    // The routes that never reach the database do not say they might.
    for (const [method, url] of [['GET', '/'], ['GET', '/health/alive']]) {
      assert.equal(routes.find(route => route.method === method && route.url === url)?.replies.size, 0, `${method} ${url}`)
    }
    for (const url of ['/users', '/sessions', '/reset_password']) {
      assert.ok(routes.find(route => route.method === 'POST' && route.url === url)?.replies.get(429)?.includes('IP_RATE_LIMITED'), `POST ${url}: the per-IP limit`)
    }
  })

  it('declare every row of the domain somewhere: the table has no dead row', () => {
    const declared = new Set(routes.flatMap(({ replies }) => [...replies.values()].flat()))
    // Rows only a page shows (a provider's callback) are the pages': their texts are the catalogue's.
    const dead = namesOf('domain').filter(name => !declared.has(name) && !('page' in ERRORS[name]))
    assert.deepEqual(dead, [], `rows of the domain no route answers: ${dead.join(', ')}`)
  })

  it('are what the service really answers', async () => {
    async function answered (method: string, url: string, path: string, body?: Record<string, unknown>, session?: string): Promise<string> {
      const reply = await request(server, method, path, body, { session, encoding: 'json' })
      const route = routes.find(candidate => candidate.method === method && candidate.url === url)
      const names = route?.replies.get(reply.status) ?? []
      assert.ok(names.some(error => ERRORS[error].code === reply.body?.code), `${method} ${path} → ${reply.status} ${reply.text}: declared (${names.join(', ')})`)
      const description = operationOf(method, url).responses[String(reply.status)]?.description ?? ''
      assert.ok(listed(description).some(item => item.code === reply.body.code), `${method} ${path}: ${reply.body.code} is in the description of ${reply.status}`)
      return `${reply.status} ${String(reply.body.code)}`
    }
    const { token } = await signUpVerified(server)
    assert.equal(await answered('POST', '/account/passkeys', '/account/passkeys', { response: { id: 'x', rawId: 'x', type: 'public-key', response: { clientDataJSON: 'not json' } } }, token), '400 invalid_passkey')
    assert.equal(await answered('POST', '/account/totp/confirm', '/account/totp/confirm', { code: '123456' }, token), '400 totp_not_enabled')
    assert.equal(await answered('POST', '/account/totp', '/account/totp', { current_password: 'not the password' }, token), '403 invalid_credentials')
    assert.equal(await answered('PUT', '/account', '/account', { language: 'xx' }, token), '400 invalid_field')
    assert.equal(await answered('GET', '/account/events', '/account/events?limit=0', undefined, token), '400 invalid_field')
    assert.equal(await answered('DELETE', '/account/sessions/:id', '/account/sessions/nope', undefined, token), '404 not_found')
    assert.equal(await answered('DELETE', '/account/passkeys/:id', '/account/passkeys/nope', undefined, token), '404 not_found')
    assert.equal(await answered('POST', '/account/verify_email', '/account/verify_email', undefined, 'not a session'), '403 forbidden')
    assert.equal(await answered('POST', '/email_change/confirm', '/email_change/confirm', { token: 'x'.repeat(43) }), '403 invalid_token')
    assert.equal(await answered('POST', '/sessions/mfa', '/sessions/mfa', { mfa_token: 'x'.repeat(43), code: '123456' }), '401 invalid_code')
    assert.equal(await answered('POST', '/sessions/passkey', '/sessions/passkey', { response: { id: 'x', rawId: 'x', type: 'public-key', response: { clientDataJSON: 'x' } } }), '401 invalid_credentials')
    const { email } = await signUp(server)
    assert.equal(await answered('POST', '/users', '/users', { email, password: PASSWORD }), '400 email_taken')
  })
})
