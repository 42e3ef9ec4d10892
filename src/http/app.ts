// buildApp(services) → FastifyInstance: the shared HTTP plugins, then each feature's routes
// plugin, over the service graph of createServices(). It never listens; the CLI and the
// tests do. It starts the services in onReady and closes them in onClose.
import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { createRequire } from 'node:module'
import cors from '@fastify/cors'
import formbody from '@fastify/formbody'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify'
import { accountRoutes } from '../features/account/routes.js'
import { adminClientRoutes } from '../features/admin-clients/routes.js'
import { auditRoutes } from '../features/audit/routes.js'
import { emailChangeRoutes } from '../features/email-change/routes.js'
import { isDatabaseUnavailable } from '../db/errors.js'
import { checkReadiness } from '../features/health/health.js'
import { healthRoutes } from '../features/health/routes.js'
import { homeRoutes } from '../features/home/routes.js'
import { passwordResetRoutes } from '../features/password-reset/routes.js'
import { sessionRoutes } from '../features/sessions/routes.js'
import { userRoutes } from '../features/users/routes.js'
import { verificationRoutes } from '../features/verification/routes.js'
import { loginFlowRoutes } from '../flows/login/routes.js'
import { passkeyRoutes } from '../methods/passkey/routes.js'
import { upstreamRoutes } from '../methods/upstream/routes.js'
import { createUpstreamProviders } from '../methods/upstream/upstream.js'
import { passwordRoutes } from '../methods/password/routes.js'
import { mfaRoutes } from '../methods/totp/routes.js'
import { createProviderReport, createSessionEnd, createServiceSession, createSignInRecorder, openIdProviderPlugin, ProviderHolder } from '../provider/plugin.js'
import { createProvider } from '../provider/provider.js'
import type { Services } from '../services.js'
import { compatCourse } from '../transport/compat-course/plugin.js'
import { faviconRoute } from '../ui/assets.js'
import { providerSecurityPolicy, uiPlugin } from '../ui/plugin.js'
import { createEarlyErrorHandlers, registerErrorHandlers } from './errors.js'
import { csrfPlugin } from './plugins/csrf.js'
import { metricsPlugin } from './plugins/metrics.js'
import { openApiPlugin } from './plugins/openapi.js'
import { privilegedPlugin } from './plugins/privileged.js'
import { rateLimitPlugin } from './plugins/rate-limit.js'
import { createSecurityHeaders, securityHeaders } from './plugins/security-headers.js'
import { sessionPlugin } from './plugins/session.js'
import { lazyChildLogger } from './request-logger.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: no request log line for this route, even at LOG_LEVEL=debug (probes). */
    logRequest?: boolean
  }
}

const BODY_LIMIT_BYTES = 64 * 1024
const { version, license } = createRequire(import.meta.url)('../../package.json') as { version: string, license: string }

function pathOf (url: string): string {
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/
// An id of this process and a counter: unique across instances (48 random bits each)
// at the cost of an increment, where a UUID costs the CSPRNG on every request.
const INSTANCE = randomBytes(6).toString('hex')
let requests = 0

function requestIdOf (request: IncomingMessage): string {
  const given = request.headers['x-request-id']
  if (typeof given === 'string' && REQUEST_ID.test(given)) return given
  requests += 1
  return `${INSTANCE}-${requests.toString(36)}`
}

/** TRUST_PROXY=N: trust the N proxies nearest to this server (proxy-addr's hop count). */
function trustHops (hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops
}

export interface AppOptions {
  /** On close, leave idle connections to their keep-alive timeout instead of cutting them
   *  (a served process behind a proxy; tests close at once). */
  readonly gentleClose?: boolean
}

export async function buildApp (services: Services, options: AppOptions = {}): Promise<FastifyInstance> {
  const { config, counters, auth: ctx } = services
  const headers = securityHeaders(config.env === 'production')
  const { handleClientError, handleExpectation, handleFrameworkError } = createEarlyErrorHandlers(headers)
  const requestTimeoutMs = config.http.requestTimeoutSeconds * 1000
  const app = Fastify({
    // pino's Logger is Fastify's base logger; its type carries a generic Fastify does not.
    // oxlint-disable-next-line typescript/no-unnecessary-type-assertion -- it sets Fastify's Logger type parameter (without it tsc fails)
    loggerInstance: services.logger as FastifyBaseLogger,
    trustProxy: typeof config.http.trustProxy === 'number'
      ? trustHops(config.http.trustProxy)
      : config.http.trustProxy,
    bodyLimit: BODY_LIMIT_BYTES,
    // HTTP_REQUEST_TIMEOUT bounds the time a request may take to arrive, headers and body,
    // a new connection's wait for its first byte included: past it the connection is
    // answered 408 and destroyed whatever the client does (handleClientError), be it silent,
    // stalled mid-header or mid-body. An idle keep-alive connection is destroyed after
    // HTTP_KEEP_ALIVE_TIMEOUT. Slow or silent clients cannot hold sockets for good.
    // connectionTimeout (socket inactivity) stays off: it would also cut a request waiting
    // on the hash queue or the database, which are bounded on their own.
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
    // X-Request-Id: a caller's (a proxy's) id when it is a plain token, else a new UUID.
    requestIdHeader: false,
    genReqId: requestIdOf,
    // Graceful shutdown behind a proxy: close() stops accepting connections, but requests
    // that arrive on open ones are still served (no 503 a proxy could not retry), with
    // `Connection: close`; idle connections are left to their keep-alive timeout, which the
    // proxy's shorter one ends first (deploy/nginx.conf), so no request is sent on a
    // connection the service is closing. SHUTDOWN_TIMEOUT bounds it all (cli.ts).
    return503OnClosing: false,
    forceCloseConnections: options.gentleClose === true ? false : 'idle'
  }).withTypeProvider<TypeBoxTypeProvider>()
  app.server.on('checkExpectation', handleExpectation)
  app.addHook('onReady', async () => { await services.start() })
  app.addHook('onClose', async () => { await services.close() })

  let draining = false
  app.addHook('preClose', (done) => { draining = true; done() })
  app.addHook('onRequest', createSecurityHeaders(headers, () => draining))
  if (app.log.level === 'debug' || app.log.level === 'trace') {
    app.addHook('onResponse', async (request, reply) => {
      if (request.routeOptions.config.logRequest === false) return
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
  // A request without a body is validated as an empty one, so the reply names the
  // missing field instead of complaining about the body's type.
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined) request.body = {}
    done()
  })
  registerErrorHandlers(app, ctx.outages)

  // Plugins that act on the routes asking for them (route config), in the order their
  // checks run: cross-site refusal, per-IP limit, session. The OpenAPI document sees the
  // replies and security they add.
  await app.register(openApiPlugin, { version, license, publicUrl: config.publicUrl, brandName: config.ui.brandName })
  if (services.metrics !== null) await app.register(metricsPlugin, { metrics: services.metrics, config: config.metrics })
  await app.register(csrfPlugin, { origins: [...config.http.selfOrigins, ...config.http.trustedOrigins] })
  await app.register(rateLimitPlugin, {
    counters,
    windowSeconds: config.limits.windowSeconds,
    onLimited: services.metrics === null ? undefined : (bucket) => { services.metrics?.rateLimited.inc({ limit: bucket }) }
  })
  await app.register(sessionPlugin, { ctx })
  await app.register(privilegedPlugin, { ctx })
  // COMPAT=course: the course's answers, all of them in one adapter at the edge (before the
  // routes it reshapes); the only reading of config.compat outside config.ts.
  const compat = config.compat === 'course' ? compatCourse : null
  if (compat !== null) await app.register(compat.plugin)

  const features = { ctx, config, v1: compat?.v1 }
  await app.register(homeRoutes)
  await app.register(healthRoutes, {
    // A database failure is logged as the requests' are: its cause, then counts, no stack.
    checkReadiness: async (onFailure) => await checkReadiness({
      db: services.db,
      counters,
      redis: config.redis.url !== null,
      onFailure: (check, error) => { if (isDatabaseUnavailable(error)) ctx.outages.report(error, 'not ready'); else onFailure(check, error) }
    })
  })
  await app.register(userRoutes, features)
  await app.register(passwordRoutes, features)
  await app.register(loginFlowRoutes, features)
  await app.register(sessionRoutes, features)
  await app.register(passwordResetRoutes, features)
  await app.register(auditRoutes, features)
  await app.register(accountRoutes, features)
  await app.register(verificationRoutes, features)
  await app.register(emailChangeRoutes, features)
  await app.register(mfaRoutes, features)
  await app.register(passkeyRoutes, features)
  await app.register(adminClientRoutes, features)
  // Sign-in with another identity provider: its routes here, its callback a page.
  const upstream = createUpstreamProviders(config)
  await app.register(upstreamRoutes, { ...features, providers: upstream })
  // The OpenID Connect provider (/oidc, discovery): its pages are the hosted pages'.
  const serviceSession = createServiceSession(ctx)
  const endServiceSession = createSessionEnd(ctx, config)
  const report = createProviderReport(ctx)
  // Back-channel logout: the clients each session signs in to, and the library's logout tokens, to the outbox.
  const backchannel = { recordSignIn: createSignInRecorder(ctx), logout: services.backchannelLogout.fromLibrary }
  const provider = new ProviderHolder(services.signingKeys, async (keys, pages) => await createProvider({ config, db: services.db, now: ctx.now, keys, pages, serviceSession, endServiceSession, report, backchannel }))
  await app.register(openIdProviderPlugin, { holder: provider, headers: { ...headers, 'content-security-policy': providerSecurityPolicy(config) } })
  await app.register(uiPlugin, { ...features, prefix: '/ui', provider, upstream })
  await app.register(faviconRoute)
  return app
}
