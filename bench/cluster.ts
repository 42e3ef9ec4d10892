// The cluster part of `npm run bench`: GET /profile and sign-in through nginx with one and
// with two instances (npm run cluster), beside bare node:http and one instance reached
// directly, in turns, on PostgreSQL and Redis. With each run, the CPU time every process
// spent (the instances, nginx, PostgreSQL, Redis), read from /proc before and after and
// divided by the requests answered: where the CPU goes per request (docs/scaling.md).
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { type Database, inTurns, LIMITS_OFF, load, log, PASSWORD, type Running, signIn, start, type Summary } from './support.js'

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100

export interface CpuShare { instances: number, nginx: number, postgres: number, redis: number }
export interface ClusterRow { workload: string, result: Summary, cpuUsPerRequest?: CpuShare }

function pidsOf (name: string, parent?: number): number[] {
  try {
    const args = parent === undefined ? ['-x', name] : ['-P', String(parent)]
    return execFileSync('pgrep', args).toString().trim().split('\n').filter(Boolean).map(Number)
  } catch {
    return []
  }
}

function statFields (pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  } catch {
    return [] // gone
  }
}

/** CPU seconds (user + system) the processes have used so far. */
function cpuSeconds (pids: number[]): number {
  return pids.reduce((ticks, pid) => { const f = statFields(pid); return ticks + (Number(f[11]) || 0) + (Number(f[12]) || 0) }, 0) / TICKS
}

/** CPU seconds of PostgreSQL so far: the postmaster, the backends it has reaped (its
 *  children's time) and the ones alive now. Backends come and go during a run. */
function postgresSeconds (): number {
  const postmaster = (() => { try { return Number(execFileSync('pgrep', ['-o', '-x', 'postgres']).toString().trim()) } catch { return NaN } })()
  if (Number.isNaN(postmaster)) return NaN
  const f = statFields(postmaster)
  const own = (Number(f[11]) || 0) + (Number(f[12]) || 0) + (Number(f[13]) || 0) + (Number(f[14]) || 0)
  return own / TICKS + cpuSeconds(pidsOf('', postmaster))
}

function processesOf (cluster: Running): Record<keyof CpuShare, number[]> {
  const children = pidsOf('', cluster.child.pid)
  const nginxMasters = children.filter(pid => fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'nginx')
  return {
    instances: children.filter(pid => !nginxMasters.includes(pid)),
    nginx: [...nginxMasters, ...nginxMasters.flatMap(pid => pidsOf('', pid))],
    postgres: [],
    redis: pidsOf('redis-server')
  }
}

async function measured (cluster: Running | null, run: () => Promise<Summary>): Promise<{ result: Summary, cpu?: CpuShare }> {
  if (cluster === null) return { result: await run() }
  const processes = processesOf(cluster)
  const seconds = (key: keyof CpuShare): number => key === 'postgres' ? postgresSeconds() : cpuSeconds(processes[key])
  const keys: Array<keyof CpuShare> = ['instances', 'nginx', 'postgres', 'redis']
  const before = Object.fromEntries(keys.map(key => [key, seconds(key)]))
  const result = await run()
  const per = (key: keyof CpuShare): number => result.requests > 0 ? (seconds(key) - (before[key] ?? 0)) / result.requests * 1e6 : NaN
  return { result, cpu: { instances: per('instances'), nginx: per('nginx'), postgres: per('postgres'), redis: per('redis') } }
}

async function reachable (url: string): Promise<boolean> {
  const { hostname, port } = new URL(url)
  return await new Promise(resolve => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) }, () => { socket.end(); resolve(true) })
    socket.on('error', () => { resolve(false) })
  })
}

export async function benchCluster (database: Database, turns: { rounds: number, seconds: number, warmUpSeconds: number }): Promise<ClusterRow[] | string> {
  if (!fs.existsSync('/usr/sbin/nginx')) return 'nginx is not installed (sh scripts/test-prerequisites.sh)'
  if (!await reachable(REDIS_URL)) return `no Redis at ${REDIS_URL} (set BENCH_REDIS_URL)`
  const outbox = fs.mkdtempSync(path.join(os.tmpdir(), 'authsvc-bench-outbox-'))
  // The per-IP sign-in limit on (high enough never to refuse): its counter is Redis's share
  // of a sign-in. The account throttle stays off: the load signs one account in many times
  // at once, which the throttle (rightly) slows down.
  const env = { ...LIMITS_OFF, RATE_LIMIT_LOGIN: '1000000', DATABASE_URL: database.url, REDIS_URL, REDIS_KEY_PREFIX: `authsvc-bench-${process.pid}:`, MAIL_OUTBOX: outbox, NODE_ENV: 'development', LOG_LEVEL: 'warn' }
  const running: Running[] = []
  try {
    const bare = await start(['bench/bare-server.mjs'], {})
    running.push(bare)
    // Two clusters at once: each its own pid file (the default one is for a single cluster).
    const one = await start(['dist/cluster/main.js', '--instances', '1', '--pid-file', path.join(outbox, 'one.pid')], env)
    running.push(one)
    const two = await start(['dist/cluster/main.js', '--instances', '2', '--pid-file', path.join(outbox, 'two.pid')], env)
    running.push(two)
    const direct = `http://127.0.0.1:${Number(new URL(one.url).port) + 1}`
    const email = 'bench-cluster@example.com'
    const token = await signIn(one.url, email)
    const cpu: Record<string, CpuShare | undefined> = {}
    const profile = (url: string, cluster: Running | null, name: string) => async (seconds: number): Promise<Summary> => {
      const { result, cpu: share } = await measured(cluster, async () => (await load(url, 'profile', { token, seconds })).main as Summary)
      if (share !== undefined && seconds === turns.seconds) cpu[name] = share
      return result
    }
    const login = (url: string, cluster: Running | null, name: string) => async (seconds: number): Promise<Summary> => {
      const { result, cpu: share } = await measured(cluster, async () => (await load(url, 'login', { email, password: PASSWORD, seconds })).main as Summary)
      if (share !== undefined && seconds === turns.seconds) cpu[name] = share
      return result
    }
    log('cluster: profile — bare node:http, one instance directly, nginx + 1 instance, nginx + 2 instances, in turns')
    const profiles = await inTurns({
      bare: async (seconds) => (await load(bare.url, 'get', { seconds })).main as Summary,
      direct: profile(direct, one, 'profile direct'),
      one: profile(one.url, one, 'profile nginx 1'),
      two: profile(two.url, two, 'profile nginx 2')
    }, turns)
    log('cluster: sign-in — one instance directly, nginx + 1, nginx + 2, in turns')
    const logins = await inTurns({
      direct: login(direct, one, 'login direct'),
      one: login(one.url, one, 'login nginx 1'),
      two: login(two.url, two, 'login nginx 2')
    }, turns)
    return [
      { workload: 'baseline: bare node:http, fixed JSON', result: profiles.bare as Summary },
      { workload: 'profile, one instance directly', result: profiles.direct as Summary, cpuUsPerRequest: cpu['profile direct'] },
      { workload: 'profile through nginx, 1 instance', result: profiles.one as Summary, cpuUsPerRequest: cpu['profile nginx 1'] },
      { workload: 'profile through nginx, 2 instances', result: profiles.two as Summary, cpuUsPerRequest: cpu['profile nginx 2'] },
      { workload: 'login, one instance directly', result: logins.direct as Summary, cpuUsPerRequest: cpu['login direct'] },
      { workload: 'login through nginx, 1 instance', result: logins.one as Summary, cpuUsPerRequest: cpu['login nginx 1'] },
      { workload: 'login through nginx, 2 instances', result: logins.two as Summary, cpuUsPerRequest: cpu['login nginx 2'] }
    ]
  } finally {
    for (const process of running.reverse()) await process.stop()
    fs.rmSync(outbox, { recursive: true, force: true })
  }
}
