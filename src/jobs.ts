// Scheduled work (the expired-row sweep, the legacy-hash timing): every(name, ms, task)
// runs `task` every `ms` once started, never two runs of one job at once, a failure
// logged with the job's name. close() stops the timers and waits for runs under way.
export interface JobsLogger {
  warn: (obj: object, msg: string) => void
}

export interface Jobs {
  every: (name: string, intervalMs: number, task: () => Promise<void>) => void
  /** Starts the timers of every job registered so far (and of any registered later). */
  start: () => void
  close: () => Promise<void>
}

export function createJobs (log: JobsLogger): Jobs {
  const jobs: Array<{ name: string, intervalMs: number, task: () => Promise<void>, timer?: NodeJS.Timeout }> = []
  const running = new Map<string, Promise<void>>()
  let started = false
  let closed = false

  function schedule (job: (typeof jobs)[number]): void {
    job.timer = setInterval(() => {
      // A run still going when the next is due: skip this one.
      if (closed || running.has(job.name)) return
      const run = job.task()
        .catch((err: unknown) => { log.warn({ err, job: job.name }, `${job.name} failed`) })
        .finally(() => running.delete(job.name))
      running.set(job.name, run)
    }, job.intervalMs).unref()
  }

  return {
    every (name, intervalMs, task) {
      const job = { name, intervalMs, task }
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
    }
  }
}
