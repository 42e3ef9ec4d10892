#!/usr/bin/env node
// `authsvc serve` | `authsvc migrate`: parse argv, load config, build dependencies, run.
import { pino } from 'pino'
import { ConfigError, type Config, loadConfig } from './config.js'
import { createDb, type Db } from './db/index.js'
import { migrateToLatest, pendingMigrations } from './db/migrate.js'
import { buildApp } from './http/app.js'
import { createMailer } from './mail/mailer.js'

const USAGE = `Usage: authsvc <command> [--help]

Commands:
  serve     Start the HTTP service (applies pending migrations first, except in production)
  migrate   Apply pending database migrations and print what ran

Configuration comes from environment variables (see README.md, "Configuration"):
  PORT, HOST, DATABASE_URL, NODE_ENV, PUBLIC_URL, SMTP_URL, MAIL_FROM, LOG_LEVEL,
  SESSION_IDLE_TTL, SESSION_ABSOLUTE_TTL, RESET_TOKEN_TTL, RESET_TOKEN_IN_RESPONSE,
  PASSWORD_MIN_LENGTH, PASSWORD_BLOCK_COMMON
`

async function migrate (config: Config, db: Db): Promise<boolean> {
  const { error, results } = await migrateToLatest(db)
  for (const result of results ?? []) {
    console.log(`${result.status === 'Success' ? 'applied' : result.status.toLowerCase()}: ${result.migrationName}`)
  }
  if (error !== undefined) {
    console.error(`migration failed on ${config.database.dialect}: ${error instanceof Error ? error.message : String(error)}`)
    return false
  }
  if ((results ?? []).length === 0) console.log('database is up to date')
  return true
}

async function serve (config: Config, db: Db): Promise<void> {
  if (config.env === 'production') {
    // In production schema changes are a deliberate step, never a side effect of a restart.
    const pending = await pendingMigrations(db)
    if (pending.length > 0) throw new Error(`pending migrations (${pending.join(', ')}): run "authsvc migrate" first`)
  } else if (!await migrate(config, db)) {
    throw new Error('could not migrate the database')
  }
  const logger = pino({ level: config.logLevel })
  const app = await buildApp({ config, db, logger, mailer: createMailer(config.mail, logger) })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      app.log.info({ signal }, 'shutting down')
      app.close().then(() => process.exit(0), (err: unknown) => {
        app.log.error({ err }, 'shutdown failed')
        process.exit(1)
      })
    })
  }
  await app.listen({ host: config.host, port: config.port })
  if (config.mail.smtpUrl === null) app.log.warn('SMTP_URL is not set: reset mail is written to this log instead of being sent')
}

export async function main (argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE)
    return command === undefined ? 1 : 0
  }
  if (command !== 'serve' && command !== 'migrate') {
    console.error(`unknown command: ${command}\n\n${USAGE}`)
    return 1
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(USAGE)
    return 0
  }
  if (rest.length > 0) {
    console.error(`unexpected argument: ${rest[0] ?? ''}\n\n${USAGE}`)
    return 1
  }
  let config: Config
  try {
    config = loadConfig(process.env)
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      return 1
    }
    throw error
  }
  const db = createDb(config.database)
  if (command === 'migrate') {
    const ok = await migrate(config, db)
    await db.destroy()
    return ok ? 0 : 1
  }
  try {
    await serve(config, db)
  } catch (error) {
    console.error(`cannot start: ${error instanceof Error ? error.message : String(error)}`)
    await db.destroy()
    return 1
  }
  return 0
}

main(process.argv.slice(2)).then(code => {
  // serve keeps running on its open server; other commands end here.
  if (code !== 0) process.exit(code)
}, (error: unknown) => {
  console.error(error)
  process.exit(1)
})
