// Password hashing off the event loop: a pool of worker threads (piscina) at a lower CPU
// priority, behind a bounded queue shared fairly between clients (fair-queue.ts): each
// client waits in its own line, the lines are served in turn, and a full queue refuses
// the client holding the most of it with OVERLOADED (503 with Retry-After) instead of a
// latency that grows without bound. One flood cannot take every sign-in down, and one
// busy client on an idle instance is not capped.
//
// A failed verification is padded to the time the slowest hash in the database would
// take (legacy bcrypt ones, after an import), so the time of a 401 does not tell which
// kind of hash, or whether any account, stands behind an email.
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { Piscina } from 'piscina'
import { AuthError } from './errors.js'
import { createFairQueue } from './fair-queue.js'
import { bcryptCostOf } from './password-forms.js'
import type { PasswordCheck } from './passwords.js'
import type { HashTask, TimedCheck, TimedHash } from './password-worker.js'

export interface PasswordHasher {
  /** `client` (an IP key) waits in its own line of the queue (see fair-queue.ts). */
  hash: (password: string, client?: string) => Promise<string>
  /** A failure answers no sooner than the slowest stored hash would (see calibrate). */
  verify: (stored: string, password: string, client?: string) => Promise<PasswordCheck>
  /**
   * Spends the time a failed verification would, for an email that has no account, so
   * "unknown email" and "wrong password" cannot be told apart by timing.
   */
  verifyDummy: (password: string, client?: string) => Promise<void>
  /**
   * Measures how long a verification of `slowestStored` (the costliest legacy hash in the
   * database) takes, the time every failure is padded to; null turns padding off.
   */
  calibrate: (slowestStored: string | null) => Promise<void>
  /** True while failures are padded (a legacy hash was found or met). */
  padsFailures: () => boolean
  /** Computes the dummy hash ahead of the first unknown email. */
  warmUp: () => Promise<void>
  /** Hashes and verifications waiting for a thread now. */
  queueDepth: () => number
  close: () => Promise<void>
}

export interface HasherOptions {
  /** Worker threads, each hashing one password at a time. */
  readonly threads: number
  /** Hashes allowed to wait for a thread, all clients together; past it the heaviest client is refused. */
  readonly queueLimit: number
  /** Told how long each hash or verification took in its thread (the metrics). */
  readonly onComputed?: (op: 'hash' | 'verify', seconds: number) => void
}

export function defaultHashThreads (): number {
  return os.availableParallelism()
}

// Under tsx (tests, development) the worker is the TypeScript source.
const WORKER = new URL(import.meta.url.endsWith('.ts') ? './password-worker.ts' : './password-worker.js', import.meta.url).href
const CALIBRATION_ROUNDS = 3
// Tasks each thread is handed at once: the next one is ready when a hash ends.
const TASKS_PER_THREAD = 2
// The line of the work no request asked for (the dummy hash, calibration) and of callers
// that name no client (the CLI, benchmarks): never an IP key.
const NO_CLIENT = ''

interface Slowest {
  readonly bcryptCost: number
  /** How long its verification takes here: measured, then kept current by real logins. */
  targetMs: number
}

function median (values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0
}

export function createPasswordHasher (options: HasherOptions): PasswordHasher {
  const pool = new Piscina({
    filename: WORKER,
    minThreads: 0,
    maxThreads: options.threads,
    // The fair queue below hands the pool no more than its threads take at once, so this
    // queue only holds tasks while threads start; the bound is a backstop.
    maxQueue: options.queueLimit,
    concurrentTasksPerWorker: TASKS_PER_THREAD,
    // Idle threads go after a minute: each holds an isolate and argon2's 19 MiB.
    idleTimeout: 60_000
  })
  const queue = createFairQueue({ slots: options.threads * TASKS_PER_THREAD, limit: options.queueLimit, refusal: overloaded })

  async function runInPool<T extends TimedHash | TimedCheck> (task: HashTask): Promise<T> {
    try {
      const result = await pool.run(task) as T
      options.onComputed?.(task.op, result.computeMs / 1000)
      return result
    } catch (error) {
      if (error instanceof Error && /queue is at limit/i.test(error.message)) throw overloaded()
      throw error
    }
  }
  async function run<T extends TimedHash | TimedCheck> (task: HashTask, client: string | undefined): Promise<T> {
    return await queue.run(client ?? NO_CLIENT, async () => await runInPool<T>(task))
  }

  // Cached only once made: a failed attempt (a full queue) must not stay the answer.
  let dummyHash: string | undefined
  async function dummy (client?: string): Promise<string> {
    dummyHash ??= (await run<TimedHash>({ op: 'hash', password: randomBytes(16).toString('base64url') }, client)).hash
    return dummyHash
  }

  let slowest: Slowest | null = null
  let calibrating: Promise<void> | undefined
  async function measure (stored: string): Promise<number> {
    const check = await run<TimedCheck>({ op: 'verify', stored, password: randomBytes(16).toString('base64url') }, undefined)
    return check.computeMs
  }
  async function calibrate (slowestStored: string | null): Promise<void> {
    const cost = slowestStored === null ? null : bcryptCostOf(slowestStored)
    if (slowestStored === null || cost === null) {
      slowest = null
      return
    }
    const times: number[] = []
    for (let round = 0; round < CALIBRATION_ROUNDS; round++) times.push(await measure(slowestStored))
    slowest = { bcryptCost: cost, targetMs: median(times) }
  }
  /**
   * Every verification of the slowest kind moves the target toward what it took (a
   * moving average), so the target follows this machine's load as the real ones do.
   */
  function observe (stored: string, computeMs: number): void {
    if (slowest !== null && bcryptCostOf(stored) === slowest.bcryptCost) slowest.targetMs += (computeMs - slowest.targetMs) * 0.2
  }
  function noticeStoredHash (stored: string): void {
    const cost = bcryptCostOf(stored)
    // A legacy hash costlier than any known (imported while running): calibrate to it now.
    if (cost === null || (slowest !== null && cost <= slowest.bcryptCost) || calibrating !== undefined) return
    calibrating = calibrate(stored).catch(() => { /* a busy pool: the next such login tries again */ }).finally(() => { calibrating = undefined })
  }

  async function verify (stored: string, password: string, client?: string): Promise<PasswordCheck> {
    noticeStoredHash(stored)
    const { valid, needsRehash, computeMs } = await run<TimedCheck>({ op: 'verify', stored, password }, client)
    observe(stored, computeMs)
    // A failure is held until it has taken as long as the slowest stored hash would.
    const pad = valid || slowest === null ? 0 : slowest.targetMs - computeMs
    if (pad >= 1) await sleep(pad)
    return { valid, needsRehash }
  }

  return {
    hash: async (password, client) => (await run<TimedHash>({ op: 'hash', password }, client)).hash,
    verify,
    async verifyDummy (password, client) {
      await verify(await dummy(client), password, client)
    },
    async calibrate (slowestStored) {
      await calibrating
      await calibrate(slowestStored)
    },
    padsFailures: () => slowest !== null,
    async warmUp () { await dummy() },
    queueDepth: () => queue.depth() + pool.queueSize,
    close: async () => {
      await calibrating
      queue.close()
      await pool.destroy()
    }
  }
}

function overloaded (): AuthError {
  return new AuthError('OVERLOADED', 'too many sign-ins at once; try again shortly', 1)
}
