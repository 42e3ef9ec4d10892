// `npm run bench [-- --full]`: one run measures the runtime's ceiling (bare node:http),
// the hashing ceiling, and the service on SQLite and PostgreSQL, each driven by autocannon
// from a separate process; prints a table of figures and ratios and writes BENCHMARKS.md.
// The abuse limits are switched off for the run (they would turn the load into 429s).
import { execFile, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import { promisify } from 'node:util'
import pg from 'pg'
import { benchCluster, type ClusterRow } from './cluster.js'
import { benchToken, seed } from './seed.js'
import { BARE_OIDC_CLIENT, type Database, inTurns as takeTurns, load as loadOnce, log, PASSWORD, peakRssMb, POSTGRES_URL, postgresDatabase, type Running, serve, signIn, sqliteDatabase, start, type Summary } from './support.js'

const execFileAsync = promisify(execFile)
const full = process.argv.includes('--full')
const secondsArg = process.argv.find(arg => arg.startsWith('--seconds='))
const SECONDS = secondsArg !== undefined ? Number(secondsArg.slice('--seconds='.length)) : full ? 10 : 2
// Each workload runs this many times after a warm-up; the median run is reported. This
// machine's load is noisy: single runs of the same code varied by ±20 %.
const REPEATS = 3
// One unmeasured run of each workload first: the service's JIT warms up.
const WARM_UP_SECONDS = 2
const usersArg = process.argv.find(arg => arg.startsWith('--scale-users='))
const SCALE_USERS = usersArg !== undefined ? Number(usersArg.slice('--scale-users='.length)) : 1_000_000

interface Row { target: string, workload: string, result: Summary, rssMb?: number, note?: string }
const rows: Row[] = []
// Each target's ceilings are measured right before its own workloads: this machine's
// speed drifts within a run (other tenants), and a ratio is only fair between neighbours.
interface Baselines { bareRps: number, hashRps: number, hashThreads: number }
const baselines = new Map<string, Baselines>()

async function load (url: string, workload: string, extra: Record<string, unknown> = {}): Promise<Record<string, Summary>> {
  return await loadOnce(url, workload, { seconds: SECONDS, ...extra })
}

async function inTurns (workloads: Record<string, (seconds: number) => Promise<Summary>>): Promise<Record<string, Summary>> {
  return await takeTurns(workloads, { rounds: REPEATS, seconds: SECONDS, warmUpSeconds: WARM_UP_SECONDS })
}

async function measureHashing (seconds: number): Promise<{ rps: number, parallel: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/hash.ts', String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  await new Promise(resolve => child.once('exit', resolve))
  return JSON.parse(out) as { rps: number, parallel: number }
}

async function benchService (target: string, database: Database): Promise<void> {
  const running: Running[] = []
  try {
    const bareServer = await start(['bench/bare-server.mjs'], {})
    running.push(bareServer)
    const floorServer = await start(['--import', 'tsx', 'bench/sign-in-floor.ts'], {})
    running.push(floorServer)
    const service = await serve(database.url)
    running.push(service)
    const email = `bench-${target}@example.com`
    const token = await signIn(service.url, email)
    // After the sign-up above: it reads that user from the service's own database.
    const databaseFloor = await start(['--import', 'tsx', 'bench/sign-in-floor.ts'], { FLOOR_DATABASE_URL: database.url })
    running.push(databaseFloor)
    log(`${target}: bare node:http, profile and profile-header, in turns`)
    const http = await inTurns({
      bare: async (seconds) => (await load(bareServer.url, 'get', { seconds })).main as Summary,
      profile: async (seconds) => (await load(service.url, 'profile', { token, seconds })).main as Summary,
      'profile-header': async (seconds) => (await load(service.url, 'profile-header', { token, seconds })).main as Summary
    })
    const bare = http.bare as Summary
    rows.push({ target, workload: 'baseline: bare node:http, fixed JSON', result: bare })
    rows.push({ target, workload: 'profile', result: http.profile as Summary, rssMb: peakRssMb(service.child.pid as number) })
    rows.push({ target, workload: 'profile-header', result: http['profile-header'] as Summary })
    log(`${target}: hashing ceiling, sign-in floors, login and register, in turns`)
    let hashThreads = 0
    const turns = await inTurns({
      hash: async (seconds) => {
        const hash = await measureHashing(seconds)
        hashThreads = hash.parallel
        return { requests: 0, rps: hash.rps, p50: NaN, p99: NaN, errors: 0, statuses: {} }
      },
      floor: async (seconds) => (await load(floorServer.url, 'login', { email, password: PASSWORD, seconds })).main as Summary,
      databaseFloor: async (seconds) => (await load(databaseFloor.url, 'login', { email, password: PASSWORD, seconds })).main as Summary,
      login: async (seconds) => (await load(service.url, 'login', { email, password: PASSWORD, seconds })).main as Summary,
      register: async (seconds) => (await load(service.url, 'register', { seconds })).main as Summary
    })
    const hash = turns.hash as Summary
    baselines.set(target, { bareRps: bare.rps, hashRps: hash.rps, hashThreads })
    rows.push({ target, workload: `baseline: password hasher alone (${hashThreads} threads)`, result: hash })
    rows.push({ target, workload: 'sign-in floor: bare node:http + one password check', result: turns.floor as Summary })
    rows.push({ target, workload: `sign-in floor on ${target}: the same + the user read and the session written by the driver`, result: turns.databaseFloor as Summary })
    rows.push({ target, workload: 'login', result: turns.login as Summary })
    rows.push({ target, workload: 'register', result: turns.register as Summary })
    log(`${target}: storm`)
    const storm = await load(service.url, 'storm', { token, email, password: PASSWORD, seconds: SECONDS * REPEATS })
    rows.push({ target, workload: 'storm (profile)', result: storm.main as Summary })
    rows.push({ target, workload: 'storm (login flood)', result: storm.flood as Summary })
  } finally {
    for (const server of running) await server.stop()
    await database.drop()
  }
}

async function benchScale (target: string, small: Database, large: Database): Promise<void> {
  const services: Running[] = []
  try {
    const smallService = await serve(small.url)
    services.push(smallService)
    const smallToken = await signIn(smallService.url, `bench-small-${target}@example.com`)
    // Create the schema, then fill it while the service is stopped.
    await (await serve(large.url)).stop()
    log(`${target}: seeding ${SCALE_USERS} users and sessions`)
    const started = Date.now()
    await seed(large.url, SCALE_USERS)
    const seedSeconds = (Date.now() - started) / 1000
    const largeService = await serve(large.url)
    services.push(largeService)
    log(`${target}: profile on a small and on the seeded database, in turns`)
    const turns = await inTurns({
      small: async (seconds) => (await load(smallService.url, 'profile', { token: smallToken, seconds })).main as Summary,
      large: async (seconds) => (await load(largeService.url, 'profile', { token: benchToken(SCALE_USERS - 7), seconds })).main as Summary
    })
    rows.push({ target, workload: 'profile, small database (in turns with the next row)', result: turns.small as Summary })
    rows.push({ target, workload: `profile, ${SCALE_USERS / 1e6}M users + sessions`, result: turns.large as Summary, rssMb: peakRssMb(largeService.child.pid as number), note: `seeded in ${seedSeconds.toFixed(1)} s` })
  } finally {
    for (const service of services) await service.stop()
    await small.drop()
    await large.drop()
  }
}

/** One run of the OpenID Connect driver (bench/oidc-load.ts), in a process of its own. */
async function loadOidc (options: Record<string, unknown> & { seconds: number }): Promise<Summary> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/oidc-load.ts', JSON.stringify({ connections: 8, ...options })], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  await new Promise(resolve => child.once('exit', resolve))
  return (JSON.parse(out) as { main: Summary }).main
}

/**
 * The OpenID provider: code exchanges (an application signing in a person already signed
 * in here: the authorization request, its redirect, the code at the token endpoint) and
 * refresh grants per second, in turns with the same library alone on bare node:http with
 * its in-memory adapter (bench/oidc-bare.ts): the ratio is what our storage and mount cost.
 */
async function benchOidc (target: string, database: Database): Promise<void> {
  const running: Running[] = []
  try {
    const bare = await start(['--import', 'tsx', 'bench/oidc-bare.ts'], {})
    running.push(bare)
    const service = await serve(database.url)
    running.push(service)
    const token = await signIn(service.url, `bench-oidc-${target}@example.com`)
    const redirectUri = 'http://127.0.0.1:9/callback'
    const { stdout } = await execFileAsync(process.execPath, ['dist/cli.js', 'clients', 'create', '--name', 'Bench', '--redirect-uri', redirectUri, '--first-party', '--json'], { env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'silent' } })
    const created = JSON.parse(stdout) as { client_id: string, client_secret: string }
    const ours = { url: service.url, clientId: created.client_id, secret: created.client_secret, redirectUri, authorizationPath: '/oidc/auth', tokenPath: '/oidc/token', cookie: `session_id=${token}` }
    const alone = { url: bare.url, ...BARE_OIDC_CLIENT, authorizationPath: '/auth', tokenPath: '/token' }
    log(`${target}: OpenID code exchanges and refresh grants, the library alone and the service, in turns`)
    const turns = await inTurns({
      bareCode: async (seconds) => await loadOidc({ ...alone, workload: 'code', seconds }),
      code: async (seconds) => await loadOidc({ ...ours, workload: 'code', seconds }),
      bareRefresh: async (seconds) => await loadOidc({ ...alone, workload: 'refresh', seconds }),
      refresh: async (seconds) => await loadOidc({ ...ours, workload: 'refresh', seconds })
    })
    rows.push({ target, workload: 'baseline: OpenID code exchange, oidc-provider alone (bare node:http, memory adapter)', result: turns.bareCode as Summary })
    rows.push({ target, workload: 'OpenID code exchange (authorization request with a session, callback, token)', result: turns.code as Summary, rssMb: peakRssMb(service.child.pid as number) })
    rows.push({ target, workload: 'baseline: OpenID refresh grant, oidc-provider alone', result: turns.bareRefresh as Summary })
    rows.push({ target, workload: 'OpenID refresh grant (rotating)', result: turns.refresh as Summary })
  } finally {
    for (const server of running) await server.stop()
    await database.drop()
  }
}

/** What the metrics cost GET /profile: the same service with and without them, in turns. */
async function benchMetrics (target: string, on: Database, off: Database): Promise<void> {
  const services: Running[] = []
  try {
    const withMetrics = await serve(on.url)
    services.push(withMetrics)
    const withoutMetrics = await serve(off.url, '.', { METRICS_ENABLED: 'false' })
    services.push(withoutMetrics)
    const [tokenOn, tokenOff] = [await signIn(withMetrics.url, 'bench-metrics@example.com'), await signIn(withoutMetrics.url, 'bench-metrics@example.com')]
    log(`${target}: profile with metrics and without, in turns`)
    const turns = await inTurns({
      off: async (seconds) => (await load(withoutMetrics.url, 'profile', { token: tokenOff, seconds })).main as Summary,
      on: async (seconds) => (await load(withMetrics.url, 'profile', { token: tokenOn, seconds })).main as Summary
    })
    rows.push({ target, workload: 'profile, METRICS_ENABLED=false (in turns with the next row)', result: turns.off as Summary })
    rows.push({ target, workload: 'profile, metrics on (the default)', result: turns.on as Summary })
  } finally {
    for (const service of services) await service.stop()
    await on.drop()
    await off.drop()
  }
}

await benchService('SQLite', sqliteDatabase())
await benchMetrics('SQLite', sqliteDatabase(), sqliteDatabase())
await benchOidc('SQLite', sqliteDatabase())
const pgDatabase = await postgresDatabase()
if (pgDatabase !== null) await benchService('PostgreSQL', pgDatabase)
await benchScale('SQLite', sqliteDatabase(), sqliteDatabase())
let cluster: ClusterRow[] | string = 'PostgreSQL is not available'
const clusterDatabase = await postgresDatabase()
if (clusterDatabase !== null) {
  try {
    cluster = await benchCluster(clusterDatabase, { rounds: REPEATS, seconds: SECONDS, warmUpSeconds: WARM_UP_SECONDS })
  } finally {
    await clusterDatabase.drop()
  }
}
if (full) {
  const pgSmall = await postgresDatabase()
  const pgLarge = await postgresDatabase()
  if (pgSmall !== null && pgLarge !== null) await benchScale('PostgreSQL', pgSmall, pgLarge)
}

// ---- report ----
const find = (target: string, workload: string): Summary | undefined => rows.find(r => r.target === target && r.workload === workload)?.result
const bareOf = (target: string): number => baselines.get(target)?.bareRps ?? NaN
const hashOf = (target: string): number => baselines.get(target)?.hashRps ?? NaN
const ratio = (value: number | undefined, base: number): string => value === undefined ? '–' : (value / base).toFixed(2)
const fmt = (n: number): string => n >= 100 ? n.toFixed(0) : n.toFixed(1)

const targets: Array<[string, string, boolean]> = []
const check = (name: string, value: number | undefined, goal: number, higherIsBetter: boolean, unit = '×'): void => {
  if (value === undefined || Number.isNaN(value)) return
  const met = higherIsBetter ? value >= goal : value < goal
  targets.push([name, `${unit === '×' ? value.toFixed(2) + ' ×' : value.toFixed(1) + ' ' + unit} (goal ${higherIsBetter ? '≥' : '<'} ${goal}${unit === '×' ? ' ×' : ' ' + unit})`, met])
}
check('profile on SQLite vs bare node:http', (find('SQLite', 'profile')?.rps ?? NaN) / bareOf('SQLite'), 0.6, true)
check('profile on SQLite, p99', find('SQLite', 'profile')?.p99, 10, false, 'ms')
check('profile on PostgreSQL vs bare node:http', (find('PostgreSQL', 'profile')?.rps ?? NaN) / bareOf('PostgreSQL'), 0.35, true)
for (const target of ['SQLite', 'PostgreSQL']) {
  check(`login on ${target} vs hashing ceiling`, (find(target, 'login')?.rps ?? NaN) / hashOf(target), 0.9, true)
  check(`register on ${target} vs hashing ceiling`, (find(target, 'register')?.rps ?? NaN) / hashOf(target), 0.9, true)
  check(`storm on ${target}: profile p99`, find(target, 'storm (profile)')?.p99, 25, false, 'ms')
  check(`peak RSS under profile on ${target}`, rows.find(r => r.target === target && r.workload === 'profile')?.rssMb, 150, false, 'MB')
  const metricsOn = find(target, 'profile, metrics on (the default)')?.rps
  const metricsOff = find(target, 'profile, METRICS_ENABLED=false (in turns with the next row)')?.rps
  check(`profile on ${target} with metrics vs without, in turns`, metricsOn === undefined || metricsOff === undefined ? undefined : metricsOn / metricsOff, 0.95, true)
  const scale = rows.find(r => r.target === target && r.workload.endsWith('users + sessions'))
  const small = rows.find(r => r.target === target && r.workload.startsWith('profile, small database'))
  check(`profile at ${SCALE_USERS / 1e6}M users on ${target} vs a small database, in turns`, scale === undefined || small === undefined ? undefined : scale.result.rps / small.result.rps, 0.8, true)
}

const versions = (name: string): string => {
  try { return JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, 'utf8')).version as string } catch { return '?' }
}
let postgresVersion = 'not measured'
try {
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  postgresVersion = ((await client.query('SHOW server_version')).rows[0] as { server_version: string }).server_version
  await client.end()
} catch { /* PostgreSQL was skipped above and said so */ }

/** The bare library's row an OpenID row is compared with. */
function oidcBaselineOf (r: Row): Summary | undefined {
  if (r.workload.startsWith('OpenID code')) return find(r.target, 'baseline: OpenID code exchange, oidc-provider alone (bare node:http, memory adapter)')
  if (r.workload.startsWith('OpenID refresh')) return find(r.target, 'baseline: OpenID refresh grant, oidc-provider alone')
  return undefined
}

const table = [
  '| target | workload | req/s (median) | range of runs | p50 ms | p99 ms | errors | peak RSS MB | ratio |',
  '|---|---|---:|---|---:|---:|---:|---:|---|',
  ...rows.map(r => {
    const oidcBase = oidcBaselineOf(r)
    const hashed = r.workload.startsWith('login') || r.workload.startsWith('register') || r.workload.includes('flood') || r.workload.startsWith('sign-in floor')
    const base = oidcBase !== undefined
      ? `${ratio(r.result.rps, oidcBase.rps)} × the library alone`
      : hashed
        ? `${ratio(r.result.rps, hashOf(r.target))} × hashing`
        : r.workload.startsWith('baseline') ? 'baseline' : `${ratio(r.result.rps, bareOf(r.target))} × node:http`
    const range = r.result.rpsRange === undefined ? '' : `${fmt(r.result.rpsRange[0])}–${fmt(r.result.rpsRange[1])}`
    return `| ${r.target} | ${r.workload} | ${fmt(r.result.rps)} | ${range} | ${Number.isNaN(r.result.p50) ? '' : r.result.p50} | ${Number.isNaN(r.result.p99) ? '' : r.result.p99} | ${r.result.errors}${Object.keys(r.result.statuses).filter(k => k !== '2xx').length > 0 ? ' ' + JSON.stringify(r.result.statuses) : ''} | ${r.rssMb === undefined ? '' : r.rssMb.toFixed(0)} | ${base}${r.note === undefined ? '' : '; ' + r.note} |`
  })
].join('\n')
const goals = ['| goal | measured | met |', '|---|---|---|', ...targets.map(([name, value, met]) => `| ${name} | ${value} | ${met ? 'yes' : '**no**'} |`)].join('\n')
const header = `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`npm run bench${full ? ' -- --full' : ''}\` (each workload: a ${WARM_UP_SECONDS} s warm-up run, then ${REPEATS} runs of ${SECONDS} s taken in turns with the workloads it is compared with, the median reported; storm: one run as long as the three), ` +
  `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node.js ${process.version}; fastify ${versions('fastify')}, kysely ${versions('kysely')}, ` +
  `better-sqlite3 ${versions('better-sqlite3')}, pg ${versions('pg')}, PostgreSQL ${postgresVersion}, @node-rs/argon2 ${versions('@node-rs/argon2')}, autocannon ${versions('autocannon')}. ` +
  'Abuse limits off; the service logs at its default level (info) to a discarded stdout. Load generator and service share the machine.'
const us = (n: number | undefined): string => n === undefined || Number.isNaN(n) ? '' : n.toFixed(0)
const clusterBare = typeof cluster === 'string' ? NaN : cluster[0]?.result.rps ?? NaN
const clusterLogin = typeof cluster === 'string' ? NaN : cluster.find(r => r.workload === 'login, one instance directly')?.result.rps ?? NaN
const clusterTable = typeof cluster === 'string'
  ? `Not measured: ${cluster}.`
  : [
      'PostgreSQL and Redis of this machine; `npm run cluster` (nginx, `least_conn`, upstream keep-alive) with 1 and with 2 instances, and one instance directly, in turns with bare node:http. CPU µs per request: each process group\'s CPU time over the run (from /proc) divided by the requests answered; the load generator is not counted.',
      '',
      '| workload | req/s (median) | range of runs | p50 ms | p99 ms | errors | ratio | CPU µs/request: instances | nginx | PostgreSQL | Redis |',
      '|---|---:|---|---:|---:|---:|---|---:|---:|---:|---:|',
      ...cluster.map(r => `| ${r.workload} | ${fmt(r.result.rps)} | ${r.result.rpsRange === undefined ? '' : `${fmt(r.result.rpsRange[0])}–${fmt(r.result.rpsRange[1])}`} | ${Number.isNaN(r.result.p50) ? '' : r.result.p50} | ${Number.isNaN(r.result.p99) ? '' : r.result.p99} | ${r.result.errors}${Object.keys(r.result.statuses).filter(k => k !== '2xx').length > 0 ? ' ' + JSON.stringify(r.result.statuses) : ''} | ${r.workload.startsWith('baseline') ? 'baseline' : r.workload.startsWith('login') ? `${ratio(r.result.rps, clusterLogin)} × login directly` : `${ratio(r.result.rps, clusterBare)} × node:http`} | ${us(r.cpuUsPerRequest?.instances)} | ${us(r.cpuUsPerRequest?.nginx)} | ${us(r.cpuUsPerRequest?.postgres)} | ${us(r.cpuUsPerRequest?.redis)} |`)
    ].join('\n')
const report = `# Benchmarks\n\n${header}\n\n${table}\n\n${goals}\n\n## Several instances behind nginx\n\n${clusterTable}\n`
process.stdout.write(`\n${report}`)
fs.writeFileSync('BENCHMARKS.md', report)
