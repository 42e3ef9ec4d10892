// Password hashing off the event loop: a pool of worker threads (piscina) at a lower CPU
// priority, with a bounded queue. Past the queue, callers get OVERLOADED (503 with
// Retry-After) at once instead of a latency that grows without bound.
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import { Piscina } from 'piscina'
import { AuthError } from './errors.js'
import type { PasswordCheck } from './passwords.js'
import type { HashTask } from './password-worker.js'

export interface PasswordHasher {
  hash: (password: string) => Promise<string>
  verify: (stored: string, password: string) => Promise<PasswordCheck>
  /**
   * Spends the time a real verification would, for an email that has no account, so
   * "unknown email" and "wrong password" cannot be told apart by timing.
   */
  verifyDummy: (password: string) => Promise<void>
  close: () => Promise<void>
}

export interface HasherOptions {
  /** Worker threads, each hashing one password at a time. */
  readonly threads: number
  /** Hashes allowed to wait for a thread; more are refused. */
  readonly queueLimit: number
}

export function defaultHashThreads (): number {
  return os.availableParallelism()
}

// Under tsx (tests, development) the worker is the TypeScript source.
const WORKER = new URL(import.meta.url.endsWith('.ts') ? './password-worker.ts' : './password-worker.js', import.meta.url).href

export function createPasswordHasher (options: HasherOptions): PasswordHasher {
  const pool = new Piscina({
    filename: WORKER,
    minThreads: 0,
    maxThreads: options.threads,
    maxQueue: options.queueLimit,
    concurrentTasksPerWorker: 2,
    // Idle threads go after a minute: each holds an isolate and argon2's 19 MiB.
    idleTimeout: 60_000
  })
  async function run<T> (task: HashTask): Promise<T> {
    if (pool.queueSize >= options.queueLimit) throw overloaded()
    try {
      return await pool.run(task) as T
    } catch (error) {
      if (error instanceof Error && /queue is at limit/i.test(error.message)) throw overloaded()
      throw error
    }
  }
  let dummyHash: Promise<string> | undefined
  return {
    hash: async (password) => await run<string>({ op: 'hash', password }),
    verify: async (stored, password) => await run<PasswordCheck>({ op: 'verify', stored, password }),
    async verifyDummy (password) {
      dummyHash ??= run<string>({ op: 'hash', password: randomBytes(16).toString('base64url') })
      await run<PasswordCheck>({ op: 'verify', stored: await dummyHash, password })
    },
    close: async () => { await pool.destroy() }
  }
}

function overloaded (): AuthError {
  return new AuthError('OVERLOADED', 'too many sign-ins at once; try again shortly', 1)
}
