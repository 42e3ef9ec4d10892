// buildApp(services) → FastifyInstance: plugins, hooks and routes over the service graph
// of createServices(). It never listens; the CLI and the tests do. It starts the services
// in onReady and closes them in onClose.
import cors from '@fastify/cors'
import formbody from '@fastify/formbody'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify'
import type { Services } from '../services.js'
import { createEarlyErrorHandlers, registerErrorHandlers } from './errors.js'
import { createCsrfCheck } from './plugins/csrf.js'
import { createIpRateLimit } from './plugins/rate-limit.js'
import { createSecurityHeaders, securityHeaders } from './plugins/security-headers.js'
import { createRequireSession } from './plugins/session.js'
import { lazyChildLogger } from './request-logger.js'
import type { RouteDeps } from './routes/context.js'
import { passwordResetRoutes } from './routes/password-reset.js'
import { sessionRoutes } from './routes/sessions.js'
import { userRoutes } from './routes/users.js'

const BODY_LIMIT_BYTES = 64 * 1024

function pathOf (url: string): string {
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}

/** TRUST_PROXY=N: trust the N proxies nearest to this server (proxy-addr's hop count). */
function trustHops (hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops
}

export async function buildApp (services: Services): Promise<FastifyInstance> {
  const { config, counters, auth: ctx } = services
  const headers = securityHeaders(config.env === 'production')
  const { handleClientError, handleExpectation, handleFrameworkError } = createEarlyErrorHandlers(headers)
  const requestTimeoutMs = config.http.requestTimeoutSeconds * 1000
  const app = Fastify({
    // pino's Logger is Fastify's base logger; its type carries a generic Fastify does not.
    loggerInstance: services.logger as FastifyBaseLogger,
    trustProxy: typeof config.http.trustProxy === 'number'
      ? trustHops(config.http.trustProxy)
      : config.http.trustProxy,
    bodyLimit: BODY_LIMIT_BYTES,
    // A request that stops arriving (headers or body) is answered 408 and closed, and an
    // idle keep-alive connection closed: slow clients cannot hold sockets for good.
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutSeconds * 1000,
    // Node checks those timeouts every 30 s by default, which would add up to 30 s to each.
    http: { headersTimeout: requestTimeoutMs, requestTimeout: requestTimeoutMs, connectionsCheckingInterval: Math.min(1000, requestTimeoutMs / 2) },
    // Strict validation: no type coercion, unknown attributes are reported, not dropped.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    frameworkErrors: handleFrameworkError,
    clientErrorHandler: handleClientError,
    // Two log lines per request cost more than the session check itself; requests are
    // logged at debug level instead (below), errors always.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLogger,
    return503OnClosing: true
  })
  app.server.on('checkExpectation', handleExpectation)
  app.addHook('onReady', async () => { await services.start() })
  app.addHook('onClose', async () => { await services.close() })

  app.addHook('onRequest', createSecurityHeaders(headers))
  if (app.log.level === 'debug' || app.log.level === 'trace') {
    app.addHook('onResponse', async (request, reply) => {
      // The path only: a query string may hold a token (a reset link's), and no log line may.
      request.log.debug({ method: request.method, url: pathOf(request.url), statusCode: reply.statusCode, ms: reply.elapsedTime }, 'request')
    })
  }
  // CORS only for TRUSTED_ORIGINS; without any, browsers get no cross-origin access.
  if (config.http.trustedOrigins.length > 0) {
    await app.register(cors, {
      origin: [...config.http.trustedOrigins],
      credentials: true,
      methods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['Content-Type', 'X-Session-ID', 'Prefer'],
      exposedHeaders: ['Retry-After'],
      maxAge: 600
    })
  }
  await app.register(formbody, { bodyLimit: BODY_LIMIT_BYTES })
  // Bodies are JSON or form data; Fastify's built-in text/plain parser would let a
  // string through to validation, so such a request gets a clear 415 instead.
  app.removeContentTypeParser('text/plain')
  app.decorateRequest('session', null)
  // A request without a body is validated as an empty one, so the reply names the
  // missing field instead of complaining about the body's type.
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined) request.body = {}
    done()
  })
  registerErrorHandlers(app)
  app.addHook('onRequest', createCsrfCheck(config.publicUrl, config.http.trustedOrigins))

  const { limits } = config
  const routeDeps: RouteDeps = {
    ctx,
    config,
    requireSession: createRequireSession(ctx),
    rateLimits: {
      register: createIpRateLimit(counters, 'register', limits.registerPerIp, limits.windowSeconds),
      login: createIpRateLimit(counters, 'login', limits.loginPerIp, limits.windowSeconds),
      reset: createIpRateLimit(counters, 'reset', limits.resetPerIp, limits.windowSeconds),
      account: createIpRateLimit(counters, 'account', limits.accountPerIp, limits.windowSeconds)
    }
  }
  app.get('/', async () => ({ message: 'Bienvenue' }))
  userRoutes(app, routeDeps)
  sessionRoutes(app, routeDeps)
  passwordResetRoutes(app, routeDeps)

  return app
}
