// loadConfig(): the settings of settings.ts read from an environment (process.env by
// default; the CLI and the tests pass their own), checked together, and shaped into the
// frozen Config. Every problem is reported at once, each naming its variable, so a bad
// deployment fails before it listens.
import { readSettings } from './settings.js'
import { readProviders } from './upstream-settings.js'
import { type Config, ConfigError, type DatabaseConfig } from './types.js'

export type Env = Readonly<Record<string, string | undefined>>

export function loadConfig (env: Env = process.env): Config {
  const { values: v, problems } = readSettings(env)
  // COMPAT=course changes the defaults of three settings, as the course project behaves:
  // the reset token in the reply, no password policy (a variable set explicitly still
  // wins); and buildApp() wires in the adapter that answers as the course's app.py does
  // (src/transport/compat-course).
  const course = v.COMPAT === 'course'
  const inResponse = v.RESET_TOKEN_IN_RESPONSE ?? course
  const queryTimeoutMs = v.DATABASE_QUERY_TIMEOUT * 1000
  const database: DatabaseConfig = v.DATABASE_URL.dialect === 'sqlite'
    ? { ...v.DATABASE_URL, queryTimeoutMs }
    : { ...v.DATABASE_URL, poolSize: v.DATABASE_POOL_SIZE, connectTimeoutMs: v.DATABASE_CONNECT_TIMEOUT * 1000, queryTimeoutMs }

  if (v.SESSION_ABSOLUTE_TTL < v.SESSION_IDLE_TTL) {
    problems.push(`SESSION_ABSOLUTE_TTL (${v.SESSION_ABSOLUTE_TTL}) must not be shorter than SESSION_IDLE_TTL (${v.SESSION_IDLE_TTL})`)
  }
  if (v.NODE_ENV === 'production') {
    if (v.SMTP_URL === null) problems.push('SMTP_URL is required in production (reset mail cannot go to a local folder)')
    if (v.PUBLIC_URL === null) problems.push('PUBLIC_URL is required in production (it is the base of reset links)')
    if (v.ENCRYPTION_KEY.development) problems.push('ENCRYPTION_KEY is required in production (it encrypts the TOTP secrets at rest); make one with: openssl rand -base64 32')
    if (course) problems.push('COMPAT=course is refused in production (it hands reset tokens to whoever asks and drops the password policy)')
    else if (inResponse) problems.push('RESET_TOKEN_IN_RESPONSE=true is refused in production (it hands reset tokens to whoever asks)')
  }
  const upstream = readProviders(v.OIDC_PROVIDERS, env, v.NODE_ENV === 'production', problem => { problems.push(problem) })
  if (problems.length > 0) throw new ConfigError(problems)

  const publicUrl = v.PUBLIC_URL
  return Object.freeze({
    env: v.NODE_ENV,
    host: v.HOST,
    port: v.PORT,
    publicUrl: (publicUrl ?? `http://localhost:${v.PORT}`).replace(/\/+$/, ''),
    logLevel: v.LOG_LEVEL ?? (v.NODE_ENV === 'test' ? 'silent' : 'info'),
    database: Object.freeze(database),
    mail: Object.freeze({ smtpUrl: v.SMTP_URL, from: v.MAIL_FROM, outbox: v.MAIL_OUTBOX, timeoutMs: v.SMTP_TIMEOUT * 1000 }),
    outbox: Object.freeze({
      pollIntervalMs: v.OUTBOX_POLL_INTERVAL,
      retryDelayMs: v.OUTBOX_RETRY_DELAY,
      retryMaxDelayMs: v.OUTBOX_RETRY_MAX_DELAY,
      giveUpAfterMs: v.OUTBOX_GIVE_UP_AFTER * 1000
    }),
    session: Object.freeze({ idleTtlSeconds: v.SESSION_IDLE_TTL, absoluteTtlSeconds: v.SESSION_ABSOLUTE_TTL, reauthMaxAgeSeconds: v.REAUTH_MAX_AGE }),
    resetToken: Object.freeze({ ttlSeconds: v.RESET_TOKEN_TTL, inResponse }),
    verification: Object.freeze({ tokenTtlSeconds: v.VERIFY_TOKEN_TTL, required: v.REQUIRE_EMAIL_VERIFICATION }),
    compat: course ? 'course' : null,
    passwordPolicy: Object.freeze({ minLength: v.PASSWORD_MIN_LENGTH ?? (course ? 1 : 8), maxLength: 1024, blockCommon: v.PASSWORD_BLOCK_COMMON ?? !course }),
    limits: Object.freeze({
      windowSeconds: v.RATE_LIMIT_WINDOW,
      registerPerIp: v.RATE_LIMIT_REGISTER,
      loginPerIp: v.RATE_LIMIT_LOGIN,
      resetPerIp: v.RATE_LIMIT_RESET,
      loginFreeAttempts: v.LOGIN_THROTTLE_FREE_ATTEMPTS,
      loginMaxDelaySeconds: v.LOGIN_THROTTLE_MAX_DELAY,
      resetMailPerEmail: v.RESET_MAIL_LIMIT,
      resetMailWindowSeconds: v.RESET_MAIL_WINDOW,
      noticeMailPerAccount: v.NOTICE_MAIL_LIMIT,
      accountPerIp: v.RATE_LIMIT_ACCOUNT,
      memoryKeys: v.RATE_LIMIT_MEMORY_KEYS
    }),
    http: Object.freeze({
      trustProxy: v.TRUST_PROXY,
      trustedOrigins: Object.freeze(v.TRUSTED_ORIGINS),
      // Without PUBLIC_URL a browser may use any of the loopback names locally.
      selfOrigins: Object.freeze(publicUrl === null ? ['localhost', '127.0.0.1', '[::1]'].map(host => `http://${host}:${v.PORT}`) : [new URL(publicUrl).origin]),
      requestTimeoutSeconds: v.HTTP_REQUEST_TIMEOUT,
      keepAliveTimeoutSeconds: v.HTTP_KEEP_ALIVE_TIMEOUT,
      shutdownTimeoutSeconds: v.SHUTDOWN_TIMEOUT
    }),
    redis: Object.freeze({ url: v.REDIS_URL, keyPrefix: v.REDIS_KEY_PREFIX, commandTimeoutMs: v.REDIS_COMMAND_TIMEOUT }),
    hashing: Object.freeze({ threads: v.HASH_THREADS, queueLimit: v.HASH_QUEUE_LIMIT }),
    auditRetentionDays: v.AUDIT_RETENTION_DAYS,
    metrics: Object.freeze({ enabled: v.METRICS_ENABLED, allow: Object.freeze(v.METRICS_ALLOW), token: v.METRICS_TOKEN, instance: v.INSTANCE_NAME }),
    admin: Object.freeze({ allow: Object.freeze(v.ADMIN_ALLOW), token: v.ADMIN_TOKEN }),
    ui: Object.freeze({ brandName: v.BRAND_NAME, logoUrl: v.BRAND_LOGO_URL }),
    encryption: Object.freeze({ ...v.ENCRYPTION_KEY, keys: Object.freeze(v.ENCRYPTION_KEY.keys.map(key => Object.freeze({ ...key }))) }),
    sessionJwt: Object.freeze({ ttlSeconds: v.SESSION_JWT_TTL, audiences: Object.freeze(v.SESSION_JWT_AUDIENCES) }),
    signingKeys: Object.freeze({ rotationDelaySeconds: v.KEY_ROTATION_DELAY }),
    oidc: Object.freeze({ dynamicRegistration: v.OIDC_DYNAMIC_REGISTRATION, logoutScanIntervalMs: v.BACKCHANNEL_LOGOUT_SCAN_INTERVAL }),
    upstream: Object.freeze(upstream.map(provider => Object.freeze(provider)))
  })
}
