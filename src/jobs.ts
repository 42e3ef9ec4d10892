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

export interface JobOptions {
  /** One instance at a time (a lease in the database). */
  readonly exclusive?: boolean
  /** Says whether there is work, before the lease is taken: a job that polls often (the
   *  outbox's sender) then writes nothing while idle. */
  readonly hasWork?: () => Promise<boolean>
}

export interface Jobs {
  every: (name: string, intervalMs: number, task: () => Promise<void>, options?: JobOptions) => void
  /** Runs the job now rather than at its next tick (once started): new work is waiting. A
   *  run under way is followed by one more, so work it no longer looks for is not left
   *  to the next tick. */
  trigger: (name: string) => void
  /** Starts the timers of every job registered so far (and of any registered later). */
  start: () => void
  close: () => Promise<void>
}

export function createJobs (log: JobsLogger, leases?: Leases): Jobs {
  const jobs: Array<{ name: string, intervalMs: number, task: () => Promise<void>, exclusive: boolean, hasWork?: () => Promise<boolean>, timer?: NodeJS.Timeout }> = []
  /** Leases this instance holds, and until when. */
  const held = new Map<string, number>()
  const running = new Map<string, Promise<void>>()
  let started = false
  let closed = false

  type Job = (typeof jobs)[number]
  const again = new Set<string>()

  function run (job: Job): void {
    // A run still going: this one waits for its end (trigger) or is skipped (the timer).
    if (closed || running.has(job.name)) return
    const pending = (async () => {
      if (job.hasWork !== undefined && !await job.hasWork()) return
      // A lease held for more than one more interval is not renewed: a job triggered often
      // (the outbox's sender, woken by each mail) writes its lease once per interval, not per run.
      if (job.exclusive && leases !== undefined && (held.get(job.name) ?? 0) <= Date.now() + job.intervalMs) {
        // Two intervals: a holder whose timer fires late keeps its lease; one that stopped
        // without giving it up (killed) is replaced within two intervals.
        const until = Date.now() + 2 * job.intervalMs
        if (!await leases.acquire(job.name, 2 * job.intervalMs)) { held.delete(job.name); return }
        held.set(job.name, until)
      }
      await job.task()
    })()
      .catch((err: unknown) => { log.warn({ err, job: job.name }, `${job.name} failed`) })
      .finally(() => {
        running.delete(job.name)
        if (again.delete(job.name)) run(job)
      })
    running.set(job.name, pending)
  }

  function schedule (job: Job): void {
    job.timer = setInterval(() => { run(job) }, job.intervalMs).unref()
  }

  return {
    every (name, intervalMs, task, options = {}) {
      const job = { name, intervalMs, task, exclusive: options.exclusive === true, hasWork: options.hasWork }
      jobs.push(job)
      if (started) schedule(job)
    },
    trigger (name) {
      const job = jobs.find(job => job.name === name)
      if (job === undefined || !started || closed) return
      if (running.has(name)) again.add(name)
      else run(job)
    },
    start () {
      if (started) return
      started = true
      for (const job of jobs) schedule(job)
    },
    async close () {
      closed = true
      for (const job of jobs) clearInterval(job.timer)
      await Promise.allSettled(running.values())
      if (leases !== undefined) await Promise.allSettled([...held.keys()].map(async name => { await leases.release(name) }))
    }
  }
}
