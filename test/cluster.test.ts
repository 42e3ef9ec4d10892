// `npm run cluster`: two instances on one PostgreSQL database and one Redis behind nginx,
// started as an operator would (dist/cluster/main.js). Every cross-instance claim, each
// instance reached directly: a sign-out, password change, reset, deletion or `users
// disable` on one is refused on the other at once; one rate-limit and throttle budget;
// single-use tokens and TOTP codes whichever instance issued them; metrics per instance;
// and a rolling restart under load through nginx with no failed request, sent as an
// operator would: `authsvc cluster reload` with the pid file the cluster printed.
import assert from 'node:assert/strict'
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import * as client from 'openid-client'
import { Secret, TOTP } from 'otpauth'
import { spawnCli } from './support/cli.js'
import { createTestDatabase, type TestDatabase } from './support/database.js'
import { authorizationUrl, authorize, registerClient } from './support/oidc.js'
import { PageClient } from './support/pages.js'
import { PASSWORD, type TestServer, uniqueEmail } from './support/server.js'
import { type SmtpReceiver, startSmtpReceiver } from './support/smtp.js'

const inCi = process.env.CI === 'true' || process.env.CI === '1'
const POSTGRES = process.env.TEST_POSTGRES_URL
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

async function reachable (url: string | undefined, fallbackPort: number): Promise<boolean> {
  if (url === undefined) return false
  const { hostname, port } = new URL(url)
  return await new Promise(resolve => {
    const socket = net.connect({ host: hostname, port: Number(port || fallbackPort) }, () => { socket.end(); resolve(true) })
    socket.on('error', () => { resolve(false) })
  })
}

/** A base port with the next `count` free too. */
async function freePorts (count: number): Promise<number> {
  const isFree = async (port: number): Promise<boolean> => await new Promise(resolve => {
    const server = net.createServer().once('error', () => { resolve(false) }).listen(port, '127.0.0.1', () => { server.close(() => { resolve(true) }) })
  })
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below Linux's ephemeral range (32768 up), where outgoing connections take ports.
    const base = 20_000 + Math.floor(Math.random() * 12_000)
    const all = await Promise.all(Array.from({ length: count }, async (_, i) => await isFree(base + i)))
    if (all.every(Boolean)) return base
  }
  throw new Error('no free ports')
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

interface Reply { status: number, body: any, headers: Headers }

let clients = 0
/** A client address of its own (the instances trust one proxy hop: X-Forwarded-For names the client). */
function newClient (): string {
  clients += 1
  return `10.20.${Math.floor(clients / 250)}.${clients % 250}`
}

async function call (port: number, method: string, urlPath: string, body?: Record<string, unknown>, token?: string, ip = '10.99.0.1'): Promise<Reply> {
  const response = await fetch(`http://127.0.0.1:${port}${urlPath}`, {
    method,
    headers: { 'x-forwarded-for': ip, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token === undefined ? {} : { 'x-session-id': token }) },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await response.text()
  return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text, headers: response.headers }
}

const setup = POSTGRES !== undefined && await reachable(POSTGRES, 5432) && await reachable(REDIS_URL, 6379)
// In CI a missing PostgreSQL or Redis fails this suite; elsewhere it is skipped, saying why.
const skip = setup || inCi ? false : 'the cluster needs TEST_POSTGRES_URL and a Redis at TEST_REDIS_URL (default redis://127.0.0.1:6379)'

describe('the cluster: two instances behind nginx on PostgreSQL and Redis', { skip }, () => {
  let database: TestDatabase
  let cluster: ChildProcess
  let base: number
  let outbox: string
  let smtp: SmtpReceiver
  let pidFile: string
  const lines: string[] = []
  const prefix = `authsvc-cluster-${process.pid}-${Date.now()}:`
  const env = (): Record<string, string> => ({ DATABASE_URL: database.url, REDIS_URL, REDIS_KEY_PREFIX: prefix, MAIL_OUTBOX: outbox, SMTP_URL: smtp.url })

  async function waitForLine (pattern: RegExp, timeoutMs = 60_000, from = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = lines.slice(from).find(line => pattern.test(line))
      if (found !== undefined) return found
      if (cluster.exitCode !== null) throw new Error(`the cluster exited (${cluster.exitCode}):\n${lines.slice(-30).join('\n')}`)
      if (Date.now() > deadline) throw new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${lines.slice(-30).join('\n')}`)
      await new Promise(resolve => setTimeout(resolve, 50))
    }
  }

  before(async () => {
    assert.ok(setup, `CI needs PostgreSQL (TEST_POSTGRES_URL) and Redis (${REDIS_URL}) for the cluster`)
    database = await createTestDatabase('postgres')
    smtp = await startSmtpReceiver()
    outbox = await mkdtemp(path.join(os.tmpdir(), 'authsvc-cluster-outbox-'))
    pidFile = path.join(outbox, 'run', 'cluster.pid')
    base = await freePorts(3)
    cluster = spawn(process.execPath, [path.resolve('dist/cluster/main.js'), '--instances', '2', '--pid-file', pidFile], {
      env: {
        PATH: process.env.PATH ?? '',
        ...env(),
        PORT: String(base),
        // The issuer of the OpenID provider: nginx, whichever instance answers.
        PUBLIC_URL: `http://127.0.0.1:${base}`,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        RESET_TOKEN_IN_RESPONSE: 'true',
        RATE_LIMIT_REGISTER: '6',
        RATE_LIMIT_LOGIN: '0',
        RATE_LIMIT_ACCOUNT: '0',
        LOGIN_THROTTLE_FREE_ATTEMPTS: '3',
        LOGIN_THROTTLE_MAX_DELAY: '60'
      },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    for (const stream of [cluster.stdout, cluster.stderr]) if (stream !== null) readline.createInterface({ input: stream }).on('line', line => lines.push(line))
    await waitForLine(/^\[cluster\] ready: /)
  })

  after(async () => {
    if (cluster !== undefined && cluster.exitCode === null) {
      cluster.kill('SIGTERM')
      await new Promise(resolve => cluster.once('exit', resolve))
    }
    await smtp?.close()
    const redis = new Redis(REDIS_URL)
    const keys = await redis.keys(`${prefix}*`)
    if (keys.length > 0) await redis.del(...keys)
    redis.disconnect()
    await database?.drop()
    if (outbox !== undefined) await rm(outbox, { recursive: true, force: true })
  })

  const one = (): number => base + 1
  const two = (): number => base + 2

  async function account (port = one()): Promise<{ email: string, id: number }> {
    const email = uniqueEmail('cluster')
    assert.equal((await call(port, 'POST', '/users', { email, password: PASSWORD }, undefined, newClient())).status, 200)
    const token = await signIn(port, email)
    const profile = await call(port, 'GET', '/profile', undefined, token)
    return { email, id: profile.body.id }
  }

  async function signIn (port: number, email: string, password = PASSWORD): Promise<string> {
    const reply = await call(port, 'POST', '/sessions', { email, password })
    assert.equal(reply.status, 200, JSON.stringify(reply.body))
    return /session_id=([^;]+)/.exec(reply.headers.get('set-cookie') ?? '')?.[1] ?? ''
  }

  it('a sign-out, password change, reset, deletion or users disable on one instance is refused on the other at once', async () => {
    const user = await account()
    const [a, b, c] = [await signIn(one(), user.email), await signIn(two(), user.email), await signIn(two(), user.email)]
    assert.equal((await call(two(), 'GET', '/profile', undefined, a)).status, 200, 'a session of one works on the other')
    assert.equal((await call(two(), 'DELETE', '/sessions', undefined, a)).status, 200)
    assert.equal((await call(one(), 'GET', '/profile', undefined, a)).status, 403, 'signed out on two, refused on one')

    assert.equal((await call(one(), 'PUT', '/account/password', { current_password: PASSWORD, new_password: 'a second long passphrase' }, b)).status, 200)
    assert.equal((await call(two(), 'GET', '/profile', undefined, c)).status, 403, 'the other sessions ended everywhere')
    assert.equal((await call(two(), 'GET', '/profile', undefined, b)).status, 200)

    const reset = await call(one(), 'POST', '/reset_password', { email: user.email })
    assert.match(reset.body.reset_token, /^[\w-]{43}$/)
    assert.equal((await call(two(), 'PUT', '/reset_password', { email: user.email, reset_token: reset.body.reset_token, new_password: 'a third long passphrase' })).status, 200, 'a token of one used on two')
    assert.equal((await call(one(), 'PUT', '/reset_password', { email: user.email, reset_token: reset.body.reset_token, new_password: 'a fourth long passphrase' })).status, 403, 'once')
    assert.equal((await call(one(), 'GET', '/profile', undefined, b)).status, 403, 'a reset ends every session')

    const d = await signIn(one(), user.email, 'a third long passphrase')
    const disabled = await spawnCli(['users', 'disable', user.email], env())
    assert.equal(disabled.code, 0, disabled.stderr)
    for (const port of [one(), two()]) assert.equal((await call(port, 'GET', '/profile', undefined, d)).status, 403, `disabled: refused on ${port}`)

    const other = await account(two())
    const e = await signIn(one(), other.email)
    assert.equal((await call(two(), 'DELETE', `/users/${other.id}`, undefined, await signIn(two(), other.email))).status, 200)
    assert.equal((await call(one(), 'GET', '/profile', undefined, e)).status, 403, 'deleted on two, refused on one')
  })

  it('one per-IP budget and one login throttle; an mfa_token and a TOTP code hold whichever instance sees them', async () => {
    const statuses: number[] = []
    const ip = newClient()
    for (let i = 0; i < 7; i++) statuses.push((await call(i % 2 === 0 ? one() : two(), 'POST', '/users', { email: 'not an email' }, undefined, ip)).status)
    assert.deepEqual(statuses, [400, 400, 400, 400, 400, 400, 429], 'RATE_LIMIT_REGISTER=6 across both')

    const user = { email: uniqueEmail('throttle') }
    await new Promise(resolve => setTimeout(resolve, 0))
    const throttled: number[] = []
    for (let i = 0; i < 5; i++) throttled.push((await call(i % 2 === 0 ? one() : two(), 'POST', '/sessions', { email: user.email, password: 'wrong password' })).status)
    assert.deepEqual(throttled.slice(0, 3), [401, 401, 401])
    assert.equal(throttled[4], 429, `the fourth failure anywhere is throttled: ${throttled.join(', ')}`)

    const person = await account()
    // A second factor is for a verified address: the operator's command marks it so.
    assert.equal((await spawnCli(['users', 'verify-email', person.email], env())).code, 0)
    const token = await signIn(one(), person.email)
    const started = await call(one(), 'POST', '/account/totp', { current_password: PASSWORD }, token)
    const totp = new TOTP({ secret: Secret.fromBase32(started.body.secret) })
    const now = Date.now()
    assert.equal((await call(two(), 'POST', '/account/totp/confirm', { code: totp.generate({ timestamp: now }) }, token)).status, 200, 'enrolled on one, confirmed on two')
    const step = await call(one(), 'POST', '/sessions', { email: person.email, password: PASSWORD })
    const code = totp.generate({ timestamp: now + 30_000 })
    assert.equal((await call(two(), 'POST', '/sessions/mfa', { mfa_token: step.body.mfa_token, code })).status, 200, 'an mfa_token of one finished on two')
    const again = await call(two(), 'POST', '/sessions', { email: person.email, password: PASSWORD })
    assert.equal((await call(one(), 'POST', '/sessions/mfa', { mfa_token: again.body.mfa_token, code })).status, 401, 'the code used on two is refused on one')
  })

  it('a verification link mailed by one instance works on the other, once', async () => {
    const email = uniqueEmail('verify')
    assert.equal((await call(one(), 'POST', '/users', { email, password: PASSWORD }, undefined, newClient())).status, 200)
    const mail = await smtp.waitFor(email, /Confirm your email address/)
    const token = /verify_email\?token=([\w-]{43})/.exec(mail.text)?.[1] ?? ''
    assert.equal((await call(two(), 'POST', '/verify_email', { token })).status, 200)
    assert.equal((await call(one(), 'POST', '/verify_email', { token })).status, 403)
  })

  it('an application\'s sign-in (OpenID Connect) begun on one instance is finished on the other', async () => {
    const issuer = `http://127.0.0.1:${base}`
    const { email } = await account()
    const registered = await registerClient(database.url, { firstParty: true })
    // oxlint-disable-next-line typescript/no-deprecated -- plain HTTP on loopback, for the test
    const config = await client.discovery(new URL(issuer), registered.id, registered.secret, undefined, { execute: [client.allowInsecureRequests] })
    const request = await authorizationUrl(config)
    // The browser: the authorization request to instance one, everything after to instance two.
    const browserOn = (port: number): PageClient => new PageClient({ url: `http://127.0.0.1:${port}`, config: { publicUrl: issuer } } as unknown as TestServer)
    const viaOne = browserOn(one())
    const begun = await viaOne.get(request.url.slice(issuer.length))
    assert.equal(begun.status, 303)
    assert.match(begun.location ?? '', /^\/ui\/authorize\//)
    const viaTwo = browserOn(two())
    for (const [name, value] of viaOne.cookies) viaTwo.cookies.set(name, value)
    const { callback, pages } = await authorize(viaTwo, `http://127.0.0.1:${two()}${begun.location ?? ''}`, { email })
    assert.deepEqual(pages, ['/ui/login'])
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce })
    assert.equal(tokens.claims()?.email, email)
  })

  it('names each instance in its metrics', async () => {
    for (const [port, name] of [[one(), 'instance-1'], [two(), 'instance-2']] as const) {
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
      assert.match(metrics, new RegExp(`^process_cpu_user_seconds_total\\{instance="${name}"\\} `, 'm'))
    }
  })

  it('prints the pid that takes SIGHUP and writes it to the pid file it names; a second cluster on that file is refused', async () => {
    const printed = await waitForLine(/^\[cluster\] pid \d+ takes SIGHUP/)
    const [, pid, file] = /^\[cluster\] pid (\d+) takes SIGHUP \(rolling restart\) and SIGTERM \(stop\); pid file (\S+) /.exec(printed) ?? []
    assert.equal(pid, String(cluster.pid), 'the node process itself, not npm')
    assert.equal(file, pidFile)
    assert.equal(await readFile(pidFile, 'utf8'), `${pid}\n`)
    const second = await promisify(execFile)(process.execPath, [path.resolve('dist/cluster/main.js'), '--pid-file', pidFile], {
      env: { PATH: process.env.PATH ?? '', ...env(), PORT: String(await freePorts(3)) }
    }).catch((error: { code: number, stderr: string }) => error)
    assert.equal((second as { code: number }).code, 1)
    assert.match((second as { stderr: string }).stderr, new RegExp(`another cluster \\(pid ${pid}\\) holds ${escapeRegExp(pidFile)}`))
    assert.equal(await readFile(pidFile, 'utf8'), `${pid}\n`, 'left as it was')
  })

  it('restarts the instances one at a time under load through nginx without failing a request (authsvc cluster reload)', async () => {
    const user = await account()
    const token = await signIn(one(), user.email)
    const pidsBefore = lines.filter(line => /ready on 127\.0\.0\.1/.test(line)).slice(-2).map(line => /pid (\d+)/.exec(line)?.[1])
    const from = lines.length
    // 20 s of load for a restart of about 6 s alone: under the rest of the suite it took over 10.
    const wrk = promisify(execFile)('wrk', ['-t1', '-c8', '-d20s', '-H', `X-Session-ID: ${token}`, `http://127.0.0.1:${base}/profile`])
    let loadEnded = false
    void wrk.finally(() => { loadEnded = true }).catch(() => {})
    await new Promise(resolve => setTimeout(resolve, 1500))
    const printedPidFile = /pid file (\S+) /.exec(await waitForLine(/^\[cluster\] pid \d+ takes SIGHUP/))?.[1] ?? ''
    const reload = await spawnCli(['cluster', 'reload', '--pid-file', printedPidFile], {})
    assert.equal(reload.code, 0, reload.stderr)
    assert.match(reload.stdout, new RegExp(`^sent SIGHUP to the cluster \\(pid ${cluster.pid}\\)`))
    await waitForLine(/^\[cluster\] rolling restart done/, 30_000, from)
    assert.equal(loadEnded, false, 'the restart finished while the load still ran')
    const restarted = lines.slice(from).filter(line => /ready on 127\.0\.0\.1/.test(line)).map(line => /pid (\d+)/.exec(line)?.[1])
    assert.equal(restarted.length, 2, 'both instances restarted')
    for (const pid of restarted) assert.ok(!pidsBefore.includes(pid), 'new processes')
    const { stdout } = await wrk
    assert.match(stdout, /(\d+) requests in/)
    const requests = Number(/(\d+) requests in/.exec(stdout)?.[1])
    assert.ok(requests > 1000, `load was applied: ${requests} requests`)
    assert.doesNotMatch(stdout, /Non-2xx or 3xx responses/, stdout)
    assert.doesNotMatch(stdout, /Socket errors/, stdout)
  })
})

describe('the cluster command', { skip }, () => {
  it('Ctrl-C (SIGINT) stops nginx and every instance it started', async () => {
    const database = await createTestDatabase('postgres')
    const base = await freePorts(3)
    const cluster = spawn(process.execPath, [path.resolve('dist/cluster/main.js'), '--instances', '2'], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url, REDIS_URL, REDIS_KEY_PREFIX: `authsvc-cluster-stop-${process.pid}:`, PORT: String(base), NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'inherit']
    })
    try {
      let output = ''
      cluster.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString() })
      for (let i = 0; i < 600 && !output.includes('[cluster] ready'); i++) await new Promise(resolve => setTimeout(resolve, 50))
      assert.match(output, /\[cluster\] ready/)
      // Without --pid-file: data/cluster.pid under the package, removed when it stops.
      const pidFile = path.resolve('data/cluster.pid')
      assert.match(output, new RegExp(`\\[cluster\\] pid ${cluster.pid} takes SIGHUP .*; pid file ${escapeRegExp(pidFile)} `))
      assert.equal(await readFile(pidFile, 'utf8'), `${cluster.pid}\n`)
      cluster.kill('SIGINT')
      const code = await new Promise(resolve => cluster.once('exit', resolve))
      assert.equal(code, 0)
      assert.equal(await stat(pidFile).catch(() => null), null, 'the pid file is removed')
      const reload = await spawnCli(['cluster', 'reload'], {})
      assert.equal(reload.code, 1)
      assert.match(reload.stderr, /^cluster reload failed: no cluster pid file at .*data\/cluster\.pid: is "npm run cluster" running/)
      for (const port of [base, base + 1, base + 2]) {
        const open = await new Promise(resolve => { const socket = net.connect({ host: '127.0.0.1', port }, () => { socket.end(); resolve(true) }); socket.on('error', () => { resolve(false) }) })
        assert.equal(open, false, `nothing listens on ${port} any more`)
      }
    } finally {
      if (cluster.exitCode === null) cluster.kill('SIGKILL')
      await database.drop()
    }
  })

  it('refuses a wrong command line or a SQLite database, saying why', async () => {
    const run = promisify(execFile)
    const usage = await run(process.execPath, [path.resolve('dist/cluster/main.js'), '--instances', 'many']).catch((error: { code: number, stderr: string }) => error)
    assert.equal((usage as { code: number }).code, 2)
    assert.match((usage as { stderr: string }).stderr, /--instances must be a whole number/)
    const sqlite = await run(process.execPath, [path.resolve('dist/cluster/main.js')], { env: { PATH: process.env.PATH ?? '', DATABASE_URL: 'data/x.sqlite', REDIS_URL } }).catch((error: { code: number, stderr: string }) => error)
    assert.equal((sqlite as { code: number }).code, 1)
    assert.match((sqlite as { stderr: string }).stderr, /DATABASE_URL must be a PostgreSQL/)
  })
})

describe('authsvc cluster reload', () => {
  it('refuses a missing, stale or foreign pid file, saying why, and exits 1; a wrong command line exits 2', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'authsvc-cluster-pid-'))
    try {
      const missing = await spawnCli(['cluster', 'reload', '--pid-file', path.join(dir, 'none.pid')], {})
      assert.equal(missing.code, 1)
      assert.match(missing.stderr, /no cluster pid file at .*none\.pid/)
      // A pid nobody has: a cluster killed without removing its file.
      const gone = spawn(process.execPath, ['-e', ''])
      await new Promise(resolve => gone.once('exit', resolve))
      await writeFile(path.join(dir, 'stale.pid'), `${gone.pid}\n`)
      const stale = await spawnCli(['cluster', 'reload', '--pid-file', path.join(dir, 'stale.pid')], {})
      assert.equal(stale.code, 1)
      assert.match(stale.stderr, new RegExp(`stale cluster pid file .*stale\\.pid: no process ${gone.pid} is running`))
      // A pid now held by a process that is not the cluster (this test): never signalled.
      await writeFile(path.join(dir, 'reused.pid'), `${process.pid}\n`)
      let hangups = 0
      const count = (): void => { hangups += 1 }
      process.on('SIGHUP', count)
      try {
        const reused = await spawnCli(['cluster', 'reload', '--pid-file', path.join(dir, 'reused.pid')], {})
        if (process.platform === 'linux') {
          assert.equal(reused.code, 1)
          assert.match(reused.stderr, new RegExp(`stale cluster pid file .*reused\\.pid: process ${process.pid} is not the cluster`))
          assert.equal(hangups, 0)
        }
      } finally {
        process.off('SIGHUP', count)
      }
      await writeFile(path.join(dir, 'junk.pid'), 'not a pid\n')
      const junk = await spawnCli(['cluster', 'reload', '--pid-file', path.join(dir, 'junk.pid')], {})
      assert.equal(junk.code, 1)
      assert.match(junk.stderr, /cannot read the cluster pid file .*junk\.pid: it does not hold a pid/)
      const usage = await spawnCli(['cluster', 'restart'], {})
      assert.equal(usage.code, 2)
      assert.match(usage.stderr, /cluster takes one action: reload/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
