// Counters with expiry for the abuse limits: in this process's memory on a single
// instance, in Redis when several instances must enforce one limit (REDIS_URL).
import type { Redis } from 'ioredis'
import type { RedisConfig } from '../config.js'

export interface Count {
  readonly count: number
  /** Milliseconds until the counter expires. */
  readonly resetInMs: number
}

export interface CounterStore {
  /**
   * Adds one to `key` and returns the new count. The counter expires `windowMs` after it
   * was created (a fixed window), or after the latest increment when `extend` is set.
   */
  increment: (key: string, windowMs: number, extend?: boolean) => Promise<Count>
  /** Marks `key` for `ms` milliseconds. */
  block: (key: string, ms: number) => Promise<void>
  /** Milliseconds `key` stays marked; 0 when it is not. */
  blockedForMs: (key: string) => Promise<number>
  remove: (...keys: string[]) => Promise<void>
  close: () => Promise<void>
}

export interface StoreLogger {
  warn: (obj: object, msg: string) => void
}

// A bound on memory that attacker-chosen keys (emails, IPs) can take; oldest go first.
const MAX_MEMORY_KEYS = 100_000

export function createMemoryStore (now: () => number = Date.now): CounterStore {
  const entries = new Map<string, { count: number, expiresAt: number }>()
  const live = (key: string): { count: number, expiresAt: number } | undefined => {
    const entry = entries.get(key)
    if (entry !== undefined && entry.expiresAt <= now()) {
      entries.delete(key)
      return undefined
    }
    return entry
  }
  const set = (key: string, entry: { count: number, expiresAt: number }): void => {
    entries.delete(key) // re-insert: Map order is then the order of last use
    entries.set(key, entry)
    if (entries.size > MAX_MEMORY_KEYS) entries.delete(entries.keys().next().value as string)
  }
  const sweep = setInterval(() => {
    const t = now()
    for (const [key, entry] of entries) if (entry.expiresAt <= t) entries.delete(key)
  }, 60_000).unref()

  return {
    async increment (key, windowMs, extend = false) {
      const entry = live(key)
      const t = now()
      const next = { count: (entry?.count ?? 0) + 1, expiresAt: entry === undefined || extend ? t + windowMs : entry.expiresAt }
      set(key, next)
      return { count: next.count, resetInMs: next.expiresAt - t }
    },
    async block (key, ms) { set(key, { count: 1, expiresAt: now() + ms }) },
    async blockedForMs (key) {
      const entry = live(key)
      return entry === undefined ? 0 : entry.expiresAt - now()
    },
    async remove (...keys) { for (const key of keys) entries.delete(key) },
    async close () {
      clearInterval(sweep)
      entries.clear()
    }
  }
}

// INCR and its expiry in one step, so no counter is ever left without a TTL.
const INCREMENT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 or ARGV[2] == '1' then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}
`

export function createRedisStore (redis: Redis): CounterStore {
  return {
    async increment (key, windowMs, extend = false) {
      const [count, ttl] = await redis.eval(INCREMENT_SCRIPT, 1, key, String(windowMs), extend ? '1' : '0') as [number, number]
      return { count, resetInMs: ttl > 0 ? ttl : windowMs }
    },
    async block (key, ms) { await redis.set(key, '1', 'PX', ms) },
    async blockedForMs (key) { return Math.max(0, await redis.pttl(key)) },
    async remove (...keys) { if (keys.length > 0) await redis.del(...keys) },
    async close () { redis.disconnect() }
  }
}

/**
 * Redis first; while Redis cannot answer, this instance's memory. Limits then hold per
 * instance instead of failing open altogether, and the service keeps serving.
 */
export function createFallbackStore (primary: CounterStore, fallback: CounterStore, log: StoreLogger): CounterStore {
  const warn = warnAtMostEvery30s(log)
  async function attempt<T> (run: (store: CounterStore) => Promise<T>): Promise<T> {
    try {
      return await run(primary)
    } catch (err) {
      warn(err, 'Redis unavailable: abuse limits are kept in this instance\'s memory until it is back')
      return await run(fallback)
    }
  }
  return {
    increment: async (key, windowMs, extend) => await attempt(store => store.increment(key, windowMs, extend)),
    block: async (key, ms) => { await attempt(store => store.block(key, ms)) },
    blockedForMs: async (key) => await attempt(store => store.blockedForMs(key)),
    remove: async (...keys) => { await attempt(store => store.remove(...keys)) },
    async close () {
      await primary.close()
      await fallback.close()
    }
  }
}

/** A warning that repeats at most every 30 s: a Redis outage would otherwise flood the log. */
function warnAtMostEvery30s (log: StoreLogger): (err: unknown, msg: string) => void {
  let last = 0
  return (err, msg) => {
    if (Date.now() - last < 30_000) return
    last = Date.now()
    log.warn({ err }, msg)
  }
}

/** Waits for Redis to be ready, at most `ms`; the memory fallback serves until it is. */
async function waitUntilReady (redis: Redis, ms: number, log: StoreLogger): Promise<void> {
  if (redis.status === 'ready') return
  let timer: NodeJS.Timeout | undefined
  const ready = new Promise<boolean>(resolve => { redis.once('ready', () => { resolve(true) }) })
  const timeout = new Promise<boolean>(resolve => { timer = setTimeout(() => { resolve(false) }, ms) })
  const isReady = await Promise.race([ready, timeout])
  clearTimeout(timer)
  if (!isReady) log.warn({}, `Redis not ready after ${ms} ms: starting with limits in memory until it is`)
}

/** The store the configuration asks for: memory, or Redis with a memory fallback. */
export async function createCounterStore (config: RedisConfig, log: StoreLogger): Promise<CounterStore> {
  if (config.url === null) return createMemoryStore()
  // Loaded only when configured, like the database drivers.
  const { Redis } = await import('ioredis')
  const redis = new Redis(config.url, {
    keyPrefix: config.keyPrefix,
    // Fail fast while disconnected instead of queueing: a request must not wait on Redis.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000)
  })
  const warn = warnAtMostEvery30s(log)
  redis.on('error', (err: unknown) => { warn(err, 'Redis connection error; retrying') })
  await waitUntilReady(redis, 2000, log)
  return createFallbackStore(createRedisStore(redis), createMemoryStore(), log)
}
