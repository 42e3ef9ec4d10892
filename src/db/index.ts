// createDb(config.database) → Kysely<Database>. The only place that knows driver details.
import fs from 'node:fs'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import type { DatabaseConfig } from '../config.js'
import type { Database } from './schema.js'

export type Db = Kysely<Database>

function openSqlite (file: string): SQLite.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  const sqlite = new SQLite(file)
  // WAL lets readers run beside the writer; busy_timeout waits out another process's
  // write lock instead of failing; foreign keys are off in SQLite unless asked for.
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('synchronous = NORMAL')
  return sqlite
}

export function createDb (config: DatabaseConfig): Db {
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(config.file) }) })
}
