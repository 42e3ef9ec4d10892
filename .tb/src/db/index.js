// createDb(config.database) → Kysely<Database>. The only place that knows drivers:
// SQLite (better-sqlite3), PostgreSQL (pg pool) and MySQL/MariaDB (mysql2 pool).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Kysely, MysqlDialect, PostgresDialect, SqliteAdapter, SqliteDialect, sql } from 'kysely';
import { CLIENT_TIMEOUT_GRACE_MS, mysqlPool } from './mysql.js';
import { keepRollbackCause } from './transactions.js';
// Only the driver of the database in use is loaded: each costs megabytes of memory.
const require = createRequire(import.meta.url);
const PG_INT8_OID = 20;
const SQLITE_STATEMENT_CACHE_SIZE = 256;
function openSqlite(file, queryTimeoutMs) {
    if (file !== ':memory:')
        fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const Database = require('better-sqlite3');
    // better-sqlite3 is synchronous: a statement cannot hang on a network, and its one wait is
    // for another process's write lock, bounded by `timeout` (SQLite's busy_timeout).
    const sqlite = new Database(file, { timeout: queryTimeoutMs });
    // WAL lets readers run beside the writer; foreign keys are off in SQLite unless asked for.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('synchronous = NORMAL');
    return sqlite;
}
/**
 * Kysely's SQLite adapter takes no migration lock: it assumes one connection. Two
 * processes on one file would both run the same migrations. BEGIN IMMEDIATE takes the
 * file's write lock (waiting out busy_timeout) for the whole run, so the second process
 * waits, then finds nothing left to do.
 */
class SqliteAdapterWithMigrationLock extends SqliteAdapter {
    sqlite;
    constructor(sqlite) {
        super();
        this.sqlite = sqlite;
    }
    async acquireMigrationLock(db) {
        await sql `begin immediate`.execute(db);
    }
    async releaseMigrationLock(db) {
        if (this.sqlite.inTransaction)
            await sql `commit`.execute(db);
    }
}
/**
 * Kysely's SQLite driver prepares every query anew; preparing costs as much as running
 * a small query. The service issues a few dozen distinct SQL strings, so prepared
 * statements are kept by their text (bounded, oldest dropped). SQLite re-prepares a
 * kept statement by itself when a migration changes the schema.
 */
function withStatementCache(sqlite) {
    const statements = new Map();
    return {
        close: () => { sqlite.close(); },
        prepare(text) {
            let statement = statements.get(text);
            if (statement === undefined) {
                statement = sqlite.prepare(text);
                statements.set(text, statement);
                if (statements.size > SQLITE_STATEMENT_CACHE_SIZE)
                    statements.delete(statements.keys().next().value);
            }
            return statement;
        }
    };
}
class SqliteDialectWithMigrationLock extends SqliteDialect {
    sqlite;
    constructor(sqlite) {
        super({ database: withStatementCache(sqlite) });
        this.sqlite = sqlite;
    }
    createAdapter() {
        return new SqliteAdapterWithMigrationLock(this.sqlite);
    }
}
function postgresPool(config, log) {
    const pg = require('pg');
    const pool = new pg.Pool({
        connectionString: config.url,
        max: config.poolSize,
        // Also bounds the wait for a pooled connection when all of them are in use.
        connectionTimeoutMillis: config.connectTimeoutMs,
        // Every statement, BEGIN and COMMIT included, is bounded twice: by the server, which
        // cancels it (57014) and keeps the connection usable, and, a moment later, by the
        // driver, for a server or network that says nothing at all (withNamedStatements then
        // discards the connection).
        statement_timeout: config.queryTimeoutMs,
        query_timeout: config.queryTimeoutMs + CLIENT_TIMEOUT_GRACE_MS,
        // Timestamps are BIGINT milliseconds: read them as numbers, as SQLite and MySQL do.
        types: {
            getTypeParser: ((oid, format) => oid === PG_INT8_OID ? (value) => Number(value) : pg.types.getTypeParser(oid, format))
        }
    });
    // An idle connection that the server drops (restart, pg_terminate_backend) emits
    // 'error' on the pool; without a listener that would end the process. The pool has
    // already discarded the connection and opens a new one on demand.
    pool.on('error', (err) => { log?.warn({ err }, 'idle PostgreSQL connection lost; the pool will reconnect'); });
    // A checked-out client has no listener of the pool's, and Kysely adds none: a drop
    // between two queries would be an uncaught exception. The client is then unusable
    // and the pool discards it when it comes back.
    pool.on('connect', (client) => {
        client.on('error', (err) => { log?.warn({ err }, 'PostgreSQL connection lost while in use'); });
    });
    return pool;
}
const MAX_NAMED_STATEMENTS = 500;
// node-postgres's message when query_timeout expires (it sets no code).
const QUERY_READ_TIMEOUT = 'Query read timeout';
/**
 * Kysely sends every PostgreSQL query unnamed, so the server parses and plans it each
 * time. Naming each distinct SQL text makes node-postgres prepare it once per connection
 * and then only bind and execute: a third less work for PostgreSQL per session check
 * (measured under `npm run bench`). The service has a few dozen distinct SQL texts.
 */
function withNamedStatements(pool) {
    // node-postgres's query_timeout rejects the query but keeps it as the connection's
    // active one: every later query would queue behind an answer that may never come. On a
    // connection that timed out, later queries (the transaction's ROLLBACK) fail at once, and
    // it is destroyed when released instead of being pooled again.
    const stuck = new WeakSet();
    const noteTimeout = (client) => (error) => {
        if (error instanceof Error && error.message.startsWith(QUERY_READ_TIMEOUT))
            stuck.add(client);
    };
    const names = new Map();
    const nameOf = (text) => {
        let name = names.get(text);
        if (name === undefined && names.size < MAX_NAMED_STATEMENTS) {
            name = `authsvc_${names.size}`;
            names.set(text, name);
        }
        return name;
    };
    const clients = new WeakMap();
    return {
        async connect() {
            const client = await pool.connect();
            let wrapped = clients.get(client);
            if (wrapped === undefined) {
                const onError = noteTimeout(client);
                wrapped = {
                    query: ((text, values) => {
                        if (stuck.has(client))
                            return Promise.reject(new Error(`${QUERY_READ_TIMEOUT}: an earlier statement on this connection got no answer`));
                        if (typeof text !== 'string')
                            return client.query(text);
                        const running = client.query({ name: nameOf(text), text, values });
                        running.catch(onError);
                        return running;
                    }),
                    release: () => { client.release(stuck.has(client)); }
                };
                clients.set(client, wrapped);
            }
            return wrapped;
        },
        end: async () => { await pool.end(); }
    };
}
export function createDb(config, log) {
    switch (config.dialect) {
        case 'sqlite': {
            const sqlite = openSqlite(config.file, config.queryTimeoutMs);
            return new Kysely({ dialect: keepRollbackCause(new SqliteDialectWithMigrationLock(sqlite), log, () => sqlite.inTransaction) });
        }
        case 'postgres':
            return new Kysely({ dialect: keepRollbackCause(new PostgresDialect({ pool: withNamedStatements(postgresPool(config, log)) }), log) });
        case 'mysql':
            return new Kysely({ dialect: keepRollbackCause(new MysqlDialect({ pool: mysqlPool(config) }), log) });
    }
}
