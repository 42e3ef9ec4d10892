// One fresh database per test server, on the database this run is for (TEST_DATABASE):
// a SQLite file in a temporary folder, or a randomly named database on the PostgreSQL
// (TEST_POSTGRES_URL) or MySQL/MariaDB (TEST_MYSQL_URL) server, dropped afterwards.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
export const TEST_DIALECT = (() => {
    const value = process.env.TEST_DATABASE ?? 'sqlite';
    if (value !== 'sqlite' && value !== 'postgres' && value !== 'mysql')
        throw new Error(`TEST_DATABASE must be sqlite, postgres or mysql, not ${value}`);
    return value;
})();
/**
 * `describe` for a suite that applies to some databases only (a network to cut, a server
 * to kill): on the others it is not registered at all. It is not a skipped test — nothing
 * was left undone on that database — so it neither shows as one nor fails CI's rule that a
 * skip is a failure; the pass of a database it applies to runs it.
 */
export function describeOn(dialects) {
    return dialects.includes(TEST_DIALECT) ? (name, fn) => { describe(name, fn); } : () => { };
}
function serverUrl(variable) {
    const raw = process.env[variable];
    if (raw === undefined || raw === '')
        throw new Error(`TEST_DATABASE=${TEST_DIALECT} needs ${variable}`);
    return new URL(raw);
}
function withDatabase(server, name) {
    const url = new URL(server);
    url.pathname = `/${name}`;
    return url.toString();
}
/** Runs one statement on the PostgreSQL server (a connection of its own, closed after). */
function postgresAdmin(server) {
    return async (statement) => {
        const client = new pg.Client({ connectionString: server.toString() });
        await client.connect();
        try {
            await client.query(statement);
        }
        finally {
            await client.end();
        }
    };
}
/** Runs one statement on the MySQL/MariaDB server (a connection of its own, closed after). */
function mysqlAdmin(server) {
    return async (statement) => {
        const connection = await mysql.createConnection({ uri: server.toString() });
        try {
            await connection.query(statement);
        }
        finally {
            await connection.end();
        }
    };
}
export async function createTestDatabase(dialect = TEST_DIALECT) {
    const name = `authsvc_test_${randomBytes(6).toString('hex')}`;
    if (dialect === 'sqlite') {
        const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'authsvc-test-'));
        return { url: path.join(dir, 'auth.sqlite'), drop: async () => { await fs.rm(dir, { recursive: true, force: true }); } };
    }
    if (dialect === 'postgres') {
        const server = serverUrl('TEST_POSTGRES_URL');
        const admin = postgresAdmin(server);
        await admin(`CREATE DATABASE ${name}`);
        return { url: withDatabase(server, name), drop: async () => { await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); } };
    }
    const server = serverUrl('TEST_MYSQL_URL');
    const admin = mysqlAdmin(server);
    await admin(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    return { url: withDatabase(server, name), drop: async () => { await admin(`DROP DATABASE IF EXISTS ${name}`); } };
}
/**
 * A fresh database already migrated to the latest version, copied from the template that
 * scripts/test.mjs migrates once per pass (TEST_TEMPLATE_DATABASE: a SQLite file, or a
 * database on the pass's server); null without one (a file run alone: migrate it then).
 * Migrating took 2–3 s per server on MariaDB; a copy takes a fraction of that. The
 * migrations themselves are tested on empty databases (database.test.ts and others).
 */
export async function createMigratedTestDatabase(dialect = TEST_DIALECT) {
    const template = process.env.TEST_TEMPLATE_DATABASE;
    if (template === undefined || template === '')
        return null;
    if (dialect === 'sqlite') {
        const database = await createTestDatabase('sqlite');
        await fs.copyFile(template, database.url);
        return database;
    }
    const name = `authsvc_test_${randomBytes(6).toString('hex')}`;
    if (dialect === 'postgres') {
        const server = serverUrl('TEST_POSTGRES_URL');
        const admin = postgresAdmin(server);
        await admin(`CREATE DATABASE ${name} TEMPLATE ${template}`);
        return { url: withDatabase(server, name), drop: async () => { await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); } };
    }
    // MariaDB has no template databases: each table is created as SHOW CREATE TABLE tells
    // (foreign keys included) and its rows copied (the migrations' own records, seeds).
    const server = serverUrl('TEST_MYSQL_URL');
    const connection = await mysql.createConnection({ uri: server.toString(), multipleStatements: true });
    try {
        const [tables] = await connection.query(`SHOW FULL TABLES FROM \`${template}\` WHERE Table_type = 'BASE TABLE'`);
        const names = tables.map(row => Object.values(row)[0] ?? '');
        const statements = [`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`, `USE ${name}`, 'SET FOREIGN_KEY_CHECKS = 0'];
        for (const table of names) {
            const [[created]] = await connection.query(`SHOW CREATE TABLE \`${template}\`.\`${table}\``);
            statements.push(created?.['Create Table'] ?? '', `INSERT INTO \`${table}\` SELECT * FROM \`${template}\`.\`${table}\``);
        }
        statements.push('SET FOREIGN_KEY_CHECKS = 1');
        await connection.query(statements.join(';\n'));
    }
    finally {
        await connection.end();
    }
    const admin = mysqlAdmin(server);
    return { url: withDatabase(server, name), drop: async () => { await admin(`DROP DATABASE IF EXISTS ${name}`); } };
}
