// The commands that run the service or change its database: `serve`, `migrate`,
// `import-legacy`. Each writes its report to the run's stdout and throws on failure.
import type { Config, DatabaseConfig } from '../config.js'
import { redactUrl } from '../config.js'
import { isDatabaseUnavailable } from '../db/errors.js'
import type { Db } from '../db/index.js'
import { isUnmigrated, migrateToLatest, pendingMigrations } from '../db/migrate.js'
import { importLegacyUsers } from '../import/legacy-users.js'
import { SigningKeyError } from '../provider/keys.js'
import type { Services } from '../services.js'
import { type Output, writeLine } from './io.js'
import { stopOnSignals } from './shutdown.js'

export function describeDatabase (config: DatabaseConfig): string {
  if (config.dialect === 'sqlite') return `SQLite file ${config.file}`
  return `${config.dialect === 'postgres' ? 'PostgreSQL' : 'MySQL'} at ${redactUrl(config.url)}`
}

export function explain (config: Config, error: unknown): string {
  const message = error instanceof Error ? error.message || error.constructor.name : String(error)
  if (isDatabaseUnavailable(error)) return `cannot reach the database (${describeDatabase(config.database)}): ${message}`
  return message
}

export async function migrate (config: Config, db: Db, stdout: Output): Promise<void> {
  const { error, results } = await migrateToLatest(db)
  for (const result of results ?? []) {
    writeLine(stdout, `${result.status === 'Success' ? 'applied' : result.status.toLowerCase()}: ${result.migrationName}`)
  }
  if (error !== undefined) throw new Error(`migration failed on ${describeDatabase(config.database)}: ${explain(config, error)}`)
  if ((results ?? []).length === 0) writeLine(stdout, 'database is up to date')
}

/** Listens until SIGTERM or SIGINT; resolves with the exit code once stopped. */
export async function serve (services: Services, stdout: Output): Promise<number> {
  const { config, db } = services
  if (config.env === 'production') {
    // In production schema changes are a deliberate step, never a side effect of a restart.
    const pending = await pendingMigrations(db)
    if (pending.length > 0) throw new Error(`pending migrations (${pending.join(', ')}): run "authsvc migrate" first`)
  } else {
    await migrate(config, db, stdout)
  }
  // The signing keys, made on the first start (a key that cannot be opened is reported;
  // the rest of the service works without the provider's keys).
  try {
    await services.signingKeys.current()
  } catch (error) {
    if (!(error instanceof SigningKeyError)) throw error
    services.logger.error(error.message)
  }
  // Loaded here: the operator's commands start faster without the HTTP layer.
  const { buildApp } = await import('../http/app.js')
  const app = await buildApp(services, { gentleClose: true })
  await app.listen({ host: config.host, port: config.port })
  const stopped = stopOnSignals(app, config.http.shutdownTimeoutSeconds)
  app.log.info({ database: describeDatabase(config.database) }, 'database')
  if (config.mail.smtpUrl === null) app.log.warn({ outbox: config.mail.outbox }, 'SMTP_URL is not set: mail is written to files in the outbox folder instead of being sent')
  if (config.encryption.development) app.log.warn('ENCRYPTION_KEY is not set: TOTP secrets are encrypted with a development key anyone can read (refused in production)')
  return await stopped // app.close() closes the services
}

export async function importLegacy (config: Config, db: Db, file: string, stdout: Output): Promise<number> {
  const say = (line: string): void => { writeLine(stdout, line) }
  // An empty database (none of our tables yet) is migrated first; a partly migrated one
  // is left to `authsvc migrate`, as `serve` leaves it in production.
  if (await isUnmigrated(db)) {
    say('the database has none of our tables yet: migrating it first')
    await migrate(config, db, stdout)
  }
  const pending = await pendingMigrations(db)
  if (pending.length > 0) throw new Error(`pending migrations (${pending.join(', ')}): run "authsvc migrate" first`)
  const report = await importLegacyUsers(db, file, { session: config.session })
  say(`imported: ${report.imported}`)
  say(`already present (skipped): ${report.alreadyPresent}`)
  say(`sessions kept (users stay signed in): ${report.sessionsKept}`)
  if (report.duplicateEmails > 0) {
    say(`duplicate emails: ${report.duplicateEmails} rows have the email of an earlier row once lower-cased; the row with the lowest id was imported, the others are listed below`)
  }
  say(`rejected: ${report.rejected.length}`)
  for (const row of report.rejected) say(`  id ${String(row.id)} ${JSON.stringify(row.email)}: ${row.reason}`)
  return report.rejected.length > 0 ? 2 : 0
}
