// Work that runs after the reply (reset tokens and mail), tracked so that shutdown waits
// for it and a failure is logged with what it was, never lost silently.
export interface BackgroundLogger {
  error: (obj: object, msg: string) => void
}

export interface Background {
  /** Starts `task` now without awaiting it; a failure is logged as "`what` failed". */
  defer: (what: string, task: () => Promise<void>) => void
  /** Waits for every task started so far. */
  drain: () => Promise<void>
}

export function createBackground (log: BackgroundLogger): Background {
  const pending = new Set<Promise<void>>()
  return {
    defer (what, task) {
      const running: Promise<void> = task()
        .catch((err: unknown) => { log.error({ err }, `${what} failed`) })
        .finally(() => pending.delete(running))
      pending.add(running)
    },
    async drain () {
      while (pending.size > 0) await Promise.allSettled(pending)
    }
  }
}
