// The frozen Config that loadConfig() returns and the rest of the code reads; each field
// names the variable it comes from in settings.ts where the name is not obvious.
import type { UpstreamProviderConfig } from './upstream-settings.js'

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

/** The OpenID Connect provider. */
export interface OidcConfig {
  /** The registration endpoint (RFC 7591) is open to anyone. */
  readonly dynamicRegistration: boolean
  /** How often the sessions that ended are looked for, to queue their clients' logout tokens. */
  readonly logoutScanIntervalMs: number
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
  readonly admin: AdminConfig
  readonly ui: UiConfig
  readonly encryption: EncryptionConfig
  readonly oidc: OidcConfig
  /** The identity providers people may sign in with (OIDC_PROVIDERS), in that order. */
  readonly upstream: readonly UpstreamProviderConfig[]
  /** POST /sessions/token. */
  readonly sessionJwt: SessionJwtConfig
  readonly signingKeys: SigningKeysConfig
}

/** The JWTs of POST /sessions/token. */
export interface SessionJwtConfig {
  /** SESSION_JWT_TTL: how long one is valid. */
  readonly ttlSeconds: number
  /** SESSION_JWT_AUDIENCES: what ?audience= may ask for (none: no `aud`). */
  readonly audiences: readonly string[]
}

/** The signing keys of ID tokens and session JWTs. */
export interface SigningKeysConfig {
  /** KEY_ROTATION_DELAY: from `keys rotate` publishing new keys to signing with them. */
  readonly rotationDelaySeconds: number
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

/** Who may call the admin API (/admin/…): the rest get a 404. */
export interface AdminConfig {
  /** ADMIN_ALLOW: client networks (CIDRs). */
  readonly allow: readonly string[]
  /** ADMIN_TOKEN: a bearer token that may call it from anywhere; null for none. */
  readonly token: string | null
}

export class ConfigError extends Error {
  constructor (readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`)
    this.name = 'ConfigError'
  }
}

export type { UpstreamProviderConfig }
