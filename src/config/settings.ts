// Every environment variable the service reads, once: its parser, default, range and
// meaning. loadConfig() reads them, `npx authsvc --help` lists them and docs/configuration.md
// (npm run docs:config) is written from them. A data table, hence longer than our modules
// usually are. Durations are in seconds unless the name or the text says otherwise.
import path from 'node:path'
import {
  DEFAULT_DATABASE_FILE, DEFAULT_METRICS_ALLOW, LOOPBACK_ONLY, parseAdminToken, parseAudiences, parseCidrs, parseDatabaseUrl, parseEncryptionKeys,
  parseInstanceName, parseLogoUrl, parseMetricsToken, parseOrigins, parseTrustProxy
} from './parsers.js'
import { boolean, custom, integer, oneOf, type Setting, text, url } from './setting.js'
import { parseProviderNames } from './upstream-settings.js'

const YEARS_10 = 10 * 365 * 24 * 3600
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

export const SETTINGS = {
  // Server
  NODE_ENV: oneOf({
    group: 'server',
    default: 'development',
    allowed: ['development', 'production', 'test'],
    summary: 'production requires SMTP_URL, PUBLIC_URL and ENCRYPTION_KEY',
    doc: '`development`, `test` or `production`. Production differs in four ways: the cookie gets `Secure`; `SMTP_URL`, `PUBLIC_URL` and `ENCRYPTION_KEY` are required; `RESET_TOKEN_IN_RESPONSE` and `COMPAT=course` are refused; `serve` does not migrate the database (run `npx authsvc migrate` first; `serve` refuses to start while migrations are pending)'
  }),
  HOST: text({
    group: 'server',
    default: 'localhost',
    range: 'a host name or address',
    summary: 'address to listen on (0.0.0.0 to expose)',
    doc: 'address to listen on (`localhost` = IPv4 and IPv6 loopback; `0.0.0.0` to expose)'
  }),
  PORT: integer({ group: 'server', default: 5000, min: 0, max: 65535, summary: 'TCP port', doc: 'TCP port' }),
  PUBLIC_URL: url({
    group: 'server',
    protocols: ['http:', 'https:'],
    shownDefault: '`http://localhost:$PORT`',
    summary: 'the address browsers and mail links use (required in production)',
    doc: 'the address browsers and mail links use: base of the links in mails (they open the hosted pages), the origin the cross-site check trusts as this service\'s own, and where the hosted pages may send a browser after sign-in. Unset (development), the service\'s own origins are `http://localhost:$PORT`, `http://127.0.0.1:$PORT` and `http://[::1]:$PORT`; required in production'
  }),
  LOG_LEVEL: oneOf({
    group: 'server',
    default: null,
    allowed: LOG_LEVELS,
    shownDefault: '`info` (`silent` in `test`)',
    defaultValue: 'info',
    summary: 'silent in test; each request is logged at debug (errors always)',
    doc: 'a pino level or `silent`; each request is logged at `debug` (errors always)'
  }),
  COMPAT: oneOf({
    group: 'server',
    default: 'none',
    allowed: ['none', 'course'],
    summary: 'course: answer as the course project does (refused in production)',
    doc: '`course`: a drop-in for clients of the course project, whose own end-to-end script then passes unchanged: `RESET_TOKEN_IN_RESPONSE` defaults to `true`, `PASSWORD_MIN_LENGTH` to `1` and `PASSWORD_BLOCK_COMMON` to `false` (a variable set explicitly still wins), and every v1 route answers exactly as the course\'s `app.py` does (errors `{"message"}` alone, `GET /profile` `{"email"}`, `POST /reset_password` `{"email","reset_token"}`, a reset keeps the sessions, `DELETE /sessions` `302 Location: /`: one adapter, `src/transport/compat-course/`); refused in production'
  }),
  INSTANCE_NAME: custom({
    group: 'server',
    shownDefault: '–',
    range: '1–64 letters, digits, `.`, `:`, `_`, `-`',
    parse: parseInstanceName,
    summary: 'an instance="…" label on every metric series (several instances)',
    doc: 'several instances: every metric series gets `instance="…"` (`npm run cluster` sets `instance-1` …)'
  }),
  SHUTDOWN_TIMEOUT: integer({
    group: 'server',
    default: 15,
    min: 1,
    max: 600,
    summary: 'seconds to finish the requests in flight on SIGTERM',
    doc: 'on SIGTERM, seconds given to requests in flight and open connections (each answered with `Connection: close`) before the process exits anyway: with code 1 if a request was still unanswered, else 0'
  }),

  // Database
  DATABASE_URL: custom({
    group: 'database',
    shownDefault: `\`${DEFAULT_DATABASE_FILE}\``,
    defaultValue: DEFAULT_DATABASE_FILE,
    range: 'a SQLite path, `sqlite:`, `postgres://`, `postgresql://` or `mysql://` URL',
    parse: parseDatabaseUrl,
    summary: 'a SQLite file path, or a postgres:// or mysql:// URL',
    doc: 'where the data lives: a SQLite file path, `sqlite:path`, `sqlite:///abs/path` or `file:path` (the folder is created); `postgres://user:pass@host:5432/db` (or `postgresql://`); `mysql://user:pass@host:3306/db` (MySQL or MariaDB). TLS options in the URL go to the driver (`?sslmode=require` for PostgreSQL, `?ssl={"rejectUnauthorized":true}` for MySQL)'
  }),
  DATABASE_POOL_SIZE: integer({
    group: 'database',
    default: 10,
    min: 1,
    max: 1000,
    summary: 'connections per instance to PostgreSQL or MySQL',
    doc: 'connections per instance to PostgreSQL or MySQL (SQLite uses one)'
  }),
  DATABASE_CONNECT_TIMEOUT: integer({
    group: 'database',
    default: 5,
    min: 1,
    max: 600,
    summary: 'seconds to wait for a new connection before answering 503',
    doc: 'seconds to wait for a new PostgreSQL or MySQL connection before answering 503'
  }),
  DATABASE_QUERY_TIMEOUT: integer({
    group: 'database',
    default: 5,
    min: 1,
    max: 600,
    summary: 'seconds one statement may take (SQLite: the wait for the write lock)',
    doc: 'seconds one database statement may take (`BEGIN` and `COMMIT` included) before the request answers 503 `unavailable`: PostgreSQL\'s `statement_timeout` and MariaDB\'s `max_statement_time` (MySQL: `max_execution_time`, reads only) on the server, and the same bound plus 1 s in the driver for a server or network that says nothing (that connection is then discarded); for SQLite, how long to wait for another process\'s write lock. It bounds the commands too: for a migration that rewrites a large table, run `DATABASE_QUERY_TIMEOUT=600 npx authsvc migrate`'
  }),

  // Mail and the outbox
  SMTP_URL: url({
    group: 'mail',
    protocols: ['smtp:', 'smtps:'],
    summary: 'the mail server; unset: mail goes to files in MAIL_OUTBOX',
    doc: 'e.g. `smtp://user:pass@mail.example.com:587` or `smtps://…:465`; without it mail is written to files in `MAIL_OUTBOX` (refused in production)'
  }),
  SMTP_TIMEOUT: integer({
    group: 'mail',
    default: 10,
    min: 1,
    max: 600,
    summary: 'seconds each SMTP step may take',
    doc: 'seconds each SMTP step may take (connecting, the server\'s greeting, any silence mid-message); past it the attempt fails and the outbox tries again later'
  }),
  MAIL_FROM: text({
    group: 'mail',
    default: 'Auth Service <no-reply@localhost>',
    range: 'a mail address, optionally with a name',
    summary: 'sender of the mails',
    doc: 'sender of the mails'
  }),
  MAIL_OUTBOX: text({
    group: 'mail',
    default: path.join('data', 'outbox'),
    range: 'a folder path',
    summary: 'folder of the mail not sent while SMTP_URL is unset',
    doc: 'folder for the mail that is not sent while `SMTP_URL` is unset: per message a `.txt` file (headers and text part) and an `.html` file (the HTML part), readable by the service\'s user only'
  }),
  OUTBOX_POLL_INTERVAL: integer({
    group: 'mail',
    default: 1000,
    min: 50,
    max: 600_000,
    summary: 'milliseconds between two looks for due mail',
    doc: 'milliseconds between two looks at the outbox for due mail (a change that writes mail wakes the sender at once anyway; with several instances, the one holding the outbox\'s lease sends)'
  }),
  OUTBOX_RETRY_DELAY: integer({
    group: 'mail',
    default: 10_000,
    min: 10,
    max: 3_600_000,
    summary: 'milliseconds before the first retry; each next one waits twice as long',
    doc: 'milliseconds before the first retry of a mail SMTP refused or never took; each next retry waits twice as long (half of it random), up to `OUTBOX_RETRY_MAX_DELAY`'
  }),
  OUTBOX_RETRY_MAX_DELAY: integer({
    group: 'mail',
    default: 3_600_000,
    defaultNote: '(1 h)',
    min: 10,
    max: 86_400_000,
    summary: 'the longest wait between two attempts, in milliseconds',
    doc: 'the longest wait between two attempts, in milliseconds'
  }),
  OUTBOX_GIVE_UP_AFTER: integer({
    group: 'mail',
    default: 86_400,
    defaultNote: '(24 h)',
    min: 1,
    max: 30 * 86_400,
    summary: 'seconds a mail is retried before it is given up',
    doc: 'seconds a mail is retried before it is given up (`mail.given_up` in the audit log, `authsvc_mails_total{result="given_up"}`; `npx authsvc outbox retry ID` sends it again)'
  }),

  // Sessions, tokens and verification
  SESSION_IDLE_TTL: integer({
    group: 'sessions',
    default: 7 * 24 * 3600,
    defaultNote: '(7 days)',
    min: 1,
    max: YEARS_10,
    rangeNote: '(10 years)',
    summary: 'seconds a session lives without use; use extends it',
    doc: 'seconds a session lives without use; use extends it'
  }),
  SESSION_ABSOLUTE_TTL: integer({
    group: 'sessions',
    default: 30 * 24 * 3600,
    defaultNote: '(30 days)',
    min: 1,
    max: YEARS_10,
    rangeNote: '(not below `SESSION_IDLE_TTL`)',
    summary: 'seconds a session lives at most, used or not',
    doc: 'seconds a session lives at most, used or not'
  }),
  REAUTH_MAX_AGE: integer({
    group: 'sessions',
    default: 600,
    defaultNote: '(10 min)',
    min: 0,
    max: 24 * 3600,
    summary: 'seconds after a sign-in that privileged changes need no password',
    doc: 'how long a sign-in or `POST /sessions/reauthenticate` lets the session make privileged changes (add or remove a passkey or TOTP, change the email or password, delete the account) without `current_password`; with TOTP on, only an authentication that included the code counts (`0` = always ask)'
  }),
  RESET_TOKEN_TTL: integer({
    group: 'sessions',
    default: 1800,
    defaultNote: '(30 min)',
    min: 1,
    max: 7 * 24 * 3600,
    summary: 'seconds a reset token stays valid',
    doc: 'seconds a reset token stays valid'
  }),
  RESET_TOKEN_IN_RESPONSE: boolean({
    group: 'sessions',
    default: null,
    shownDefault: '`false` (`true` with `COMPAT=course`)',
    defaultValue: 'false',
    summary: 'legacy clients: the reset token in the reply (refused in production; true with COMPAT=course)',
    doc: 'legacy clients: add `reset_token` to the `POST /reset_password` reply and answer an unknown email with 403; refused in production'
  }),
  VERIFY_TOKEN_TTL: integer({
    group: 'sessions',
    default: 86400,
    defaultNote: '(24 h)',
    min: 60,
    max: 30 * 24 * 3600,
    summary: 'seconds an email verification link works',
    doc: 'seconds an email verification link works (a newer link voids it anyway)'
  }),
  REQUIRE_EMAIL_VERIFICATION: boolean({
    group: 'sessions',
    default: false,
    summary: 'refuse sign-in (403 email_not_verified) until the email is verified',
    doc: 'when `true`, the right password of an unverified address answers 403 `email_not_verified`, sets no cookie, and mails a fresh link (capped like reset mails); accounts created before verification existed, and imported ones, count as unverified (`npx authsvc users verify-email` marks them)'
  }),
  SESSION_JWT_TTL: integer({
    group: 'oidc',
    default: 300,
    defaultNote: '(5 min)',
    min: 1,
    max: 3600,
    summary: 'seconds a session JWT (POST /sessions/token) is valid',
    doc: 'seconds a JWT of `POST /sessions/token` is valid (its `exp`); a backend that verifies it offline cannot see a sign-out before then, so keep it short'
  }),
  SESSION_JWT_AUDIENCES: custom({
    group: 'oidc',
    shownDefault: '–',
    range: 'audiences, comma-separated',
    parse: parseAudiences,
    summary: 'the audiences POST /sessions/token may put in aud (?audience=)',
    doc: 'comma-separated audiences (`https://api.example.com`, `billing`) that `POST /sessions/token?audience=…` may put in the JWT\'s `aud`; any other audience is a 400. Unset: no audience can be asked for, and the JWTs carry no `aud`'
  }),

  // Passwords and hashing
  PASSWORD_MIN_LENGTH: integer({
    group: 'passwords',
    default: null,
    min: 1,
    max: 1024,
    shownDefault: '`8` (`1` with `COMPAT=course`)',
    defaultValue: '8',
    summary: 'minimum password length in characters (1 with COMPAT=course)',
    doc: 'minimum password length in characters'
  }),
  PASSWORD_BLOCK_COMMON: boolean({
    group: 'passwords',
    default: null,
    shownDefault: '`true` (`false` with `COMPAT=course`)',
    defaultValue: 'true',
    summary: 'refuse common passwords and the user\'s own email (false with COMPAT=course)',
    doc: 'refuse common passwords and the user\'s own email or its local part'
  }),
  HASH_THREADS: integer({
    group: 'passwords',
    default: 0,
    defaultNote: '(one per CPU core)',
    min: 0,
    max: 256,
    summary: 'worker threads that hash passwords (0: one per CPU core)',
    doc: 'worker threads that hash and verify passwords'
  }),
  HASH_QUEUE_LIMIT: integer({
    group: 'passwords',
    default: 64,
    min: 1,
    max: 100_000,
    summary: 'passwords waiting for a hashing thread, all clients together',
    doc: 'passwords allowed to wait for a hashing thread, all clients together; each client (IPv4 address or IPv6 /64) waits in its own line and the lines are served in turn. When it is full, the client holding the most of it gets 503 `overloaded` with `Retry-After: 1` (the newcomer if it is that client, else that client\'s newest waiting request); no client is capped while there is room. (`HASH_QUEUE_PER_CLIENT`, a per-client cap, is gone and ignored if set: it refused a busy address on an idle instance)'
  }),

  // Abuse limits
  RATE_LIMIT_WINDOW: integer({
    group: 'limits',
    default: 60,
    min: 1,
    max: 24 * 3600,
    summary: 'seconds of the per-IP windows',
    doc: 'seconds of the per-IP windows below'
  }),
  RATE_LIMIT_REGISTER: integer({
    group: 'limits',
    default: 10,
    min: 0,
    max: 1_000_000,
    summary: 'POST /users per client IP per window (0 = off)',
    doc: '`POST /users` per client IP per window (`0` = off)'
  }),
  RATE_LIMIT_LOGIN: integer({
    group: 'limits',
    default: 30,
    min: 0,
    max: 1_000_000,
    summary: 'sign-in attempts per client IP per window (0 = off)',
    doc: 'sign-in attempts per client IP per window: `POST /sessions`, `/sessions/mfa`, `/sessions/passkey` and the login page\'s forms together (`0` = off); the passkey sign-in options, which the login page asks for as it loads, have a budget of their own of twice this'
  }),
  RATE_LIMIT_RESET: integer({
    group: 'limits',
    default: 10,
    min: 0,
    max: 1_000_000,
    summary: 'token routes (reset, verify, email change) per client IP per window',
    doc: 'the token routes: `POST` and `PUT /reset_password`, `POST /verify_email` and `POST /email_change/confirm` together, per client IP per window (`0` = off)'
  }),
  RATE_LIMIT_ACCOUNT: integer({
    group: 'limits',
    default: 10,
    min: 0,
    max: 1_000_000,
    summary: 'PUT /users/:id per client IP per window (0 = off)',
    doc: '`PUT /users/:id` per client IP per window (`0` = off)'
  }),
  RATE_LIMIT_MEMORY_KEYS: integer({
    group: 'limits',
    default: 100_000,
    min: 10,
    max: 100_000_000,
    summary: 'most counters of each kind an instance keeps in memory',
    doc: 'most counters of each kind (per-IP windows, throttle, reset mail) an instance keeps in memory; past it the expired go first, then the oldest plain counters, then failed-login counts, and blocking keys last'
  }),
  LOGIN_THROTTLE_FREE_ATTEMPTS: integer({
    group: 'limits',
    default: 5,
    min: 1,
    max: 1000,
    summary: 'failed logins for one email before it is slowed down',
    doc: 'failed logins for one email before it is slowed down'
  }),
  LOGIN_THROTTLE_MAX_DELAY: integer({
    group: 'limits',
    default: 900,
    defaultNote: '(15 min)',
    min: 0,
    max: 24 * 3600,
    summary: 'longest wait failed logins impose on one email (0 = off)',
    doc: 'seconds: the longest wait a run of failed logins imposes on one email (`0` = throttle off)'
  }),
  RESET_MAIL_LIMIT: integer({
    group: 'limits',
    default: 3,
    min: 0,
    max: 1000,
    summary: 'reset mails per email per RESET_MAIL_WINDOW (0 = off)',
    doc: 'reset mails per email per `RESET_MAIL_WINDOW` (`0` = off)'
  }),
  RESET_MAIL_WINDOW: integer({
    group: 'limits',
    default: 3600,
    defaultNote: '(1 h)',
    min: 1,
    max: 7 * 24 * 3600,
    summary: 'seconds of the reset mail window',
    doc: 'seconds of the reset mail window'
  }),
  NOTICE_MAIL_LIMIT: integer({
    group: 'limits',
    default: 10,
    min: 0,
    max: 1000,
    summary: 'notices mailed to one account per RESET_MAIL_WINDOW (0 = off)',
    doc: 'notices (password changed, email changed, a second factor added or removed …) mailed to one account per `RESET_MAIL_WINDOW`; past it the change is made and audited, unmailed (`0` = off)'
  }),
  REDIS_URL: url({
    group: 'limits',
    protocols: ['redis:', 'rediss:'],
    summary: 'keep the abuse-limit counters in Redis, shared by every instance',
    doc: '`redis://[:password@]host:6379[/db]` or `rediss://…`: keep the abuse-limit counters in Redis, shared by every instance; without it they live in the instance\'s memory'
  }),
  REDIS_KEY_PREFIX: text({
    group: 'limits',
    default: 'authsvc:',
    range: 'any text',
    summary: 'prefix of every Redis key this service writes',
    doc: 'prefix of every Redis key this service writes'
  }),
  REDIS_COMMAND_TIMEOUT: integer({
    group: 'limits',
    default: 300,
    min: 10,
    max: 60_000,
    summary: 'milliseconds a Redis command may take before memory takes over',
    doc: 'milliseconds a Redis command may take; past it (a stopped or stalled Redis) the limits are kept in memory, as when Redis is down'
  }),

  // HTTP, proxies and origins
  HTTP_REQUEST_TIMEOUT: integer({
    group: 'http',
    default: 10,
    min: 1,
    max: 3600,
    summary: 'seconds a request may take to arrive (then 408)',
    doc: 'seconds a request may take to arrive, headers and body (a new connection\'s wait for its first byte included); past it the client gets 408 and the service destroys the connection, whatever the client does (silent, stalled mid-header or mid-body, never closing its side)'
  }),
  HTTP_KEEP_ALIVE_TIMEOUT: integer({
    group: 'http',
    default: 5,
    min: 1,
    max: 3600,
    summary: 'seconds an idle keep-alive connection stays open',
    doc: 'seconds an idle keep-alive connection stays open (behind a proxy, keep the proxy\'s own idle timeout shorter: `deploy/nginx.conf` uses this minus one)'
  }),
  TRUST_PROXY: custom({
    group: 'http',
    shownDefault: '`false`',
    defaultValue: 'false',
    range: '`true`, `false`, a hop count, or addresses/CIDRs',
    parse: parseTrustProxy,
    summary: 'who may set X-Forwarded-For: false, true, a hop count or proxy CIDRs',
    doc: 'who may set `X-Forwarded-For`: `false` (use the socket\'s address), a comma-separated list of proxy addresses/CIDRs (`10.0.0.0/8,loopback`; also `linklocal`, `uniquelocal`), a hop count (`1`), or `true` (trust any; only behind a proxy that overwrites the header)'
  }),
  TRUSTED_ORIGINS: custom({
    group: 'http',
    shownDefault: '–',
    range: 'origins, comma-separated',
    parse: parseOrigins,
    summary: 'origins whose pages may call the API with the cookie (CSRF, CORS)',
    doc: 'comma-separated origins (`https://app.example.com`) whose pages may call the API with the cookie (CSRF check) and with credentials (CORS)'
  }),

  // Metrics and audit
  METRICS_ENABLED: boolean({
    group: 'observability',
    default: true,
    summary: 'collect Prometheus metrics and serve GET /metrics',
    doc: 'collect Prometheus metrics and serve `GET /metrics`; `false`: nothing is collected and `/metrics` is a 404'
  }),
  METRICS_ALLOW: custom({
    group: 'observability',
    shownDefault: `\`${DEFAULT_METRICS_ALLOW}\``,
    defaultValue: DEFAULT_METRICS_ALLOW,
    range: 'addresses or CIDRs, comma-separated',
    parse: parseCidrs,
    summary: 'clients that may read GET /metrics',
    doc: 'clients that may read `GET /metrics` (the client address as `TRUST_PROXY` reads it); everybody else gets a 404'
  }),
  METRICS_TOKEN: custom({
    group: 'observability',
    shownDefault: '–',
    range: '16 characters or more',
    parse: parseMetricsToken,
    summary: 'a bearer token that may read GET /metrics from anywhere',
    doc: 'a bearer token (`Authorization: Bearer …`) that may read `GET /metrics` from any address'
  }),
  AUDIT_RETENTION_DAYS: integer({
    group: 'observability',
    default: 90,
    min: 0,
    max: 36_500,
    summary: 'days a security event stays in the audit log (0 = for good)',
    doc: 'days a security event stays in the audit log (`audit_events`); older ones are deleted by the 10-minute sweep, 1,000 rows per statement (`0` keeps them for good)'
  }),

  // Admin API
  ADMIN_ALLOW: custom({
    group: 'admin',
    shownDefault: `\`${LOOPBACK_ONLY}\``,
    defaultValue: LOOPBACK_ONLY,
    range: 'addresses or CIDRs, comma-separated',
    parse: parseCidrs,
    summary: 'clients that may call the admin API (/admin/…)',
    doc: 'clients that may call the admin API (`/admin/clients` …; the client address as `TRUST_PROXY` reads it); everybody else gets a 404, as for a path that does not exist, unless it presents `ADMIN_TOKEN`. Without `TRUST_PROXY`, a request with `X-Forwarded-For`, `Forwarded` or `X-Real-IP` needs the token: its address is a proxy\'s'
  }),
  ADMIN_TOKEN: custom({
    group: 'admin',
    shownDefault: '–',
    range: '16 characters or more',
    parse: parseAdminToken,
    summary: 'a bearer token that may call the admin API from anywhere',
    doc: 'a bearer token (`Authorization: Bearer …`) that may call the admin API from any address; never logged. Make one with `openssl rand -base64 32`'
  }),

  // Secrets at rest
  ENCRYPTION_KEY: custom({
    group: 'security',
    shownDefault: '– (a fixed development key outside production)',
    range: '32-byte keys, base64 or 64 hex digits, comma-separated, the newest first',
    parse: parseEncryptionKeys,
    summary: 'keys that encrypt the TOTP secrets and signing keys, newest first (required in production)',
    doc: 'encrypts the TOTP secrets and the signing keys of ID tokens and session JWTs at rest (AES-256-GCM); each stored secret names its key by a fingerprint, so a new key goes first and the old ones stay listed until every secret sealed with them is gone (TOTP re-enrolled or reset; signing keys rotated with `npx authsvc keys rotate` and past their publication). Make one with `openssl rand -base64 32`. Required in production; without it, development and tests use a key anyone can read in `src/config/parsers.ts`'
  }),

  KEY_ROTATION_DELAY: integer({
    group: 'oidc',
    default: 3600,
    defaultNote: '(1 h)',
    min: 0,
    max: 30 * 86_400,
    rangeNote: '(30 days)',
    summary: 'seconds from keys rotate publishing new signing keys to signing with them',
    doc: '`npx authsvc keys rotate` publishes new signing keys (ID tokens, session JWTs) at once and signs with them this many seconds later: long enough for clients to refresh their cached JWKS ([openid-provider.md](openid-provider.md#signing-keys-and-rotation))'
  }),

  // The OpenID Connect provider
  OIDC_PROVIDERS: custom({
    group: 'upstream',
    shownDefault: '–',
    range: 'comma-separated names: `google`, `microsoft`, `apple`, `github`, or any other (a generic OpenID Connect provider)',
    parse: parseProviderNames,
    summary: 'identity providers to sign in with (each: OIDC_<NAME>_*)',
    doc: 'the identity providers people may sign in with, comma-separated; each one\'s settings are `OIDC_<NAME>_…` (the table below). `google`, `microsoft`, `apple` and `github` are presets; any other name is an OpenID Connect provider found by discovery at its `OIDC_<NAME>_ISSUER`'
  }),

  OIDC_DYNAMIC_REGISTRATION: boolean({
    group: 'oidc',
    default: false,
    summary: 'let anyone register a client at the registration endpoint (RFC 7591)',
    doc: 'when `true`, the provider\'s registration endpoint (RFC 7591, listed in discovery) lets anyone register a client application; off, clients are registered by the operator only (`npx authsvc clients create` or the admin API)'
  }),

  BACKCHANNEL_LOGOUT_SCAN_INTERVAL: integer({
    group: 'oidc',
    default: 2000,
    min: 100,
    max: 600_000,
    summary: 'milliseconds between two looks for ended sessions whose clients get a logout token',
    doc: 'milliseconds between two looks for sessions that ended (expired, swept, or ended any other way) and signed in to client applications, whose back-channel logout tokens then go to the outbox; a sign-out, revoke, password change or reset, disable or deletion queues its tokens at once anyway ([openid-provider.md](openid-provider.md#back-channel-logout))'
  }),

  // Hosted pages
  BRAND_NAME: text({
    group: 'pages',
    default: 'Auth Service',
    range: 'any text (80 characters kept)',
    maxLength: 80,
    summary: 'the name in the header and title of every hosted page',
    doc: 'the name in the header and the title of every hosted page'
  }),
  BRAND_LOGO_URL: custom({
    group: 'pages',
    shownDefault: '–',
    range: 'a path on this origin (`/logo.svg`) or an `https:` URL',
    parse: parseLogoUrl,
    summary: 'a logo beside the name on the hosted pages',
    doc: 'a logo beside the name on the hosted pages; an `https:` URL on another host adds that origin to the pages\' `img-src` (and nothing else)'
  })
} satisfies Record<string, Setting<unknown>>

export type SettingName = keyof typeof SETTINGS
export type SettingValues = { readonly [K in SettingName]: ReturnType<typeof SETTINGS[K]['parse']> }

/** Reads every setting of `env`; what is wrong is in `problems`, each naming its variable. */
export function readSettings (env: Readonly<Record<string, string | undefined>>): { values: SettingValues, problems: string[] } {
  const problems: string[] = []
  const report = (problem: string): void => { problems.push(problem) }
  const values: Record<string, unknown> = {}
  for (const [name, setting] of Object.entries(SETTINGS) as Array<[string, Setting<unknown>]>) {
    const raw = env[name]
    values[name] = setting.parse(raw === undefined || raw === '' ? null : raw, name, report)
  }
  return { values: values as SettingValues, problems }
}
