// What bench/run.ts and bench/compare.ts share: starting a process and waiting for it to
// answer, one load run in its own process, taking workloads in turns, test databases,
// a signed-in user, peak RSS.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'

export interface Summary { requests: number, rps: number, p50: number, p99: number, errors: number, statuses: Record<string, number>, rpsRange?: [number, number] }
export interface Running { child: ChildProcess, url: string, stop: () => Promise<void> }
export interface Database { url: string, drop: () => Promise<void> }

export const PASSWORD = 'bench password long enough'
export const LIMITS_OFF = { RATE_LIMIT_REGISTER: '0', RATE_LIMIT_LOGIN: '0', RATE_LIMIT_RESET: '0', RATE_LIMIT_ACCOUNT: '0', LOGIN_THROTTLE_MAX_DELAY: '0', RESET_MAIL_LIMIT: '0' }
/** The one client of the bare OpenID provider (bench/oidc-bare.ts). */
export const BARE_OIDC_CLIENT = { clientId: 'bench-bare', secret: 'bench-bare-secret-0123456789abcdef', redirectUri: 'http://127.0.0.1:9/callback' }
export const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export function log (message: string): void { process.stderr.write(`${message}\n`) }

async function freePort (): Promise<number> {
  const server = net.createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise(resolve => server.close(resolve))
  return port
}

/** Starts `node <args>` on a free port and resolves once it answers HTTP. */
export async function start (args: string[], env: Record<string, string>, cwd?: string): Promise<Running> {
  const port = await freePort()
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'inherit'] })
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`)
    try {
      await fetch(url)
      break
    } catch {
      if (i > 300) throw new Error(`${args.join(' ')} did not come up`)
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  }
  return {
    child,
    url,
    stop: async () => {
      const exited = new Promise(resolve => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
  }
}

/** The service of a built tree (`dist/cli.js serve` in `root`), abuse limits off. */
export async function serve (databaseUrl: string, root = '.', env: Record<string, string> = {}): Promise<Running> {
  return await start([path.join(root, 'dist/cli.js'), 'serve'], { ...LIMITS_OFF, DATABASE_URL: databaseUrl, NODE_ENV: 'development', ...env }, root)
}

/** One run of a workload of bench/load.ts, in a process of its own. */
export async function load (url: string, workload: string, options: Record<string, unknown> & { seconds: number }): Promise<Record<string, Summary>> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/load.ts', JSON.stringify({ url, workload, ...options })], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  await new Promise(resolve => child.once('exit', resolve))
  return JSON.parse(out) as Record<string, Summary>
}

export function peakRssMb (pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024
}

async function post (url: string, body: Record<string, string>): Promise<Response> {
  return await fetch(url, { method: 'POST', body: new URLSearchParams(body) })
}

/** Signs up `email` with PASSWORD and signs in; returns the session token. */
export async function signIn (url: string, email: string): Promise<string> {
  await post(`${url}/users`, { email, password: PASSWORD })
  const reply = await post(`${url}/sessions`, { email, password: PASSWORD })
  const token = /session_id=([^;]+)/.exec(reply.headers.get('set-cookie') ?? '')?.[1]
  if (token === undefined) throw new Error(`login failed: ${reply.status}`)
  return token
}

/** A fresh PostgreSQL database of its own; null when none can be created. */
export async function postgresDatabase (): Promise<Database | null> {
  const name = `authsvc_bench_${randomBytes(4).toString('hex')}`
  const admin = async (statement: string): Promise<void> => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 })
    await client.connect()
    try { await client.query(statement) } finally { await client.end() }
  }
  try {
    await admin(`CREATE DATABASE ${name}`)
  } catch (error) {
    log(`PostgreSQL skipped: cannot create a database at ${POSTGRES_URL} (${String(error)}); set BENCH_POSTGRES_URL`)
    return null
  }
  const url = new URL(POSTGRES_URL)
  url.pathname = `/${name}`
  return { url: url.toString(), drop: async () => { await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) } }
}

export function sqliteDatabase (): Database {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authsvc-bench-'))
  return { url: path.join(dir, 'bench.sqlite'), drop: async () => { fs.rmSync(dir, { recursive: true, force: true }) } }
}

/** The run with the median req/s, carrying the range of all runs. */
function median (runs: Summary[]): Summary {
  const sorted = [...runs].sort((a, b) => a.rps - b.rps)
  return { ...sorted[Math.floor(sorted.length / 2)] as Summary, rpsRange: [sorted[0]?.rps ?? NaN, sorted[sorted.length - 1]?.rps ?? NaN] }
}

export interface TurnOptions { readonly rounds: number, readonly seconds: number, readonly warmUpSeconds: number }

/**
 * Runs each workload once per round, the rounds one after another (A B C C B A …), after
 * a warm-up run of each: a ratio between workloads measured in turns is not skewed by the
 * machine's speed drifting between them, as it does here by 10 % within a minute.
 */
export async function inTurns (workloads: Record<string, (seconds: number) => Promise<Summary>>, { rounds, seconds, warmUpSeconds }: TurnOptions): Promise<Record<string, Summary>> {
  const runs: Record<string, Summary[]> = {}
  for (const [name, measure] of Object.entries(workloads)) { await measure(warmUpSeconds); runs[name] = [] }
  for (let round = 0; round < rounds; round++) {
    // Every other round in reverse order (A B C, C B A, …): no workload always comes first.
    const order = round % 2 === 0 ? Object.entries(workloads) : Object.entries(workloads).reverse()
    for (const [name, measure] of order) runs[name]?.push(await measure(seconds))
  }
  return Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, median(list)]))
}
