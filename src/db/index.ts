// createDb(config.database) → Kysely<Database>. The only place that knows drivers:
// SQLite (better-sqlite3), PostgreSQL (pg pool) and MySQL/MariaDB (mysql2 pool).
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import type SQLite from 'better-sqlite3'
import { type DialectAdapter, Kysely, MysqlDialect, PostgresDialect, type PostgresPool, type PostgresPoolClient, SqliteAdapter, type SqliteDatabase, SqliteDialect, sql } from 'kysely'
import type Mysql from 'mysql2'
import type Pg from 'pg'
import type { DatabaseConfig } from '../config.js'
import type { Database } from './schema.js'

export type Db = Kysely<Database>

export interface DbLogger {
  warn: (obj: object, msg: string) => void
}

// Only the driver of the database in use is loaded: each costs megabytes of memory.
const require = createRequire(import.meta.url)

const PG_INT8_OID = 20
const SQLITE_STATEMENT_CACHE_SIZE = 256

function openSqlite (file: string): SQLite.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  const Database = require('better-sqlite3') as typeof SQLite
  const sqlite = new Database(file)
  // WAL lets readers run beside the writer; busy_timeout waits out another process's
  // write lock instead of failing; foreign keys are off in SQLite unless asked for.
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('synchronous = NORMAL')
  return sqlite
}

/**
 * Kysely's SQLite adapter takes no migration lock: it assumes one connection. Two
 * processes on one file would both run the same migrations. BEGIN IMMEDIATE takes the
 * file's write lock (waiting out busy_timeout) for the whole run, so the second process
 * waits, then finds nothing left to do.
 */
class SqliteAdapterWithMigrationLock extends SqliteAdapter {
  constructor (private readonly sqlite: SQLite.Database) { super() }

  override async acquireMigrationLock (db: Kysely<any>): Promise<void> {
    await sql`begin immediate`.execute(db)
  }

  override async releaseMigrationLock (db: Kysely<any>): Promise<void> {
    if (this.sqlite.inTransaction) await sql`commit`.execute(db)
  }
}

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs as much as running
 * a small query. The service issues a few dozen distinct SQL strings, so prepared
 * statements are kept by their text (bounded, oldest dropped). SQLite re-prepares a
 * kept statement by itself when a migration changes the schema.
 */
function withStatementCache (sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>()
  return {
    close: () => { sqlite.close() },
    prepare (text: string) {
      let statement = statements.get(text)
      if (statement === undefined) {
        statement = sqlite.prepare(text)
        statements.set(text, statement)
        if (statements.size > SQLITE_STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value as string)
      }
      return statement
    }
  }
}

class SqliteDialectWithMigrationLock extends SqliteDialect {
  constructor (private readonly sqlite: SQLite.Database) { super({ database: withStatementCache(sqlite) }) }

  override createAdapter (): DialectAdapter {
    return new SqliteAdapterWithMigrationLock(this.sqlite)
  }
}

function postgresPool (config: { url: string, poolSize: number, connectTimeoutMs: number }, log: DbLogger | undefined): Pg.Pool {
  const pg = require('pg') as typeof Pg
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize,
    connectionTimeoutMillis: config.connectTimeoutMs,
    // Timestamps are BIGINT milliseconds: read them as numbers, as SQLite and MySQL do.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === PG_INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser
    }
  })
  // An idle connection that the server drops (restart, pg_terminate_backend) emits
  // 'error' on the pool; without a listener that would end the process. The pool has
  // already discarded the connection and opens a new one on demand.
  pool.on('error', (err) => { log?.warn({ err }, 'idle PostgreSQL connection lost; the pool will reconnect') })
  // A checked-out client has no listener of the pool's, and Kysely adds none: a drop
  // between two queries would be an uncaught exception. The client is then unusable
  // and the pool discards it when it comes back.
  pool.on('connect', (client) => {
    client.on('error', (err) => { log?.warn({ err }, 'PostgreSQL connection lost while in use') })
  })
  return pool
}

const MAX_NAMED_STATEMENTS = 500

/**
 * Kysely sends every PostgreSQL query unnamed, so the server parses and plans it each
 * time. Naming each distinct SQL text makes node-postgres prepare it once per connection
 * and then only bind and execute: a third less work for PostgreSQL per session check
 * (measured under `npm run bench`). The service has a few dozen distinct SQL texts.
 */
function withNamedStatements (pool: Pg.Pool): PostgresPool {
  const names = new Map<string, string>()
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text)
    if (name === undefined && names.size < MAX_NAMED_STATEMENTS) {
      name = `authsvc_${names.size}`
      names.set(text, name)
    }
    return name
  }
  const clients = new WeakMap<Pg.PoolClient, PostgresPoolClient>()
  return {
    async connect () {
      const client = await pool.connect()
      let wrapped = clients.get(client)
      if (wrapped === undefined) {
        wrapped = {
          query: ((text: unknown, values?: unknown[]) => typeof text === 'string'
            ? client.query({ name: nameOf(text), text, values })
            : client.query(text as Pg.Submittable)) as unknown as PostgresPoolClient['query'],
          release: () => { client.release() }
        }
        clients.set(client, wrapped)
      }
      return wrapped
    },
    end: async () => { await pool.end() }
  }
}

function mysqlPool (config: { url: string, poolSize: number, connectTimeoutMs: number }): Mysql.Pool {
  const mysql = require('mysql2') as typeof Mysql
  return mysql.createPool({
    uri: config.url,
    connectionLimit: config.poolSize,
    connectTimeout: config.connectTimeoutMs,
    // BIGINT as a number while it fits (our millisecond timestamps always do).
    supportBigNumbers: true,
    bigNumberStrings: false,
    charset: 'utf8mb4'
  })
}

export function createDb (config: DatabaseConfig, log?: DbLogger): Db {
  switch (config.dialect) {
    case 'sqlite':
      return new Kysely<Database>({ dialect: new SqliteDialectWithMigrationLock(openSqlite(config.file)) })
    case 'postgres':
      return new Kysely<Database>({ dialect: new PostgresDialect({ pool: withNamedStatements(postgresPool(config, log)) }) })
    case 'mysql':
      return new Kysely<Database>({ dialect: new MysqlDialect({ pool: mysqlPool(config) }) })
  }
}
