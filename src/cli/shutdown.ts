// `serve` on SIGTERM or SIGINT: stop accepting connections, let the requests in flight
// finish, close the services, exit 0. SHUTDOWN_TIMEOUT bounds it: a client holding an idle
// connection open does not keep the process alive (still exit 0: nothing was lost), but a
// request still unanswered then is abandoned, and the exit code (1) says so, with one log
// line counting them, for the orchestrator and the operator.
import type { FastifyInstance } from 'fastify'
import { EXIT_ERROR, EXIT_OK } from './usage.js'

export function exitOnSignals (app: FastifyInstance, shutdownTimeoutSeconds: number, exit: (code: number) => void = code => process.exit(code)): void {
  let inFlight = 0
  app.server.on('request', (_request, response) => {
    inFlight += 1
    response.once('close', () => { inFlight -= 1 })
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      app.log.info({ signal }, 'shutting down: no new connections; finishing the requests in flight')
      setTimeout(() => {
        if (inFlight > 0) {
          app.log.error({ seconds: shutdownTimeoutSeconds, abandoned: inFlight }, `SHUTDOWN_TIMEOUT reached: exiting with ${inFlight} request${inFlight === 1 ? '' : 's'} in flight abandoned, unanswered`)
          exit(EXIT_ERROR)
        } else {
          app.log.warn({ seconds: shutdownTimeoutSeconds }, 'SHUTDOWN_TIMEOUT reached: exiting with idle connections still open')
          exit(EXIT_OK)
        }
      }, shutdownTimeoutSeconds * 1000).unref()
      app.close().then(() => { exit(EXIT_OK) }, (err: unknown) => {
        app.log.error({ err }, 'shutdown failed')
        exit(EXIT_ERROR)
      })
    })
  }
}
