// Readiness: can this instance serve? A real write to the database (a database that reads
// but cannot write is not ready), and a PING to Redis when it is configured, each within a
// short timeout; a check that fails or does not answer in time is 'unreachable'. What went wrong is logged by the caller's logger,
// never answered.
import type { Db } from '../../db/index.js'
import { probeWrite } from '../../db/leases.js'
import type { CounterStore } from '../../limits/counter-store.js'

/** Each check's limit: a readiness probe must answer before the prober gives up (often 1 s). */
export const CHECK_TIMEOUT_MS = 800

export type CheckResult = 'ok' | 'unreachable'

/** ok: every check passed; degraded: serving without an optional dependency (Redis, whose
 *  limits then live in this instance's memory); unavailable: the database cannot serve. */
export type ReadinessStatus = 'ok' | 'degraded' | 'unavailable'

export interface Readiness {
  readonly status: ReadinessStatus
  readonly checks: Readonly<Record<string, CheckResult>>
}

/** Only the database is required: without Redis every request is still served (the
 *  counters' memory fallback), so a Redis blip must not take every instance out of a load
 *  balancer at once. */
export function statusOf (checks: Readonly<Record<string, CheckResult>>): ReadinessStatus {
  if (checks.database !== 'ok') return 'unavailable'
  return Object.values(checks).every(result => result === 'ok') ? 'ok' : 'degraded'
}

export interface ReadinessDeps {
  readonly db: Db
  readonly counters: CounterStore
  /** Whether REDIS_URL is set: only then is Redis a dependency to check. */
  readonly redis: boolean
  readonly onFailure: (check: string, error: unknown) => void
}

async function within (ms: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`no answer within ${ms} ms`)) }, ms) })
  try {
    await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

export async function checkReadiness (deps: ReadinessDeps): Promise<Readiness> {
  const probes: Record<string, () => Promise<unknown>> = { database: async () => { await probeWrite(deps.db) } }
  if (deps.redis) probes.redis = async () => { await deps.counters.ping() }
  const entries = await Promise.all(Object.entries(probes).map(async ([name, probe]): Promise<[string, CheckResult]> => {
    try {
      await within(CHECK_TIMEOUT_MS, probe())
      return [name, 'ok']
    } catch (error) {
      deps.onFailure(name, error)
      return [name, 'unreachable']
    }
  }))
  const checks = Object.fromEntries(entries)
  return { status: statusOf(checks), checks }
}
