// One fresh database per test server, on the database this run is for (TEST_DATABASE):
// a SQLite file in a temporary folder, or a randomly named database on the PostgreSQL
// (TEST_POSTGRES_URL) or MySQL/MariaDB (TEST_MYSQL_URL) server, dropped afterwards.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import mysql from 'mysql2/promise'
import pg from 'pg'

export type TestDialect = 'sqlite' | 'postgres' | 'mysql'

export const TEST_DIALECT: TestDialect = (() => {
  const value = process.env.TEST_DATABASE ?? 'sqlite'
  if (value !== 'sqlite' && value !== 'postgres' && value !== 'mysql') throw new Error(`TEST_DATABASE must be sqlite, postgres or mysql, not ${value}`)
  return value
})()

export interface TestDatabase {
  /** What DATABASE_URL is set to. */
  readonly url: string
  drop: () => Promise<void>
}

function serverUrl (variable: 'TEST_POSTGRES_URL' | 'TEST_MYSQL_URL'): URL {
  const raw = process.env[variable]
  if (raw === undefined || raw === '') throw new Error(`TEST_DATABASE=${TEST_DIALECT} needs ${variable}`)
  return new URL(raw)
}

function withDatabase (server: URL, name: string): string {
  const url = new URL(server)
  url.pathname = `/${name}`
  return url.toString()
}

export async function createTestDatabase (dialect: TestDialect = TEST_DIALECT): Promise<TestDatabase> {
  const name = `authsvc_test_${randomBytes(6).toString('hex')}`
  if (dialect === 'sqlite') {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'authsvc-test-'))
    return { url: path.join(dir, 'auth.sqlite'), drop: async () => { await fs.rm(dir, { recursive: true, force: true }) } }
  }
  if (dialect === 'postgres') {
    const server = serverUrl('TEST_POSTGRES_URL')
    const admin = async (statement: string): Promise<void> => {
      const client = new pg.Client({ connectionString: server.toString() })
      await client.connect()
      try { await client.query(statement) } finally { await client.end() }
    }
    await admin(`CREATE DATABASE ${name}`)
    return { url: withDatabase(server, name), drop: async () => { await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) } }
  }
  const server = serverUrl('TEST_MYSQL_URL')
  const admin = async (statement: string): Promise<void> => {
    const connection = await mysql.createConnection({ uri: server.toString() })
    try { await connection.query(statement) } finally { await connection.end() }
  }
  await admin(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`)
  return { url: withDatabase(server, name), drop: async () => { await admin(`DROP DATABASE IF EXISTS ${name}`) } }
}
