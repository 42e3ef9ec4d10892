// A redis-server of the test's own, on a free loopback port, for tests that freeze or kill
// Redis: never the machine's shared one. No persistence, nothing written to disk.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { Redis } from 'ioredis'
import { freePort } from './service.js'

export interface OwnRedis {
  readonly url: string
  /** SIGSTOP: the server keeps its connections but answers nothing. */
  freeze: () => void
  /** SIGCONT after freeze(). */
  thaw: () => void
  /** SIGKILL, and waits for the process to be gone. */
  kill: () => Promise<void>
  /** Kills it if still running. */
  close: () => Promise<void>
}

/** Why no own redis-server can start here, or null when one can. */
export function ownRedisUnavailable (): string | null {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' })
  return probe.error === undefined && probe.status === 0 ? null : 'redis-server is not installed (it is started on a port of the test\'s own)'
}

export async function startOwnRedis (): Promise<OwnRedis> {
  const port = await freePort()
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' })
  let exited = false
  const gone = new Promise<void>(resolve => child.once('exit', () => { exited = true; resolve() }))
  const url = `redis://127.0.0.1:${port}`
  const deadline = Date.now() + 10_000
  for (;;) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 })
    probe.on('error', () => { /* not up yet: asked again below */ })
    const up = await probe.connect().then(async () => await probe.ping() === 'PONG', () => false)
    probe.disconnect()
    if (up) break
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`redis-server did not start on port ${port}`)
    }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  const kill = async (): Promise<void> => {
    if (exited) return
    child.kill('SIGKILL') // a frozen (SIGSTOP) process dies of it too
    await gone
  }
  return {
    url,
    freeze: () => { child.kill('SIGSTOP') },
    thaw: () => { child.kill('SIGCONT') },
    kill,
    close: kill
  }
}
