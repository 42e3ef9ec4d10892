// The service's clock in tests (createServices' `now`). It stands still unless the test
// moves it: an expiry or a window passes at once instead of after a sleep, and a block or
// a window a test relies on cannot run out while a busy machine stalls the test.
// (Scheduled jobs and leases keep real time: they run on timers.)
export interface TestClock {
  /** Milliseconds since the epoch, as the service sees them. */
  readonly now: () => number
  /** Moves the service's time forward by `ms`. */
  advance: (ms: number) => void
}

export function createTestClock (startMs = Date.now()): TestClock {
  let nowMs = startMs
  return {
    now: () => nowMs,
    advance (ms) {
      if (!(ms >= 0)) throw new Error(`a clock only moves forward, not by ${ms} ms`)
      nowMs += ms
    }
  }
}
