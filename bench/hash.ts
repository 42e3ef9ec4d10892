// The hashing ceiling: the service's own password hasher (worker threads, one per core
// unless HASH_THREADS says otherwise) kept busy for a few seconds, nothing else running.
// Prints hashes per second as JSON.
import { createPasswordHasher, defaultHashThreads } from '../src/auth/password-hasher.js'

const seconds = Number(process.argv[2] ?? '5')
const threads = Number(process.env.HASH_THREADS ?? 0) || defaultHashThreads()
const hasher = createPasswordHasher({ threads, queueLimit: 1000 })
const callers = threads * 2
async function busy (until: number): Promise<number> {
  let done = 0
  await Promise.all(Array.from({ length: callers }, async () => {
    while (Date.now() < until) {
      await hasher.hash('bench password long enough')
      // As autocannon counts only the answers that arrive within its duration.
      if (Date.now() <= until) done += 1
    }
  }))
  return done
}
// Every thread started and hashing before the clock runs: the pool starts its threads
// on demand, and a thread's start-up inside the window would lower the ceiling.
await busy(Date.now() + 300)
const done = await busy(Date.now() + seconds * 1000)
await hasher.close()
process.stdout.write(JSON.stringify({ rps: done / seconds, parallel: threads }) + '\n')
