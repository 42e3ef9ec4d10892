// Property-based tests (fast-check): arbitrary bodies, content types, headers, session
// ids and path parameters sent to every operation of the service's own OpenAPI document
// (support/operations.ts: a new route is covered with nothing to edit) over real HTTP
// (node:http, so repeated headers, raw bytes and unencoded paths get through). Whatever
// arrives, the service answers within 10 s, without a 5xx, in JSON (an object; 4xx with a
// string `message` and `code`), except a bodiless 204.
//
// fast-check prints the seed and path of a failure; to replay one, run with FC_SEED=<seed>.
import assert from 'node:assert/strict'
import { after, before, describe, it, type TestContext } from 'node:test'
import fc from 'fast-check'
import { describeOperation, documentedOperations, type Operation } from './support/operations.js'
import { type RawReply, sendRaw } from './support/raw-http.js'
import { PASSWORD, request, signUp, startServer, type TestServer, uniqueEmail } from './support/server.js'

const SEED = process.env.FC_SEED === undefined || process.env.FC_SEED === '' ? undefined : Number(process.env.FC_SEED)
if (SEED !== undefined && !Number.isInteger(SEED)) throw new Error(`FC_SEED must be an integer, not ${String(process.env.FC_SEED)}`)
if (SEED !== undefined) console.log(`fast-check seed (FC_SEED): ${SEED}`)

// ---------------------------------------------------------------- what is generated

type Route = Operation

// Runs per operation (there are some 35): every one is covered, and the file stays quick.
const RUNS_PER_OPERATION = 20
const FIELD_RUNS_PER_OPERATION = 10
const FIELD_NAMES = ['email', 'password', 'hashed_password', 'new_password', 'reset_token', 'current_password'] as const

// Stand-ins, resolved when the request is sent, for what a signed-in test user really has.
const OWN_EMAIL = Symbol('own email')
const OWN_PASSWORD = Symbol('own password')

const TOKEN_CHARS = '!#$%&\'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('')
const BASE64URL_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('')
const charIn = (from: number, to: number): fc.Arbitrary<string> => fc.integer({ min: from, max: to }).map(code => String.fromCharCode(code))

/** A header value node:http (and fetch) will send: tab, printable ASCII, Latin-1 0x80–0xFF. */
const headerValue = (maxLength = 40): fc.Arbitrary<string> => fc.string({
  unit: fc.oneof({ arbitrary: charIn(0x20, 0x7e), weight: 12 }, { arbitrary: charIn(0x80, 0xff), weight: 2 }, { arbitrary: fc.constant('\t'), weight: 1 }),
  maxLength
})
/** A long header value, 2,000 to 20,000 characters: past 16 KiB of headers Node answers 431. */
const longHeaderValue = fc.tuple(headerValue(8), fc.integer({ min: 2000, max: 20_000 })).map(([unit, length]) => (unit === '' ? 'A' : unit).repeat(length).slice(0, length))
const headerToken = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 20 })
/** 43 base64url characters: the shape of a real session token, so it reaches the database. */
const wellFormedToken = fc.string({ unit: fc.constantFrom(...BASE64URL_CHARS), minLength: 43, maxLength: 43 })
const loneSurrogates = fc.string({ unit: charIn(0xd800, 0xdfff), minLength: 1, maxLength: 4 })

const anyString = fc.oneof(
  { arbitrary: fc.string(), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary' }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary-ascii' }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme' }), weight: 1 },
  { arbitrary: fc.tuple(fc.string(), loneSurrogates, fc.string()).map(parts => parts.join('')), weight: 1 }
)
const plausibleEmail = fc.tuple(
  fc.constantFrom('', ' ', '\t', '\n'),
  fc.stringMatching(/^[a-zA-Z0-9._%+-]{1,20}$/),
  fc.constantFrom('example.com', 'EXAMPLE.com', 'b.co', 'example', 'ex--ample.org', '-x.com', 'x..com', '[127.0.0.1]'),
  fc.constantFrom('', ' ', '\u00a0', '\u0000')
).map(([lead, local, domain, trail]) => `${lead}${local}@${domain}${trail}`)
const plausiblePassword = fc.oneof(
  fc.string({ minLength: 8, maxLength: 40 }),
  fc.string({ unit: 'grapheme', minLength: 8, maxLength: 20 }),
  fc.constantFrom('password', 'password123', '12345678', 'x'.repeat(1024), 'x'.repeat(1025), ' '.repeat(8), 'ﬀﬀﬀﬀ')
)
const fieldValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: anyString, weight: 5 },
  { arbitrary: fc.jsonValue(), weight: 3 },
  { arbitrary: plausibleEmail, weight: 2 },
  { arbitrary: plausiblePassword, weight: 2 },
  { arbitrary: wellFormedToken, weight: 1 },
  { arbitrary: fc.constantFrom<unknown>(OWN_EMAIL, OWN_PASSWORD), weight: 2 }
)
const fieldName = fc.oneof(
  { arbitrary: fc.constantFrom(...FIELD_NAMES), weight: 12 },
  { arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'id', 'password_hash', 'EMAIL', 'email ', ''), weight: 2 },
  { arbitrary: anyString, weight: 1 }
)

/** Field sets shaped like real requests (registration, login, reset, account change), so
 *  runs get past validation to hashing, the database and the session store. */
const emailish = fc.oneof({ arbitrary: plausibleEmail, weight: 3 }, { arbitrary: fc.constant<unknown>(OWN_EMAIL), weight: 2 }, { arbitrary: fieldValue, weight: 1 })
const passwordish = fc.oneof({ arbitrary: plausiblePassword, weight: 3 }, { arbitrary: fc.constant<unknown>(OWN_PASSWORD), weight: 2 }, { arbitrary: fieldValue, weight: 1 })
type Entries = ReadonlyArray<readonly [string, unknown]>
const credentials = fc.tuple(emailish, fc.constantFrom('password', 'hashed_password'), passwordish).map(([email, name, password]): Entries => [['email', email], [name, password]])
const SHAPES: Record<string, fc.Arbitrary<Entries>> = {
  'POST /users': credentials,
  'POST /sessions': fc.oneof(credentials, fc.constant<Entries>([['email', OWN_EMAIL], ['password', OWN_PASSWORD]])),
  'POST /reset_password': emailish.map((email): Entries => [['email', email]]),
  'PUT /reset_password': fc.tuple(emailish, fc.oneof(wellFormedToken, fieldValue), passwordish)
    .map(([email, token, password]): Entries => [['email', email], ['reset_token', token], ['new_password', password]]),
  'PUT /users/{id}': fc.oneof(
    emailish.map((email): Entries => [['email', email]]),
    fc.tuple(passwordish, passwordish).map(([password, current]): Entries => [['password', password], ['current_password', current]])
  )
}
/** The fields a route documents, any value in each. */
const documentedEntries = (route: Route): fc.Arbitrary<Entries> => route.bodyFields.length === 0
  ? credentials
  : fc.array(fc.tuple(fc.constantFrom(...route.bodyFields), fc.oneof(fieldValue, emailish, passwordish)), { minLength: 1, maxLength: route.bodyFields.length + 1 })
/** The fields a route reads, shaped like real requests, now and then with one field more. */
const requestShapedEntries = (route: Route): fc.Arbitrary<Entries> => fc.tuple(
  SHAPES[describeOperation(route)] ?? documentedEntries(route),
  fc.oneof({ arbitrary: fc.constant([]), weight: 5 }, { arbitrary: fc.array(fc.tuple(fieldName, fieldValue), { minLength: 1, maxLength: 1 }), weight: 1 })
).map(([entries, extra]) => [...entries, ...extra])

type Body =
  | { readonly kind: 'none' }
  | { readonly kind: 'json', readonly value: unknown }
  /** Fields (repeats allowed) sent as a JSON object or as form data. */
  | { readonly kind: 'fields', readonly encoding: 'json' | 'form', readonly entries: Entries }
  | { readonly kind: 'text', readonly text: string }
  | { readonly kind: 'bytes', readonly bytes: Uint8Array }
  /** Around the 64 KiB body limit. */
  | { readonly kind: 'large', readonly encoding: 'json' | 'form', readonly size: number }

const body: fc.Arbitrary<Body> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'none' as const }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('json' as const), value: fc.jsonValue() }), weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('fields' as const),
      encoding: fc.constantFrom('json' as const, 'form' as const),
      entries: fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 6 })
    }),
    weight: 8
  },
  { arbitrary: fc.record({ kind: fc.constant('text' as const), text: anyString }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 64 }) }), weight: 1 },
  {
    arbitrary: fc.record({ kind: fc.constant('large' as const), encoding: fc.constantFrom('json' as const, 'form' as const), size: fc.integer({ min: 60 * 1024, max: 70 * 1024 }) }),
    weight: 1
  }
)

const MEDIA_TYPES = [
  'application/json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data', 'multipart/form-data; boundary=----x',
  'application/xml', 'application/octet-stream', 'text/html', 'application/vnd.api+json', 'application/merge-patch+json', 'application/jsonx',
  'APPLICATION/JSON', 'Application/X-WWW-Form-Urlencoded', 'json', '*/*', 'application/', '/json', ';', ''
]
const CHARSETS = ['utf-8', 'UTF-8', '"utf-8"', 'utf-16', 'utf-16le', 'latin1', 'iso-8859-1', 'us-ascii', 'klingon', '']

/** 'natural' is what the body's kind implies; 'none' sends no Content-Type. */
type ContentType = 'natural' | 'none' | { readonly value: string }
const contentType: fc.Arbitrary<ContentType> = fc.oneof(
  { arbitrary: fc.constant('natural' as const), weight: 6 },
  { arbitrary: fc.constant('none' as const), weight: 1 },
  { arbitrary: fc.constantFrom(...MEDIA_TYPES).map(value => ({ value })), weight: 3 },
  {
    arbitrary: fc.tuple(fc.constantFrom(...MEDIA_TYPES), fc.constantFrom('; ', ';', ' ; '), fc.constantFrom(...CHARSETS))
      .map(([type, separator, charset]) => ({ value: `${type}${separator}charset=${charset}` })),
    weight: 2
  },
  { arbitrary: fc.tuple(fc.constantFrom(...MEDIA_TYPES), headerValue()).map(([type, rest]) => ({ value: `${type}${rest}` })), weight: 1 },
  { arbitrary: headerValue().map(value => ({ value })), weight: 1 }
)

type Session =
  | { readonly kind: 'none' }
  /** Cookie: session_id=<value> */
  | { readonly kind: 'cookie', readonly value: string }
  /** Cookie: <value> */
  | { readonly kind: 'cookie-header', readonly value: string }
  /** X-Session-ID: <value> */
  | { readonly kind: 'header', readonly value: string }
  | { readonly kind: 'both', readonly header: string, readonly cookie: string }
  /** The current test user's real token, with or without garbage in the other place. */
  | { readonly kind: 'valid', readonly transport: 'cookie' | 'header', readonly other?: string }
  /** The token of a session that was ended by an earlier run. */
  | { readonly kind: 'ended', readonly transport: 'cookie' | 'header' }

const sessionValue = fc.oneof({ arbitrary: headerValue(), weight: 4 }, { arbitrary: wellFormedToken, weight: 2 }, { arbitrary: longHeaderValue, weight: 1 })
const transport = fc.constantFrom('cookie' as const, 'header' as const)
const session: fc.Arbitrary<Session> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'none' as const }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('cookie' as const), value: sessionValue }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('cookie-header' as const), value: headerValue(80) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('header' as const), value: sessionValue }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('both' as const), header: sessionValue, cookie: sessionValue }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('valid' as const), transport }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('valid' as const), transport, other: headerValue() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('ended' as const), transport }), weight: 1 }
)

/** Every UTF-8 byte (lone surrogates become U+FFFD) outside the unreserved set as %XX. */
function percentEncode (text: string): string {
  return [...Buffer.from(text)].map(byte => /[A-Za-z0-9._~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('')
}

/** A path parameter ({id}): the current user's own id (for an integer one), or any text (encoded or raw). */
type UserId = { readonly kind: 'own' } | { readonly kind: 'given', readonly text: string }
const pathSafe = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit: charIn(0x21, 0x7e), maxLength })
const userId: fc.Arbitrary<UserId> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'own' as const }), weight: 4 },
  {
    arbitrary: fc.oneof(
      fc.integer().map(String),
      fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String),
      fc.constantFrom('0', '-1', '01', '1.0', '1e3', '0x1', '+1', 'NaN', 'Infinity', '9'.repeat(40), '%20', '%00', '.', '..', '%2e%2e', '%2F', '1%2F2', '%E0%A4%A', '%', '%%', ''),
      anyString.map(percentEncode),
      pathSafe(30)
    ).map(text => ({ kind: 'given' as const, text })),
    weight: 3
  }
)
const query = fc.oneof({ arbitrary: fc.constant(''), weight: 4 }, { arbitrary: pathSafe(30).map(text => `?${text}`), weight: 1 })

const KNOWN_HEADERS = [
  'prefer', 'cookie', 'x-session-id', 'content-type', 'accept', 'accept-encoding', 'accept-language', 'accept-version',
  'user-agent', 'origin', 'referer', 'authorization', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-real-ip',
  'forwarded', 'content-encoding', 'content-language', 'range', 'if-none-match', 'if-modified-since', 'cache-control', 'x-http-method-override'
]
// Framing and connection headers are the client's business here: a wrong Content-Length
// would only make the request hang. `Expect` has a property of its own below.
const NOT_GENERATED = new Set(['content-length', 'transfer-encoding', 'host', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'proxy-connection', 'http2-settings', 'expect'])
const preferValue = fc.oneof(
  { arbitrary: fc.constantFrom('return=minimal', 'return=representation', 'RETURN=MINIMAL', 'respond-async, return=minimal', 'return=minimal; x', 'return=minimalist', 'handling=strict'), weight: 3 },
  { arbitrary: headerValue(), weight: 1 }
)
const extraHeaders = fc.array(fc.oneof(
  { arbitrary: fc.tuple(fc.constantFrom(...KNOWN_HEADERS), fc.oneof({ arbitrary: headerValue(), weight: 6 }, { arbitrary: preferValue, weight: 1 }, { arbitrary: wellFormedToken.map(token => `session_id=${token}`), weight: 1 }, { arbitrary: longHeaderValue, weight: 1 })), weight: 4 },
  { arbitrary: fc.tuple(headerToken.filter(name => !NOT_GENERATED.has(name.toLowerCase())), headerValue()), weight: 1 },
  { arbitrary: fc.tuple(fc.constant('prefer'), preferValue), weight: 2 }
), { maxLength: 4 })

interface Case {
  readonly route: Route
  readonly id: UserId
  readonly query: string
  readonly body: Body
  readonly contentType: ContentType
  readonly session: Session
  readonly headers: ReadonlyArray<readonly [string, string]>
}

const anyCaseOf = (route: Route): fc.Arbitrary<Case> => fc.record({ route: fc.constant(route), id: userId, query, body, contentType, session, headers: extraHeaders })

// ---------------------------------------------------------------- the checks

function describeReply (reply: RawReply): string {
  return `${reply.status} content-type=${JSON.stringify(reply.headers['content-type'])} body=${JSON.stringify(reply.text.slice(0, 300))}`
}

/** The properties every answer must have, whatever was sent. */
function assertWellFormed (reply: RawReply, what: string): void {
  assert.ok(reply.status >= 200 && reply.status < 500, `${what}: a ${reply.status} answer: ${describeReply(reply)}`)
  if (reply.status === 204) {
    assert.equal(reply.text, '', `${what}: a 204 with a body: ${describeReply(reply)}`)
    return
  }
  assert.match(String(reply.headers['content-type'] ?? ''), /^application\/json/, `${what}: not JSON: ${describeReply(reply)}`)
  let parsed: unknown
  try {
    parsed = JSON.parse(reply.text)
  } catch {
    assert.fail(`${what}: the body does not parse as JSON: ${describeReply(reply)}`)
  }
  assert.ok(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed), `${what}: the body is not a JSON object: ${describeReply(reply)}`)
  if (reply.status >= 400) {
    assert.equal(typeof (parsed as { message?: unknown }).message, 'string', `${what}: a ${reply.status} without a string message: ${describeReply(reply)}`)
    assert.match(String((parsed as { code?: unknown }).code), /^[a-z_]+$/, `${what}: a ${reply.status} without a code: ${describeReply(reply)}`)
  }
}

// ---------------------------------------------------------------- the tests

interface Identity { readonly email: string, readonly password: string, readonly id: number, readonly token: string }

describe('property: any request to any route gets a well-formed answer', () => {
  let server: TestServer
  let routes: Route[]
  /** A signed-in user for 'own' ids, valid sessions and own credentials; made again once a run ends it. */
  let current: Identity | undefined
  const endedTokens: string[] = []
  /** status counts per route, to show what the runs reached */
  const statuses = new Map<string, Map<number, number>>()

  before(async () => {
    server = await startServer()
    routes = await documentedOperations(server)
  })
  after(async () => { await server.close() })

  async function identity (): Promise<Identity> {
    if (current === undefined) {
      const user = await signUp(server, uniqueEmail('property'), PASSWORD)
      current = { ...user, password: PASSWORD }
    }
    return current
  }

  function needsIdentity (c: Case): boolean {
    const inBody = c.body.kind === 'fields' && c.body.entries.some(([, value]) => value === OWN_EMAIL || value === OWN_PASSWORD)
    return inBody || c.session.kind === 'valid' || (c.route.pathParams.length > 0 && c.id.kind === 'own')
  }

  function resolveValue (value: unknown, me: Identity | undefined): unknown {
    if (value === OWN_EMAIL) return me?.email
    if (value === OWN_PASSWORD) return me?.password
    return value
  }

  function bodyBytes (b: Body, me: Identity | undefined): { bytes?: Buffer, type?: string } {
    switch (b.kind) {
      case 'none': return {}
      case 'json': return { bytes: Buffer.from(JSON.stringify(b.value)), type: 'application/json' }
      case 'fields':
        if (b.encoding === 'json') {
          // Written out by hand so that repeated names and "__proto__" go out as generated.
          const members = b.entries.map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(resolveValue(value, me))}`)
          return { bytes: Buffer.from(`{${members.join(',')}}`), type: 'application/json' }
        } else {
          const form = new URLSearchParams()
          for (const [name, value] of b.entries) {
            const resolved = resolveValue(value, me)
            for (const item of Array.isArray(resolved) ? resolved : [resolved]) form.append(name, typeof item === 'string' ? item : JSON.stringify(item))
          }
          return { bytes: Buffer.from(form.toString()), type: 'application/x-www-form-urlencoded' }
        }
      case 'text': return { bytes: Buffer.from(b.text), type: 'text/plain' }
      case 'bytes': return { bytes: Buffer.from(b.bytes), type: 'application/octet-stream' }
      case 'large':
        return b.encoding === 'json'
          ? { bytes: Buffer.from(`{"email":"${'a'.repeat(b.size)}@example.com"}`), type: 'application/json' }
          : { bytes: Buffer.from(`email=${'a'.repeat(b.size)}%40example.com`), type: 'application/x-www-form-urlencoded' }
    }
  }

  async function send (c: Case): Promise<{ reply: RawReply, what: string, me: Identity | undefined }> {
    const me = needsIdentity(c) ? await identity() : undefined
    // Raw: the given text is already what goes into the request line (encoded or not).
    let path = c.route.path
    for (const param of c.route.pathParams) path = path.replace(`{${param.name}}`, c.id.kind === 'given' ? c.id.text : param.type === 'integer' ? String(me?.id) : 'own')
    path += c.query
    // A Map: "__proto__" is a valid header name too.
    const headers = new Map<string, string[]>()
    const add = (name: string, value: string): void => {
      const key = name.toLowerCase()
      headers.set(key, [...headers.get(key) ?? [], value])
    }
    const { bytes, type } = bodyBytes(c.body, me)
    if (c.contentType === 'natural') {
      if (type !== undefined) add('content-type', type)
    } else if (c.contentType !== 'none') {
      add('content-type', c.contentType.value)
    }
    const s = c.session
    const ended = endedTokens.at(-1) ?? 'A'.repeat(43)
    switch (s.kind) {
      case 'none': break
      case 'cookie': add('cookie', `session_id=${s.value}`); break
      case 'cookie-header': add('cookie', s.value); break
      case 'header': add('x-session-id', s.value); break
      case 'both': add('x-session-id', s.header); add('cookie', `session_id=${s.cookie}`); break
      case 'ended': add(s.transport === 'cookie' ? 'cookie' : 'x-session-id', s.transport === 'cookie' ? `session_id=${ended}` : ended); break
      case 'valid': {
        const token = me?.token ?? ''
        if (s.transport === 'cookie') {
          add('cookie', `session_id=${token}`)
          if (s.other !== undefined) add('x-session-id', s.other)
        } else {
          add('x-session-id', token)
          if (s.other !== undefined) add('cookie', `session_id=${s.other}`)
        }
        break
      }
    }
    for (const [name, value] of c.headers) add(name, value)
    const what = `${c.route.method} ${path.slice(0, 120)}`
    const reply = await sendRaw(server.url, {
      method: c.route.method,
      path,
      headers: Object.fromEntries([...headers].map(([name, values]) => [name, values.length === 1 ? values[0] ?? '' : values])),
      body: bytes
    })
    return { reply, what, me }
  }

  function afterwards (c: Case, reply: RawReply, me: Identity | undefined): void {
    const route = describeOperation(c.route)
    const counts = statuses.get(route) ?? new Map<number, number>()
    counts.set(reply.status, (counts.get(reply.status) ?? 0) + 1)
    statuses.set(route, counts)
    // A run that may have signed the current user out, deleted it or changed its password
    // or email (a DELETE or PUT that succeeded): make a new one next time.
    if (me !== undefined && c.session.kind === 'valid' && reply.status < 300 && (c.route.method === 'DELETE' || c.route.method === 'PUT')) {
      if (c.route.method === 'DELETE') endedTokens.push(me.token)
      current = undefined
    }
  }

  const runProperty = async (t: TestContext, arbitrary: fc.Arbitrary<Case>, numRuns: number, quiet = false): Promise<void> => {
    const started = Date.now()
    await fc.assert(fc.asyncProperty(arbitrary, async (c) => {
      const { reply, what, me } = await send(c)
      afterwards(c, reply, me)
      assertWellFormed(reply, what)
    }), { numRuns, ...(SEED === undefined ? {} : { seed: SEED }) })
    if (!quiet) t.diagnostic(`${numRuns} runs in ${Date.now() - started} ms`)
  }

  it('arbitrary bodies, content types, headers, sessions and ids on every operation', async (t) => {
    assert.ok(routes.length >= 30, routes.map(describeOperation).join(', '))
    const started = Date.now()
    for (const route of routes) await runProperty(t, anyCaseOf(route), RUNS_PER_OPERATION, true)
    t.diagnostic(`${RUNS_PER_OPERATION} runs on each of ${routes.length} operations in ${Date.now() - started} ms`)
    assert.deepEqual([...statuses.keys()].sort(), routes.map(describeOperation).sort(), 'every operation was reached')
  })

  it('objects with the real field names, as JSON or form data, on the operations that read a body', async (t) => {
    const bodyRoutes = routes.filter(route => route.hasBody)
    assert.ok(bodyRoutes.length >= 15, bodyRoutes.map(describeOperation).join(', '))
    const fieldsCase = fc.constantFrom(...bodyRoutes).chain(route => fc.record({
      route: fc.constant(route),
      id: userId,
      query: fc.constant(''),
      body: fc.record({
        kind: fc.constant('fields' as const),
        encoding: fc.constantFrom('json' as const, 'form' as const),
        entries: fc.oneof({ arbitrary: requestShapedEntries(route), weight: 3 }, { arbitrary: fc.array(fc.tuple(fieldName, fieldValue), { minLength: 1, maxLength: 6 }), weight: 1 })
      }),
      contentType: fc.oneof({ arbitrary: fc.constant('natural' as const), weight: 5 }, { arbitrary: contentType, weight: 1 }),
      session: fc.oneof({ arbitrary: fc.record({ kind: fc.constant('valid' as const), transport }), weight: 2 }, { arbitrary: session, weight: 1 }),
      headers: fc.oneof(fc.constant([]), extraHeaders)
    }))
    await runProperty(t, fieldsCase, FIELD_RUNS_PER_OPERATION * bodyRoutes.length)
  })

  it('any Expect header is answered in JSON too', async (t) => {
    // Node's HTTP server answers an Expect other than 100-continue itself, before Fastify.
    const expectCase = fc.record({
      route: fc.constantFrom(...routes),
      id: userId,
      query: fc.constant(''),
      body,
      contentType,
      session,
      headers: fc.tuple(fc.constant('expect'), fc.oneof(fc.constantFrom('100-continue', '100-Continue', 'foo', '200-ok', ''), headerValue())).map(header => [header])
    })
    await runProperty(t, expectCase, 40)
  })

  it('the server still answers normally afterwards', async (t) => {
    const home = await request(server, 'GET', '/')
    assert.deepEqual([home.status, home.body], [200, { message: 'Bienvenue' }])
    const user = await signUp(server)
    assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).status, 200)
    for (const [route, counts] of statuses) {
      t.diagnostic(`${route}: ${[...counts].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`).join(' ')}`)
    }
  })
})
