// The sign-in floor: bare node:http answering each request after one password check on
// the service's own hasher: no framework, no query builder, no cookie. Driven by the same
// login workload, it shows how close any sign-in can come to the hashing ceiling on this
// machine; the gap is the load generator, the kernel and the HTTP layer, all sharing the
// cores with the hasher.
//
// With FLOOR_DATABASE_URL (the service's database, after the bench's sign-up) it also
// does what a sign-in must do there, straight through the driver with prepared
// statements: read the user by email, check the password against the stored hash, insert
// a session row. That is the floor for any sign-in on that database, here.
import http from 'node:http'
import { normalizeEmail } from '../src/auth/emails.js'
import { createPasswordHasher, defaultHashThreads } from '../src/auth/password-hasher.js'
import { generateToken, hashToken } from '../src/auth/tokens.js'

const PASSWORD = 'bench password long enough'
const threads = Number(process.env.HASH_THREADS ?? 0) || defaultHashThreads()
const hasher = createPasswordHasher({ threads, queueLimit: 1000 })
const databaseUrl = process.env.FLOOR_DATABASE_URL

interface UserRow { id: number, email: string, hash: string }
interface Store {
  findUser: (email: string) => Promise<UserRow | undefined>
  insertSession: (values: unknown[]) => Promise<void>
  close: () => Promise<void>
}

const SELECT_USER = 'select u.id, u.email, p.hash from users u join password_credentials p on p.user_id = u.id where u.email = $1'
const INSERT_SESSION = 'insert into sessions (id, user_id, created_at, last_seen_at, expires_at, ip, user_agent) values ($1, $2, $3, $4, $5, $6, $7)'

async function openStore (url: string): Promise<Store> {
  if (/^postgres(ql)?:/.test(url)) {
    const { default: pg } = await import('pg')
    const pool = new pg.Pool({ connectionString: url, max: 10 })
    return {
      findUser: async (email) => (await pool.query<UserRow>({ name: 'floor_user', text: SELECT_USER, values: [email] })).rows[0],
      insertSession: async (values) => { await pool.query({ name: 'floor_session', text: INSERT_SESSION, values }) },
      close: async () => { await pool.end() }
    }
  }
  const { default: Database } = await import('better-sqlite3')
  const sqlite = new Database(url)
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('synchronous = NORMAL')
  const findUser = sqlite.prepare<[string], UserRow>(SELECT_USER.replace('$1', '?'))
  const insertSession = sqlite.prepare(INSERT_SESSION.replace(/\$\d/g, '?'))
  return {
    findUser: async (email) => findUser.get(email),
    insertSession: async (values) => { insertSession.run(...values) },
    close: async () => { sqlite.close() }
  }
}

const store = databaseUrl === undefined ? undefined : await openStore(databaseUrl)
const stored = await hasher.hash(PASSWORD)

async function signIn (request: http.IncomingMessage, body: string): Promise<string> {
  if (store === undefined) {
    await hasher.verify(stored, PASSWORD)
    return JSON.stringify({ message: 'logged in' })
  }
  const form = new URLSearchParams(body)
  const user = await store.findUser(normalizeEmail(form.get('email') ?? ''))
  if (user === undefined || !(await hasher.verify(user.hash, form.get('password') ?? '')).valid) throw new Error('invalid email or password')
  const now = Date.now()
  await store.insertSession([hashToken(generateToken()), user.id, now, now, now + 86_400_000, request.socket.remoteAddress ?? null, request.headers['user-agent'] ?? null])
  return JSON.stringify({ email: user.email, message: 'logged in' })
}

const server = http.createServer((request, response) => {
  let body = ''
  request.setEncoding('utf8')
  request.on('data', (chunk: string) => { body += chunk })
  request.once('end', () => {
    signIn(request, body).then((reply) => {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(reply) })
      response.end(reply)
    }, () => {
      response.writeHead(503).end()
    })
  })
})
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1')
process.on('SIGTERM', () => { server.close(() => { void hasher.close().then(async () => await store?.close()).then(() => process.exit(0)) }) })
