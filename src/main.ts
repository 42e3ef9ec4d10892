// `authsvc serve | migrate | import-legacy | users … | events | sessions prune | outbox |
// keys rotate|list | clients … | cluster reload`: run(argv, io) parses the command line, loads the configuration from
// io.env, builds the service graph, runs the command and returns the exit code: 0 done,
// 1 failed, 2 wrong usage (or, for the operator's commands, no such user or client). It writes only
// to io's streams and never exits the process: the bin file (cli.ts) does that.
import { type DestinationStream, type Logger, pino } from 'pino'
import { AuthError } from './auth/errors.js'
import { ADMIN_COMMANDS, ADMIN_USAGE, type AdminCommand, operatorActor, parseAdminCommand, runAdminCommand } from './cli/admin.js'
import { CLIENTS_USAGE, type ClientsCommand, parseClientsCommand, runClientsCommand } from './cli/clients.js'
import { ClusterError, type ClusterCommand, CLUSTER_USAGE, parseClusterCommand, reloadCluster } from './cli/cluster.js'
import { type CliIo, type Output, processIo, writeLine } from './cli/io.js'
import { type KeysCommand, KEYS_USAGE, parseKeysCommand, runKeysCommand } from './cli/keys.js'
import { describeNativeModuleMismatch } from './cli/native-module.js'
import { explain, importLegacy, migrate, serve } from './cli/service.js'
import { EXIT_ERROR, EXIT_OK, EXIT_USAGE, UsageError } from './cli/usage.js'
import { ConfigError, type Config, configurationHelp, loadConfig } from './config.js'
import { LegacyImportError } from './import/legacy-users.js'
import { createServices, type Services } from './services.js'

export const USAGE = `Usage: authsvc <command> [--help]

Commands:
  serve                   Start the HTTP service (applies pending migrations first, except in production)
  migrate                 Apply pending database migrations and print what ran
  import-legacy <file>    Import the users of the course service's SQLite database (ids, emails,
                          bcrypt hashes, live sessions); an empty database is migrated first;
                          rows already imported are skipped, bad rows are listed; an id at or
                          below the highest id ever held here (a deleted account's) is refused.
                          Exit code 0: all imported or present; 2: some rows were rejected

${ADMIN_USAGE}

${KEYS_USAGE}

${CLIENTS_USAGE}

${CLUSTER_USAGE}

${configurationHelp()}
`

type Parsed =
  | { kind: 'service', command: 'serve' | 'migrate' | 'import-legacy', file: string }
  | { kind: 'admin', command: AdminCommand }
  | { kind: 'keys', command: KeysCommand }
  | { kind: 'clients', command: ClientsCommand }
  | { kind: 'cluster', command: ClusterCommand }

/** The operator commands that write mail. */
const MAILING_COMMANDS: ReadonlySet<AdminCommand['name']> = new Set(['set-email', 'set-password', 'reset-mfa', 'outbox retry'])

/** Reads the command line; throws UsageError. */
function parseCommand (argv: readonly string[], now: number): Parsed {
  const [command, ...rest] = argv
  if (command !== undefined && ADMIN_COMMANDS.has(command)) return { kind: 'admin', command: parseAdminCommand(argv, now) }
  if (command === 'clients') return { kind: 'clients', command: parseClientsCommand(argv) }
  if (command === 'cluster') return { kind: 'cluster', command: parseClusterCommand(argv) }
  if (command === 'keys') return { kind: 'keys', command: parseKeysCommand(argv) }
  if (command !== 'serve' && command !== 'migrate' && command !== 'import-legacy') throw new UsageError(`unknown command: ${command ?? ''}`)
  const expected = command === 'import-legacy' ? 1 : 0
  if (rest.length !== expected) throw new UsageError(`${command} takes ${expected === 0 ? 'no arguments' : 'the path of the course-service SQLite file'}`)
  return { kind: 'service', command, file: rest[0] ?? '' }
}

/** JSON lines, one per event; human-readable ones when a person watches the terminal. */
function createLogger (level: string, output: Output & { readonly fd?: unknown }): Logger {
  const fd = typeof output.fd === 'number' ? output.fd : null
  if (fd === null) return pino({ level }, output as DestinationStream)
  return output.isTTY === true
    ? pino({ level, transport: { target: 'pino-pretty', options: { destination: fd } } })
    : pino({ level }, pino.destination(fd))
}

/** Runs one command and returns the exit code; `serve` returns once a signal has stopped it. */
export async function run (argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    return await runCommand(argv, io)
  } catch (error) {
    writeLine(io.stderr, describeNativeModuleMismatch(error, io.env) ?? (error instanceof Error && error.stack !== undefined ? error.stack : String(error)))
    return EXIT_ERROR
  }
}

async function runCommand (argv: readonly string[], io: CliIo): Promise<number> {
  const [command] = argv
  if (command === undefined || ['--help', '-h', 'help'].includes(command) || argv.includes('--help') || argv.includes('-h')) {
    writeLine(io.stdout, USAGE)
    return command === undefined ? EXIT_USAGE : EXIT_OK
  }
  let parsed: Parsed
  try {
    parsed = parseCommand(argv, Date.now())
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    writeLine(io.stderr, `${error.message}\n\nRun "authsvc --help" for the commands and their options.`)
    return EXIT_USAGE
  }
  // Needs neither the configuration nor the database: only the cluster's pid file.
  if (parsed.kind === 'cluster') {
    try {
      writeLine(io.stdout, await reloadCluster(parsed.command))
      return EXIT_OK
    } catch (error) {
      if (!(error instanceof ClusterError)) throw error
      writeLine(io.stderr, `cluster reload failed: ${error.message}`)
      return EXIT_ERROR
    }
  }
  let config: Config
  try {
    config = loadConfig(io.env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    writeLine(io.stderr, error.message)
    return EXIT_ERROR
  }
  // An operator's command logs to stderr: its stdout is its answer (--json included).
  const logger = createLogger(config.logLevel, parsed.kind === 'admin' || parsed.kind === 'keys' || parsed.kind === 'clients' ? io.stderr : io.stdout)
  const services = await createServices(config, { logger })
  const label = argv.slice(0, argv[0] === 'events' || parsed.kind === 'service' ? 1 : 2).join(' ')
  try {
    // serve returns once stopped; app.close() has closed the services then.
    if (parsed.kind === 'service' && parsed.command === 'serve') return await serve(services, io.stdout)
    const code = await runOnce(parsed, services, io)
    await services.close()
    return code
  } catch (error) {
    await services.close().catch(() => { /* already failing; the first error is the one to report */ })
    const mismatch = describeNativeModuleMismatch(error, io.env)
    if (mismatch !== null) {
      writeLine(io.stderr, mismatch)
      return EXIT_ERROR
    }
    if (error instanceof UsageError || (error instanceof AuthError && error.code === 'NOT_FOUND')) {
      writeLine(io.stderr, `${label}: ${error.message}`)
      return EXIT_USAGE
    }
    const message = error instanceof LegacyImportError || error instanceof AuthError ? error.message : explain(config, error)
    writeLine(io.stderr, `${label} failed: ${message}`)
    return EXIT_ERROR
  }
}

/** The commands that do their work and return: all but serve. */
async function runOnce (parsed: Exclude<Parsed, { kind: 'cluster' }>, services: Services, io: CliIo): Promise<number> {
  if (parsed.kind === 'admin') {
    writeLine(io.stdout, await runAdminCommand(services.auth, parsed.command, { actor: operatorActor(), stdin: io.stdin, prompt: io.stderr }))
    // The mail the command wrote (a notice, a retried message) goes now; what SMTP
    // refuses stays in the outbox for the service to retry.
    if (MAILING_COMMANDS.has(parsed.command.name)) await services.deliverOutbox()
    return EXIT_OK
  }
  if (parsed.kind === 'keys') {
    writeLine(io.stdout, await runKeysCommand(services, parsed.command))
    return EXIT_OK
  }
  if (parsed.kind === 'clients') {
    writeLine(io.stdout, await runClientsCommand(services.auth, services.config, parsed.command, operatorActor()))
    return EXIT_OK
  }
  if (parsed.command === 'migrate') {
    await migrate(services.config, services.db, io.stdout)
    return EXIT_OK
  }
  return await importLegacy(services.config, services.db, parsed.file, io.stdout)
}
