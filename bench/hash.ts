// The hashing ceiling: the service's own hashPassword() alone, as many at once as the
// thread pool runs, for a few seconds. Prints hashes per second as JSON.
import { hashPassword } from '../src/auth/passwords.js'

const seconds = Number(process.argv[2] ?? '5')
const parallel = Number(process.env.UV_THREADPOOL_SIZE ?? 4)
const deadline = Date.now() + seconds * 1000
let done = 0
await Promise.all(Array.from({ length: parallel }, async () => {
  while (Date.now() < deadline) {
    await hashPassword('bench password long enough')
    done += 1
  }
}))
process.stdout.write(JSON.stringify({ rps: done / seconds, parallel }) + '\n')
