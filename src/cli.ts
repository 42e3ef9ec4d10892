#!/usr/bin/env node
// `authsvc serve | migrate | import-legacy | users … | events | sessions prune | cluster reload`: parse argv,
// load config, build the service graph, run. Exit codes: 0 done, 1 failed, 2 wrong usage
// (or, for the operator's commands, no such user).
import { pino } from 'pino'
import { AuthError } from './auth/errors.js'
import { ADMIN_COMMANDS, ADMIN_USAGE, type AdminCommand, parseAdminCommand, runAdminCommand } from './cli/admin.js'
import { ClusterError, type ClusterCommand, CLUSTER_USAGE, parseClusterCommand, reloadCluster } from './cli/cluster.js'
import { exitOnSignals } from './cli/shutdown.js'
import { EXIT_ERROR, EXIT_OK, EXIT_USAGE, UsageError } from './cli/usage.js'
import { ConfigError, type Config, type DatabaseConfig, loadConfig, redactUrl } from './config.js'
import { isDatabaseUnavailable } from './db/errors.js'
import type { Db } from './db/index.js'
import { isUnmigrated, migrateToLatest, pendingMigrations } from './db/migrate.js'
import { importLegacyUsers, LegacyImportError } from './import/legacy-users.js'
import { createServices, type Services } from './services.js'

const USAGE = `Usage: authsvc <command> [--help]

Commands:
  serve                   Start the HTTP service (applies pending migrations first, except in production)
  migrate                 Apply pending database migrations and print what ran
  import-legacy <file>    Import the users of the course service's SQLite database (ids, emails,
                          bcrypt hashes, live sessions); an empty database is migrated first;
                          rows already imported are skipped, bad rows are listed; an id at or
                          below the highest id ever held here (a deleted account's) is refused.
                          Exit code 0: all imported or present; 2: some rows were rejected

${ADMIN_USAGE}

${CLUSTER_USAGE}

Configuration comes from environment variables (see README.md, "Configuration"):
  PORT, HOST, DATABASE_URL, DATABASE_POOL_SIZE, DATABASE_CONNECT_TIMEOUT, DATABASE_QUERY_TIMEOUT,
  NODE_ENV, PUBLIC_URL,
  SMTP_URL, SMTP_TIMEOUT, MAIL_FROM, MAIL_OUTBOX, OUTBOX_POLL_INTERVAL, OUTBOX_RETRY_DELAY,
  OUTBOX_RETRY_MAX_DELAY, OUTBOX_GIVE_UP_AFTER, LOG_LEVEL, COMPAT, SESSION_IDLE_TTL, SESSION_ABSOLUTE_TTL,
  REAUTH_MAX_AGE, RESET_TOKEN_TTL, RESET_TOKEN_IN_RESPONSE, VERIFY_TOKEN_TTL, REQUIRE_EMAIL_VERIFICATION,
  PASSWORD_MIN_LENGTH, PASSWORD_BLOCK_COMMON,
  HASH_THREADS, HASH_QUEUE_LIMIT, HTTP_REQUEST_TIMEOUT, HTTP_KEEP_ALIVE_TIMEOUT,
  REDIS_URL, REDIS_KEY_PREFIX, REDIS_COMMAND_TIMEOUT, TRUST_PROXY, TRUSTED_ORIGINS,
  RATE_LIMIT_WINDOW, RATE_LIMIT_REGISTER, RATE_LIMIT_LOGIN, RATE_LIMIT_RESET, RATE_LIMIT_ACCOUNT,
  RATE_LIMIT_MEMORY_KEYS, LOGIN_THROTTLE_FREE_ATTEMPTS, LOGIN_THROTTLE_MAX_DELAY, RESET_MAIL_LIMIT,
  RESET_MAIL_WINDOW, NOTICE_MAIL_LIMIT, AUDIT_RETENTION_DAYS, METRICS_ENABLED, METRICS_ALLOW, METRICS_TOKEN,
  BRAND_NAME, BRAND_LOGO_URL, ENCRYPTION_KEY, INSTANCE_NAME, SHUTDOWN_TIMEOUT
`

function describeDatabase (config: DatabaseConfig): string {
  if (config.dialect === 'sqlite') return `SQLite file ${config.file}`
  return `${config.dialect === 'postgres' ? 'PostgreSQL' : 'MySQL'} at ${redactUrl(config.url)}`
}

function explain (config: Config, error: unknown): string {
  const message = error instanceof Error ? error.message || error.constructor.name : String(error)
  if (isDatabaseUnavailable(error)) return `cannot reach the database (${describeDatabase(config.database)}): ${message}`
  return message
}

async function migrate (config: Config, db: Db): Promise<void> {
  const { error, results } = await migrateToLatest(db)
  for (const result of results ?? []) {
    console.log(`${result.status === 'Success' ? 'applied' : result.status.toLowerCase()}: ${result.migrationName}`)
  }
  if (error !== undefined) throw new Error(`migration failed on ${describeDatabase(config.database)}: ${explain(config, error)}`)
  if ((results ?? []).length === 0) console.log('database is up to date')
}

async function serve (services: Services): Promise<void> {
  const { config, db } = services
  if (config.env === 'production') {
    // In production schema changes are a deliberate step, never a side effect of a restart.
    const pending = await pendingMigrations(db)
    if (pending.length > 0) throw new Error(`pending migrations (${pending.join(', ')}): run "authsvc migrate" first`)
  } else {
    await migrate(config, db)
  }
  // Loaded here: the operator's commands start faster without the HTTP layer.
  const { buildApp } = await import('./http/app.js')
  const app = await buildApp(services, { gentleClose: true })
  exitOnSignals(app, config.http.shutdownTimeoutSeconds)
  await app.listen({ host: config.host, port: config.port })
  app.log.info({ database: describeDatabase(config.database) }, 'database')
  if (config.mail.smtpUrl === null) app.log.warn({ outbox: config.mail.outbox }, 'SMTP_URL is not set: mail is written to files in the outbox folder instead of being sent')
  if (config.encryption.development) app.log.warn('ENCRYPTION_KEY is not set: TOTP secrets are encrypted with a development key anyone can read (refused in production)')
}

async function importLegacy (config: Config, db: Db, file: string): Promise<number> {
  // An empty database (none of our tables yet) is migrated first; a partly migrated one
  // is left to `authsvc migrate`, as `serve` leaves it in production.
  if (await isUnmigrated(db)) {
    console.log('the database has none of our tables yet: migrating it first')
    await migrate(config, db)
  }
  const pending = await pendingMigrations(db)
  if (pending.length > 0) throw new Error(`pending migrations (${pending.join(', ')}): run "authsvc migrate" first`)
  const report = await importLegacyUsers(db, file, { session: config.session })
  console.log(`imported: ${report.imported}`)
  console.log(`already present (skipped): ${report.alreadyPresent}`)
  console.log(`sessions kept (users stay signed in): ${report.sessionsKept}`)
  if (report.duplicateEmails > 0) {
    console.log(`duplicate emails: ${report.duplicateEmails} rows have the email of an earlier row once lower-cased; the row with the lowest id was imported, the others are listed below`)
  }
  console.log(`rejected: ${report.rejected.length}`)
  for (const row of report.rejected) console.log(`  id ${String(row.id)} ${JSON.stringify(row.email)}: ${row.reason}`)
  return report.rejected.length > 0 ? 2 : 0
}

type Parsed =
  | { kind: 'service', command: 'serve' | 'migrate' | 'import-legacy', file: string }
  | { kind: 'admin', command: AdminCommand }
  | { kind: 'cluster', command: ClusterCommand }

/** The operator commands that write mail. */
const MAILING_COMMANDS: ReadonlySet<AdminCommand['name']> = new Set(['set-email', 'set-password', 'reset-mfa', 'outbox retry'])

/** Reads the command line; throws UsageError. */
function parseCommand (argv: readonly string[], now: number): Parsed {
  const [command, ...rest] = argv
  if (command !== undefined && ADMIN_COMMANDS.has(command)) return { kind: 'admin', command: parseAdminCommand(argv, now) }
  if (command === 'cluster') return { kind: 'cluster', command: parseClusterCommand(argv) }
  if (command !== 'serve' && command !== 'migrate' && command !== 'import-legacy') throw new UsageError(`unknown command: ${command ?? ''}`)
  const expected = command === 'import-legacy' ? 1 : 0
  if (rest.length !== expected) throw new UsageError(`${command} takes ${expected === 0 ? 'no arguments' : 'the path of the course-service SQLite file'}`)
  return { kind: 'service', command, file: rest[0] ?? '' }
}

/** Runs one command and returns the exit code; `serve` returns once listening. */
export async function main (argv: readonly string[]): Promise<number> {
  const [command] = argv
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE)
    return command === undefined ? EXIT_USAGE : EXIT_OK
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE)
    return EXIT_OK
  }
  let parsed: Parsed
  try {
    parsed = parseCommand(argv, Date.now())
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    console.error(`${error.message}\n\nRun "authsvc --help" for the commands and their options.`)
    return EXIT_USAGE
  }
  // Needs neither the configuration nor the database: only the cluster's pid file.
  if (parsed.kind === 'cluster') {
    try {
      console.log(await reloadCluster(parsed.command))
      return EXIT_OK
    } catch (error) {
      if (!(error instanceof ClusterError)) throw error
      console.error(`cluster reload failed: ${error.message}`)
      return EXIT_ERROR
    }
  }
  let config: Config
  try {
    config = loadConfig(process.env)
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      return EXIT_ERROR
    }
    throw error
  }
  // JSON lines, one per event; human-readable ones when a person watches the terminal.
  // An operator's command logs to stderr: its stdout is its answer (--json included).
  const destination = parsed.kind === 'admin' ? 2 : 1
  const logger = (destination === 1 ? process.stdout : process.stderr).isTTY
    ? pino({ level: config.logLevel, transport: { target: 'pino-pretty', options: { destination } } })
    : pino({ level: config.logLevel }, pino.destination(destination))
  const services = await createServices(config, { logger })
  const label = argv.slice(0, argv[0] === 'events' || parsed.kind === 'service' ? 1 : 2).join(' ')
  try {
    let code = EXIT_OK
    if (parsed.kind === 'admin') {
      console.log(await runAdminCommand(services.auth, parsed.command))
      // The mail the command wrote (a notice, a retried message) goes now; what SMTP
      // refuses stays in the outbox for the service to retry.
      if (MAILING_COMMANDS.has(parsed.command.name)) await services.deliverOutbox()
    } else if (parsed.command === 'serve') {
      await serve(services)
      return EXIT_OK // the server keeps the process alive; app.close() closes the services
    } else if (parsed.command === 'migrate') {
      await migrate(config, services.db)
    } else {
      code = await importLegacy(config, services.db, parsed.file)
    }
    await services.close()
    return code
  } catch (error) {
    await services.close().catch(() => { /* already failing; the first error is the one to report */ })
    if (error instanceof UsageError || (error instanceof AuthError && error.code === 'NOT_FOUND')) {
      console.error(`${label}: ${error.message}`)
      return EXIT_USAGE
    }
    const message = error instanceof LegacyImportError || error instanceof AuthError ? error.message : explain(config, error)
    console.error(`${label} failed: ${message}`)
    return EXIT_ERROR
  }
}

main(process.argv.slice(2)).then(code => {
  if (code !== 0) process.exit(code)
}, (error: unknown) => {
  console.error(error)
  process.exit(1)
})
