// Scheduled work (the expired-row sweep, the legacy-hash timing): every(name, ms, task)
// runs `task` every `ms` once started, never two runs of one job at once, a failure
// logged with the job's name. An `exclusive` job runs on one instance at a time: each run
// first takes (or renews) the job's lease in the database for two intervals, and an
// instance that does not get it skips the run. close() stops the timers, waits for runs
// under way and gives its leases up.
import type { Leases } from './db/leases.js'

export interface JobsLogger {
  warn: (obj: object, msg: string) => void
}

export interface Jobs {
  every: (name: string, intervalMs: number, task: () => Promise<void>, options?: { exclusive?: boolean }) => void
  /** Starts the timers of every job registered so far (and of any registered later). */
  start: () => void
  close: () => Promise<void>
}

export function createJobs (log: JobsLogger, leases?: Leases): Jobs {
  const jobs: Array<{ name: string, intervalMs: number, task: () => Promise<void>, exclusive: boolean, timer?: NodeJS.Timeout }> = []
  const held = new Set<string>()
  const running = new Map<string, Promise<void>>()
  let started = false
  let closed = false

  function schedule (job: (typeof jobs)[number]): void {
    job.timer = setInterval(() => {
      // A run still going when the next is due: skip this one.
      if (closed || running.has(job.name)) return
      const run = (async () => {
        if (job.exclusive && leases !== undefined) {
          // Two intervals: a holder whose timer fires late keeps its lease; one that stopped
          // without giving it up (killed) is replaced within two intervals.
          if (!await leases.acquire(job.name, 2 * job.intervalMs)) { held.delete(job.name); return }
          held.add(job.name)
        }
        await job.task()
      })()
        .catch((err: unknown) => { log.warn({ err, job: job.name }, `${job.name} failed`) })
        .finally(() => running.delete(job.name))
      running.set(job.name, run)
    }, job.intervalMs).unref()
  }

  return {
    every (name, intervalMs, task, options = {}) {
      const job = { name, intervalMs, task, exclusive: options.exclusive === true }
      jobs.push(job)
      if (started) schedule(job)
    },
    start () {
      if (started) return
      started = true
      for (const job of jobs) schedule(job)
    },
    async close () {
      closed = true
      for (const job of jobs) clearInterval(job.timer)
      await Promise.allSettled([...running.values()])
      if (leases !== undefined) await Promise.allSettled([...held].map(async name => { await leases.release(name) }))
    }
  }
}
