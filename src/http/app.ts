// buildApp(deps) → FastifyInstance: plugins, hooks and routes. It never listens; the CLI
// and the tests do. It owns db and mailer from here on and closes them in onClose.
import cors from '@fastify/cors'
import formbody from '@fastify/formbody'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify'
import type { AuthContext } from '../auth/context.js'
import { createBackground } from '../background.js'
import { createPasswordHasher, defaultHashThreads } from '../auth/password-hasher.js'
import { createSessionLookup } from '../auth/session-lookup.js'
import { deleteExpiredRows } from '../auth/sessions.js'
import type { Config } from '../config.js'
import type { Db } from '../db/index.js'
import type { CounterStore } from '../limits/counter-store.js'
import type { Mailer } from '../mail/mailer.js'
import { findSlowestStoredHash } from '../auth/users.js'
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

export interface AppDeps {
  readonly config: Config
  readonly db: Db
  readonly mailer: Mailer
  /** Counters of the abuse limits: createCounterStore(config, …). */
  readonly counters: CounterStore
  readonly logger: FastifyBaseLogger
  /** Milliseconds since the epoch; Date.now unless a caller needs otherwise. */
  readonly now?: () => number
}

const BODY_LIMIT_BYTES = 64 * 1024
const SWEEP_INTERVAL_MS = 10 * 60 * 1000

function pathOf (url: string): string {
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}

/** TRUST_PROXY=N: trust the N proxies nearest to this server (proxy-addr's hop count). */
function trustHops (hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops
}

export async function buildApp (deps: AppDeps): Promise<FastifyInstance> {
  const { config, db, mailer, counters } = deps
  const headers = securityHeaders(config.env === 'production')
  const { handleClientError, handleExpectation, handleFrameworkError } = createEarlyErrorHandlers(headers)
  const requestTimeoutMs = config.http.requestTimeoutSeconds * 1000
  const app = Fastify({
    loggerInstance: deps.logger,
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
  const hasher = createPasswordHasher({
    threads: config.hashing.threads || defaultHashThreads(),
    queueLimit: config.hashing.queueLimit,
    perClientLimit: config.hashing.perClientLimit
  })
  const background = createBackground(app.log)
  const sessionLookup = createSessionLookup(db)
  const ctx: AuthContext = { db, config, mailer, counters, hasher, background, sessionLookup, now: deps.now ?? Date.now }
  app.server.on('checkExpectation', handleExpectation)

  app.addHook('onClose', async () => {
    await background.drain()
    await mailer.close()
    await counters.close()
    await hasher.close()
    await db.destroy()
  })

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

  // Failed logins are padded to the slowest stored hash: measured before the first request,
  // and again by each sweep while there is one, to notice when the last legacy hash has
  // been replaced (a hash imported later is noticed at its first login). A database that
  // is down at start delays it to the next sweep; it never stops the start.
  let calibrated = false
  const calibrateFailures = async (): Promise<void> => {
    try {
      await hasher.calibrate(await findSlowestStoredHash(db))
      calibrated = true
    } catch (err) {
      app.log.warn({ err }, 'failed-login timing calibration failed; retried at the next sweep')
    }
  }
  let sweep: NodeJS.Timeout | undefined
  app.addHook('onReady', async () => {
    await hasher.warmUp()
    await calibrateFailures()
    sweep = setInterval(() => {
      deleteExpiredRows(db, ctx.now()).catch((err: unknown) => { app.log.warn({ err }, 'expired-row sweep failed') })
      if (!calibrated || hasher.padsFailures()) void calibrateFailures()
    }, SWEEP_INTERVAL_MS).unref()
  })
  app.addHook('preClose', async () => { clearInterval(sweep) })
  return app
}
