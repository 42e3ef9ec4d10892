// The sign-in floor: bare node:http answering each request after one password check on
// the service's own hasher, and nothing else: no framework, no database, no cookie.
// Driven by the same login workload, it shows how close any sign-in can come to the
// hashing ceiling on this machine; the gap is the load generator, the kernel and the
// HTTP layer, all sharing the cores with the hasher.
import http from 'node:http'
import { createPasswordHasher, defaultHashThreads } from '../src/auth/password-hasher.js'

const PASSWORD = 'bench password long enough'
const threads = Number(process.env.HASH_THREADS ?? 0) || defaultHashThreads()
const hasher = createPasswordHasher({ threads, queueLimit: 1000 })
const stored = await hasher.hash(PASSWORD)
const body = JSON.stringify({ message: 'logged in' })

const server = http.createServer((request, response) => {
  request.resume()
  request.once('end', () => {
    hasher.verify(stored, PASSWORD).then(() => {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) })
      response.end(body)
    }, () => {
      response.writeHead(503).end()
    })
  })
})
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1')
process.on('SIGTERM', () => { server.close(() => { void hasher.close().then(() => process.exit(0)) }) })
