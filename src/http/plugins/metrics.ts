// HTTP metrics and GET /metrics. Each answer counts once in http_requests_total and
// http_request_duration_seconds, labelled with the route template (`/users/:id`, never
// the raw path; `unmatched` for 404s). The label children are cached per method, route
// and status, so a request costs two lookups in a Map, not a hash of its labels.
// GET /metrics answers clients of METRICS_ALLOW and holders of METRICS_TOKEN; everybody
// else gets the same 404 as for a path that does not exist.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Counter, Histogram } from 'prom-client'
import type { MetricsConfig } from '../../config.js'
import type { Metrics } from '../../metrics.js'
import { createAccessCheck } from '../access-check.js'

export const METRICS_PATH = '/metrics'

interface Children { readonly requests: Counter.Internal, readonly duration: Histogram.Internal<'method' | 'route' | 'status'> }

export const metricsPlugin = fp(async function metricsRoutes (app: FastifyInstance, { metrics, config }: { metrics: Metrics, config: MetricsConfig }) {
  const children = new Map<string, Children>()
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    const route = request.is404 ? 'unmatched' : request.routeOptions.url ?? 'unmatched'
    const status = reply.statusCode
    const key = `${request.method} ${status} ${route}`
    let child = children.get(key)
    if (child === undefined) {
      const labels = { method: request.method, route, status: String(status) }
      child = { requests: metrics.httpRequests.labels(labels), duration: metrics.httpDuration.labels(labels) }
      children.set(key, child)
    }
    child.requests.inc()
    child.duration.observe(reply.elapsedTime / 1000)
    done()
  })

  const mayRead = createAccessCheck(config)
  app.get(METRICS_PATH, { schema: { hide: true }, config: { logRequest: false } }, async (request, reply) => {
    if (!mayRead(request)) return reply.callNotFound()
    return await reply.type(metrics.registry.contentType).send(await metrics.registry.metrics())
  })
}, { name: 'authsvc-metrics' })
