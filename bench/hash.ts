// The hashing ceiling: the service's own password hasher (worker threads, one per core
// unless HASH_THREADS says otherwise) kept busy for a few seconds, nothing else running.
// Prints hashes per second as JSON.
import { createPasswordHasher, defaultHashThreads } from '../src/auth/password-hasher.js'

const seconds = Number(process.argv[2] ?? '5')
const threads = Number(process.env.HASH_THREADS ?? 0) || defaultHashThreads()
const hasher = createPasswordHasher({ threads, queueLimit: 1000 })
await hasher.hash('warm up the threads')
const deadline = Date.now() + seconds * 1000
let done = 0
await Promise.all(Array.from({ length: threads * 2 }, async () => {
  while (Date.now() < deadline) {
    await hasher.hash('bench password long enough')
    done += 1
  }
}))
await hasher.close()
process.stdout.write(JSON.stringify({ rps: done / seconds, parallel: threads }) + '\n')
