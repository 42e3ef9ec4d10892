// The one reader of process.env. loadConfig() validates every variable and reports all
// problems at once, naming each variable, so a bad deployment fails before it listens.
import { createHash } from 'node:crypto'
import net from 'node:net'
import path from 'node:path'
import ipaddr from 'ipaddr.js'

export type Environment = 'development' | 'production' | 'test'

export type DatabaseConfig = (
  | {
    readonly dialect: 'sqlite'
    /** File path of the SQLite database, or ':memory:'. */
    readonly file: string
  }
  | {
    readonly dialect: 'postgres' | 'mysql'
    /** Connection URL as given; TLS options in it pass through to the driver. */
    readonly url: string
    readonly poolSize: number
    readonly connectTimeoutMs: number
  }) & {
  /** DATABASE_QUERY_TIMEOUT: the longest one statement (BEGIN and COMMIT included) may take,
   *  and, for SQLite, the longest wait for another process's write lock. */
  readonly queryTimeoutMs: number
}

export interface PasswordPolicyConfig {
  readonly minLength: number
  readonly maxLength: number
  readonly blockCommon: boolean
}

export interface MailConfig {
  /** SMTP connection URL; null writes messages to `outbox` (development and test only). */
  readonly smtpUrl: string | null
  /** Folder of the messages not sent for want of SMTP_URL, one file each. */
  readonly outbox: string
  readonly from: string
  /** Bound of each SMTP step (connecting, the greeting, any silence on the socket). */
  readonly timeoutMs: number
}

/** The durable outbox (mail today): how its sender polls, retries and gives up. */
export interface OutboxConfig {
  /** How often each instance looks for due messages (a new one is sent at once anyway). */
  readonly pollIntervalMs: number
  /** The first retry's delay; each next one doubles (with jitter), up to retryMaxDelayMs. */
  readonly retryDelayMs: number
  readonly retryMaxDelayMs: number
  /** A message still failing this long after it was written is given up. */
  readonly giveUpAfterMs: number
}

/** Abuse limits. A count or delay of 0 switches that limit off. */
export interface LimitsConfig {
  /** Fixed window of the per-IP limits, in seconds. */
  readonly windowSeconds: number
  readonly registerPerIp: number
  readonly loginPerIp: number
  readonly resetPerIp: number
  /** Failed logins for one email before it is slowed down. */
  readonly loginFreeAttempts: number
  /** Longest delay a run of failed logins imposes on one email, in seconds. */
  readonly loginMaxDelaySeconds: number
  readonly resetMailPerEmail: number
  readonly resetMailWindowSeconds: number
  /** Notices (password changed, email changed, a second factor added …) per account and RESET_MAIL_WINDOW. */
  readonly noticeMailPerAccount: number
  /** Per-IP limit of the account routes that check a password (PUT /users/:id). */
  readonly accountPerIp: number
  /** Most counters of one kind (per-IP, throttle, reset mail) kept in this instance's memory. */
  readonly memoryKeys: number
}

export interface HttpConfig {
  /** Fastify's trustProxy: false, true, a hop count, or addresses/CIDRs of the proxies. */
  readonly trustProxy: boolean | number | string
  /** Origins (scheme://host[:port]) allowed to make credentialed cross-site requests. */
  readonly trustedOrigins: readonly string[]
  /** This service's own origins: PUBLIC_URL's; without PUBLIC_URL, http://localhost:PORT,
   *  http://127.0.0.1:PORT and http://[::1]:PORT (a browser may use any of them locally). */
  readonly selfOrigins: readonly string[]
  /** Time a request may take to arrive, headers and body, before it is answered 408. */
  readonly requestTimeoutSeconds: number
  /** Time an idle keep-alive connection is kept open. */
  readonly keepAliveTimeoutSeconds: number
  /** On SIGTERM: the most time given to requests in flight and open connections before exiting anyway. */
  readonly shutdownTimeoutSeconds: number
}

export interface HashingConfig {
  /** Hashing worker threads; 0 means one per CPU core. */
  readonly threads: number
  /** Hashes waiting for a thread, all clients together; when full, the client holding the
   *  most of it is refused (there is no per-client cap: HASH_QUEUE_PER_CLIENT is gone). */
  readonly queueLimit: number
}

export interface RedisConfig {
  readonly url: string | null
  readonly keyPrefix: string
  /** A command unanswered after this long counts as Redis unavailable. */
  readonly commandTimeoutMs: number
}

export interface Config {
  readonly env: Environment
  readonly host: string
  readonly port: number
  readonly publicUrl: string
  readonly logLevel: string
  readonly database: DatabaseConfig
  readonly mail: MailConfig
  readonly outbox: OutboxConfig
  readonly session: {
    readonly idleTtlSeconds: number
    readonly absoluteTtlSeconds: number
    /** A session younger than this may change the email without the password. */
    readonly reauthMaxAgeSeconds: number
  }
  readonly resetToken: { readonly ttlSeconds: number, readonly inResponse: boolean }
  readonly verification: {
    /** How long a verification link works. */
    readonly tokenTtlSeconds: number
    /** A correct password for an unverified email answers 403 email_not_verified. */
    readonly required: boolean
  }
  /** COMPAT=course: a drop-in for clients of the course project (see loadConfig). */
  readonly compat: 'course' | null
  readonly passwordPolicy: PasswordPolicyConfig
  readonly limits: LimitsConfig
  readonly http: HttpConfig
  readonly redis: RedisConfig
  readonly hashing: HashingConfig
  /** Days audit events are kept; 0 keeps them for good. */
  readonly auditRetentionDays: number
  readonly metrics: MetricsConfig
  readonly ui: UiConfig
  readonly encryption: EncryptionConfig
}

/** Keys that encrypt secrets at rest (TOTP secrets): the first encrypts, all decrypt. */
export interface EncryptionConfig {
  readonly keys: ReadonlyArray<{ readonly id: string, readonly key: Buffer }>
  /** True when ENCRYPTION_KEY is unset and a fixed development key stands in (refused in production). */
  readonly development: boolean
}

/** The hosted pages' branding. */
export interface UiConfig {
  /** Shown in the header and the title of every page. */
  readonly brandName: string
  /** A logo beside the name: a path on this origin or an https:// URL; null for none. */
  readonly logoUrl: string | null
}

export interface MetricsConfig {
  /** false: no metrics are collected and GET /metrics is a 404. */
  readonly enabled: boolean
  /** Client networks (CIDRs) that may read GET /metrics. */
  readonly allow: readonly string[]
  /** A bearer token that may read it from anywhere; null for none. */
  readonly token: string | null
  /** INSTANCE_NAME: an `instance` label on every series (several instances); null for none. */
  readonly instance: string | null
}

export class ConfigError extends Error {
  constructor (readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`)
    this.name = 'ConfigError'
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']
const DEFAULT_DATABASE_FILE = path.join('data', 'auth.sqlite')
const DEFAULT_OUTBOX = path.join('data', 'outbox')

type Env = Readonly<Record<string, string | undefined>>

/** Reads one variable at a time and collects what is wrong instead of throwing early. */
class EnvReader {
  readonly problems: string[] = []
  constructor (private readonly env: Env) {}

  string (name: string, fallback: string): string {
    const value = this.env[name]
    return value === undefined || value === '' ? fallback : value
  }

  optional (name: string): string | null {
    const value = this.env[name]
    return value === undefined || value === '' ? null : value
  }

  integer (name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name)
    if (raw === null) return fallback
    if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`)
      return fallback
    }
    return Number(raw)
  }

  boolean (name: string, fallback: boolean): boolean {
    const raw = this.optional(name)
    if (raw === null) return fallback
    const value = raw.trim().toLowerCase()
    if (['true', '1', 'yes', 'on'].includes(value)) return true
    if (['false', '0', 'no', 'off'].includes(value)) return false
    this.problems.push(`${name} must be true or false (got ${JSON.stringify(raw)})`)
    return fallback
  }

  oneOf<T extends string> (name: string, fallback: T, allowed: readonly T[]): T {
    const raw = this.optional(name)
    if (raw === null) return fallback
    if ((allowed as readonly string[]).includes(raw)) return raw as T
    this.problems.push(`${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(raw)})`)
    return fallback
  }

  url (name: string, fallback: string | null, protocols: readonly string[]): string | null {
    const raw = this.optional(name)
    if (raw === null) return fallback
    try {
      const parsed = new URL(raw)
      if (protocols.includes(parsed.protocol)) return raw
    } catch {
      // reported below, like a URL with the wrong scheme
    }
    this.problems.push(`${name} must be a URL starting with ${protocols.map(p => `${p}//`).join(' or ')} (got ${JSON.stringify(raw)})`)
    return fallback
  }
}

function parseDatabaseUrl (reader: EnvReader): DatabaseConfig {
  const raw = reader.string('DATABASE_URL', DEFAULT_DATABASE_FILE)
  const poolSize = reader.integer('DATABASE_POOL_SIZE', 10, 1, 1000)
  const connectTimeoutMs = reader.integer('DATABASE_CONNECT_TIMEOUT', 5, 1, 600) * 1000
  const queryTimeoutMs = reader.integer('DATABASE_QUERY_TIMEOUT', 5, 1, 600) * 1000
  if (raw === ':memory:') return { dialect: 'sqlite', file: raw, queryTimeoutMs }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1]?.toLowerCase()
  // A bare path, or a Windows drive letter (C:\...), is a SQLite file.
  if (scheme === undefined || scheme.length === 1) return { dialect: 'sqlite', file: raw, queryTimeoutMs }
  if (scheme === 'sqlite' || scheme === 'file') {
    // sqlite:relative/path, sqlite:///absolute/path, file:./path
    const file = raw.slice(scheme.length + 1).replace(/^\/\/(?=\/)/, '')
    if (file !== '') return { dialect: 'sqlite', file, queryTimeoutMs }
  }
  if (scheme === 'postgres' || scheme === 'postgresql' || scheme === 'mysql') {
    try {
      const url = new URL(raw)
      if (url.hostname === '' || url.pathname.length <= 1) throw new Error('host and database name are required')
      return { dialect: scheme === 'mysql' ? 'mysql' : 'postgres', url: raw, poolSize, connectTimeoutMs, queryTimeoutMs }
    } catch (error) {
      reader.problems.push(`DATABASE_URL is not a usable ${scheme} URL: ${error instanceof Error ? error.message : String(error)} (expected ${scheme}://user:password@host:port/database)`)
      return { dialect: 'sqlite', file: DEFAULT_DATABASE_FILE, queryTimeoutMs }
    }
  }
  reader.problems.push(`DATABASE_URL must be a SQLite file path, a sqlite: URL, a postgres:// URL or a mysql:// URL (got ${JSON.stringify(redactUrl(raw))})`)
  return { dialect: 'sqlite', file: DEFAULT_DATABASE_FILE, queryTimeoutMs }
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal']

function parseTrustProxy (reader: EnvReader): boolean | number | string {
  const raw = reader.optional('TRUST_PROXY')?.trim()
  if (raw === undefined || raw === 'false') return false
  if (raw === 'true') return true
  if (/^\d+$/.test(raw)) return Number(raw)
  const entries = raw.split(',').map(entry => entry.trim()).filter(entry => entry !== '')
  const bad = entries.filter(entry => {
    const [address, bits, ...rest] = entry.split('/')
    if (PROXY_NAMES.includes(entry)) return false
    if (rest.length > 0 || address === undefined || net.isIP(address) === 0) return true
    return bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > (net.isIPv4(address) ? 32 : 128))
  })
  if (entries.length === 0 || bad.length > 0) {
    reader.problems.push(`TRUST_PROXY must be true, false, a hop count, or a comma-separated list of proxy addresses/CIDRs (${PROXY_NAMES.join(', ')} allowed); bad entries: ${JSON.stringify(bad.length > 0 ? bad : raw)}`)
    return false
  }
  return entries.join(',')
}

function parseOrigins (reader: EnvReader): string[] {
  const raw = reader.optional('TRUSTED_ORIGINS')
  if (raw === null) return []
  const origins: string[] = []
  for (const entry of raw.split(',').map(e => e.trim()).filter(e => e !== '')) {
    try {
      const url = new URL(entry)
      if ((url.protocol === 'http:' || url.protocol === 'https:') && url.origin === entry.replace(/\/$/, '')) {
        origins.push(url.origin)
        continue
      }
    } catch {
      // reported below
    }
    reader.problems.push(`TRUSTED_ORIGINS entries must be origins like https://app.example.com (no path); got ${JSON.stringify(entry)}`)
  }
  return origins
}

/** METRICS_ALLOW: comma-separated CIDRs (or single addresses), loopback by default. */
function parseCidrs (reader: EnvReader): string[] {
  const raw = reader.optional('METRICS_ALLOW') ?? '127.0.0.0/8,::1/128'
  const cidrs: string[] = []
  for (const entry of raw.split(',').map(e => e.trim()).filter(e => e !== '')) {
    try {
      const [address, bits] = entry.includes('/') ? ipaddr.parseCIDR(entry) : [ipaddr.parse(entry), entry.includes(':') ? 128 : 32]
      cidrs.push(`${address.toString()}/${bits}`)
    } catch {
      reader.problems.push(`METRICS_ALLOW entries must be addresses or CIDRs like 10.0.0.0/8 or ::1; got ${JSON.stringify(entry)}`)
    }
  }
  return cidrs
}

/** The URL with its password replaced, for messages and logs. */
export function redactUrl (raw: string): string {
  try {
    const url = new URL(raw)
    if (url.password !== '') url.password = '***'
    return url.toString()
  } catch {
    return raw.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@')
  }
}

// Without ENCRYPTION_KEY (development and test only), a fixed key that anyone can read here.
const DEVELOPMENT_KEY = createHash('sha256').update('authsvc development key: not a secret').digest()

/** ENCRYPTION_KEY: one or more 32-byte keys (base64, base64url or 64 hex digits),
 *  comma-separated, the newest first; each is known by a fingerprint (its id). */
function parseEncryptionKeys (reader: EnvReader): EncryptionConfig {
  const raw = reader.optional('ENCRYPTION_KEY')
  if (raw === null) return { keys: [{ id: 'development', key: DEVELOPMENT_KEY }], development: true }
  const keys: Array<{ id: string, key: Buffer }> = []
  for (const [index, entry] of raw.split(',').map(part => part.trim()).entries()) {
    const key = /^[0-9a-f]{64}$/i.test(entry) ? Buffer.from(entry, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(entry) ? Buffer.from(entry, 'base64') : null
    if (key === null || key.length !== 32) {
      reader.problems.push(`ENCRYPTION_KEY must be 32-byte keys in base64 or hex, comma-separated, the newest first (key ${index + 1} is not; make one with: openssl rand -base64 32)`)
      return { keys: [{ id: 'development', key: DEVELOPMENT_KEY }], development: true }
    }
    keys.push({ id: createHash('sha256').update(key).digest('hex').slice(0, 12), key })
  }
  return { keys, development: false }
}

/** BRAND_LOGO_URL: a path on this origin ("/logo.svg") or an https:// URL. */
function parseLogoUrl (reader: EnvReader): string | null {
  const raw = reader.optional('BRAND_LOGO_URL')
  if (raw === null) return null
  if (/^\/(?![/\\])[^\s"'<>]*$/.test(raw)) return raw
  const url = reader.url('BRAND_LOGO_URL', null, ['https:'])
  return url === null ? null : new URL(url).href
}

export function loadConfig (env: Env = process.env): Config {
  const reader = new EnvReader(env)
  const nodeEnv = reader.oneOf<Environment>('NODE_ENV', 'development', ['development', 'production', 'test'])
  const host = reader.string('HOST', 'localhost')
  const port = reader.integer('PORT', 5000, 0, 65535)
  const publicUrl = reader.url('PUBLIC_URL', null, ['http:', 'https:'])
  const smtpUrl = reader.url('SMTP_URL', null, ['smtp:', 'smtps:'])
  const from = reader.string('MAIL_FROM', 'Auth Service <no-reply@localhost>')
  const outbox = reader.string('MAIL_OUTBOX', DEFAULT_OUTBOX)
  const smtpTimeoutMs = reader.integer('SMTP_TIMEOUT', 10, 1, 600) * 1000
  const outboxConfig: OutboxConfig = {
    pollIntervalMs: reader.integer('OUTBOX_POLL_INTERVAL', 1000, 50, 600_000),
    retryDelayMs: reader.integer('OUTBOX_RETRY_DELAY', 10_000, 10, 3_600_000),
    retryMaxDelayMs: reader.integer('OUTBOX_RETRY_MAX_DELAY', 3_600_000, 10, 86_400_000),
    giveUpAfterMs: reader.integer('OUTBOX_GIVE_UP_AFTER', 86_400, 1, 30 * 86_400) * 1000
  }
  const idleTtlSeconds = reader.integer('SESSION_IDLE_TTL', 7 * 24 * 3600, 1, 10 * 365 * 24 * 3600)
  const absoluteTtlSeconds = reader.integer('SESSION_ABSOLUTE_TTL', 30 * 24 * 3600, 1, 10 * 365 * 24 * 3600)
  const reauthMaxAgeSeconds = reader.integer('REAUTH_MAX_AGE', 600, 0, 24 * 3600)
  const resetTtlSeconds = reader.integer('RESET_TOKEN_TTL', 1800, 1, 7 * 24 * 3600)
  const verifyTtlSeconds = reader.integer('VERIFY_TOKEN_TTL', 86400, 60, 30 * 24 * 3600)
  const requireVerification = reader.boolean('REQUIRE_EMAIL_VERIFICATION', false)
  // COMPAT=course changes the defaults of three settings, as the course project behaves:
  // the reset token in the reply, no password policy (a variable set explicitly still
  // wins); and buildApp() wires in the adapter that answers as the course's app.py does
  // (src/transport/compat-course).
  const compat = reader.oneOf<'none' | 'course'>('COMPAT', 'none', ['none', 'course'])
  const course = compat === 'course'
  const inResponse = reader.boolean('RESET_TOKEN_IN_RESPONSE', course)
  const minLength = reader.integer('PASSWORD_MIN_LENGTH', course ? 1 : 8, 1, 1024)
  const blockCommon = reader.boolean('PASSWORD_BLOCK_COMMON', !course)
  const logLevel = reader.oneOf('LOG_LEVEL', nodeEnv === 'test' ? 'silent' : 'info', LOG_LEVELS)
  const database = parseDatabaseUrl(reader)
  const limits: LimitsConfig = {
    windowSeconds: reader.integer('RATE_LIMIT_WINDOW', 60, 1, 24 * 3600),
    registerPerIp: reader.integer('RATE_LIMIT_REGISTER', 10, 0, 1_000_000),
    loginPerIp: reader.integer('RATE_LIMIT_LOGIN', 30, 0, 1_000_000),
    resetPerIp: reader.integer('RATE_LIMIT_RESET', 10, 0, 1_000_000),
    loginFreeAttempts: reader.integer('LOGIN_THROTTLE_FREE_ATTEMPTS', 5, 1, 1000),
    loginMaxDelaySeconds: reader.integer('LOGIN_THROTTLE_MAX_DELAY', 900, 0, 24 * 3600),
    resetMailPerEmail: reader.integer('RESET_MAIL_LIMIT', 3, 0, 1000),
    resetMailWindowSeconds: reader.integer('RESET_MAIL_WINDOW', 3600, 1, 7 * 24 * 3600),
    noticeMailPerAccount: reader.integer('NOTICE_MAIL_LIMIT', 10, 0, 1000),
    accountPerIp: reader.integer('RATE_LIMIT_ACCOUNT', 10, 0, 1_000_000),
    memoryKeys: reader.integer('RATE_LIMIT_MEMORY_KEYS', 100_000, 10, 100_000_000)
  }
  // HASH_QUEUE_PER_CLIENT (a per-client cap) was removed and is not read: the queue is
  // shared fairly instead (src/auth/fair-queue.ts), so a cap would only refuse a busy
  // client on an idle instance.
  const hashing: HashingConfig = {
    threads: reader.integer('HASH_THREADS', 0, 0, 256),
    queueLimit: reader.integer('HASH_QUEUE_LIMIT', 64, 1, 100_000)
  }
  const http: Omit<HttpConfig, 'selfOrigins'> = {
    trustProxy: parseTrustProxy(reader),
    trustedOrigins: parseOrigins(reader),
    requestTimeoutSeconds: reader.integer('HTTP_REQUEST_TIMEOUT', 10, 1, 3600),
    keepAliveTimeoutSeconds: reader.integer('HTTP_KEEP_ALIVE_TIMEOUT', 5, 1, 3600),
    shutdownTimeoutSeconds: reader.integer('SHUTDOWN_TIMEOUT', 15, 1, 600)
  }
  const auditRetentionDays = reader.integer('AUDIT_RETENTION_DAYS', 90, 0, 36_500)
  const metricsToken = reader.optional('METRICS_TOKEN')
  if (metricsToken !== null && metricsToken.length < 16) reader.problems.push('METRICS_TOKEN must be at least 16 characters (a guessable token would open the metrics to anyone)')
  const instance = reader.optional('INSTANCE_NAME')
  if (instance !== null && !/^[\w.:-]{1,64}$/.test(instance)) reader.problems.push(`INSTANCE_NAME must be 1 to 64 letters, digits, '.', ':', '_' or '-' (got ${JSON.stringify(instance)})`)
  const metrics: MetricsConfig = { enabled: reader.boolean('METRICS_ENABLED', true), allow: parseCidrs(reader), token: metricsToken, instance: instance !== null && /^[\w.:-]{1,64}$/.test(instance) ? instance : null }
  const redis: RedisConfig = {
    url: reader.url('REDIS_URL', null, ['redis:', 'rediss:']),
    keyPrefix: reader.string('REDIS_KEY_PREFIX', 'authsvc:'),
    commandTimeoutMs: reader.integer('REDIS_COMMAND_TIMEOUT', 300, 10, 60_000)
  }

  const encryption = parseEncryptionKeys(reader)
  const ui: UiConfig = { brandName: reader.string('BRAND_NAME', 'Auth Service').slice(0, 80), logoUrl: parseLogoUrl(reader) }

  if (absoluteTtlSeconds < idleTtlSeconds) {
    reader.problems.push(`SESSION_ABSOLUTE_TTL (${absoluteTtlSeconds}) must not be shorter than SESSION_IDLE_TTL (${idleTtlSeconds})`)
  }
  if (nodeEnv === 'production') {
    if (smtpUrl === null) reader.problems.push('SMTP_URL is required in production (reset mail cannot go to a local folder)')
    if (publicUrl === null) reader.problems.push('PUBLIC_URL is required in production (it is the base of reset links)')
    if (encryption.development) reader.problems.push('ENCRYPTION_KEY is required in production (it encrypts the TOTP secrets at rest); make one with: openssl rand -base64 32')
    if (course) reader.problems.push('COMPAT=course is refused in production (it hands reset tokens to whoever asks and drops the password policy)')
    else if (inResponse) reader.problems.push('RESET_TOKEN_IN_RESPONSE=true is refused in production (it hands reset tokens to whoever asks)')
  }
  if (reader.problems.length > 0) throw new ConfigError(reader.problems)

  return Object.freeze({
    env: nodeEnv,
    host,
    port,
    publicUrl: (publicUrl ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    logLevel,
    database: Object.freeze(database),
    mail: Object.freeze({ smtpUrl, from, outbox, timeoutMs: smtpTimeoutMs }),
    outbox: Object.freeze(outboxConfig),
    session: Object.freeze({ idleTtlSeconds, absoluteTtlSeconds, reauthMaxAgeSeconds }),
    resetToken: Object.freeze({ ttlSeconds: resetTtlSeconds, inResponse }),
    verification: Object.freeze({ tokenTtlSeconds: verifyTtlSeconds, required: requireVerification }),
    compat: course ? 'course' : null,
    passwordPolicy: Object.freeze({ minLength, maxLength: 1024, blockCommon }),
    limits: Object.freeze(limits),
    http: Object.freeze({
      ...http,
      trustedOrigins: Object.freeze(http.trustedOrigins),
      selfOrigins: Object.freeze(publicUrl === null ? ['localhost', '127.0.0.1', '[::1]'].map(host => `http://${host}:${port}`) : [new URL(publicUrl).origin])
    }),
    redis: Object.freeze(redis),
    hashing: Object.freeze(hashing),
    auditRetentionDays,
    metrics: Object.freeze({ ...metrics, allow: Object.freeze(metrics.allow) }),
    ui: Object.freeze(ui),
    encryption: Object.freeze({ ...encryption, keys: Object.freeze(encryption.keys.map(key => Object.freeze(key))) })
  })
}
