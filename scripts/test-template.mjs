// The migrated template of a pass of `npm test` (scripts/test.mjs): one database per pass,
// migrated once with the build in dist/, that test/support/database.ts copies for each
// test server instead of migrating a new one (TEST_TEMPLATE_DATABASE). Dropped at the end.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

async function migrate (url) {
  const { loadConfig } = await import('../dist/config.js')
  const { createDb } = await import('../dist/db/index.js')
  const { migrateToLatest } = await import('../dist/db/migrate.js')
  const db = createDb(loadConfig({ DATABASE_URL: url }).database)
  try {
    const result = await migrateToLatest(db)
    if (result.error !== undefined) throw result.error instanceof Error ? result.error : new Error('migration failed', { cause: result.error })
  } finally {
    await db.destroy()
  }
}

/** Makes the template of the pass on `name` (sqlite, postgres, mysql); returns what
 *  TEST_TEMPLATE_DATABASE is set to and how to drop it. */
export async function createTemplate (name, env = process.env) {
  if (name === 'sqlite') {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'authsvc-template-'))
    const file = path.join(dir, 'template.sqlite')
    await migrate(file)
    return { value: file, drop: async () => { await rm(dir, { recursive: true, force: true }) } }
  }
  const template = `authsvc_template_${randomBytes(6).toString('hex')}`
  const server = new URL(name === 'postgres' ? env.TEST_POSTGRES_URL : env.TEST_MYSQL_URL)
  const admin = name === 'postgres'
    ? async statement => {
      const { default: pg } = await import('pg')
      const client = new pg.Client({ connectionString: server.toString() })
      await client.connect()
      try { await client.query(statement) } finally { await client.end() }
    }
    : async statement => {
      const { default: mysql } = await import('mysql2/promise')
      const connection = await mysql.createConnection({ uri: server.toString() })
      try { await connection.query(statement) } finally { await connection.end() }
    }
  await admin(name === 'postgres' ? `CREATE DATABASE ${template}` : `CREATE DATABASE ${template} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`)
  const drop = async () => { await admin(`DROP DATABASE IF EXISTS ${template}${name === 'postgres' ? ' WITH (FORCE)' : ''}`) }
  try {
    const url = new URL(server)
    url.pathname = `/${template}`
    await migrate(url.toString())
  } catch (error) {
    await drop()
    throw error
  }
  return { value: template, drop }
}
