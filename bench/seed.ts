// Seeds N users and N live sessions (one each) for the scale benchmark, straight into the
// service's schema. All users share one argon2id hash (hashing a million passwords is
// not what is measured). Session i's token is derived from i, so a load test can use it.
//   node --import tsx bench/seed.ts <DATABASE_URL> [count]
import { createHash } from 'node:crypto'
import SQLite from 'better-sqlite3'
import pg from 'pg'
import { hashPasswordSync } from '../src/auth/passwords.js'
import { loadConfig } from '../src/config.js'

export function benchToken (i: number): string {
  return createHash('sha256').update(`bench-token-${i}`).digest('base64url')
}

const sha256hex = (text: string): string => createHash('sha256').update(text).digest('hex')

export async function seed (databaseUrl: string, count: number): Promise<void> {
  const database = loadConfig({ DATABASE_URL: databaseUrl }).database
  const passwordHash = hashPasswordSync('bench password long enough')
  const now = Date.now()
  const expires = now + 7 * 24 * 3600 * 1000
  if (database.dialect === 'sqlite') {
    const db = new SQLite(database.file)
    db.pragma('journal_mode = WAL')
    const user = db.prepare('INSERT INTO users (email, created_at, updated_at) VALUES (?, ?, ?)')
    const password = db.prepare('INSERT INTO password_credentials (user_id, hash, created_at, updated_at) VALUES (?, ?, ?, ?)')
    const session = db.prepare('INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)')
    const batch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const id = Number(user.run(`seed-${i}@bench.example`, now, now).lastInsertRowid)
        password.run(id, passwordHash, now, now)
        session.run(sha256hex(benchToken(i)), id, now, now, expires, '127.0.0.1', 'bench')
      }
    })
    for (let from = 0; from < count; from += 50_000) batch(from, Math.min(count, from + 50_000))
    // Fold the write-ahead log into the database, as a long-running database would have
    // done by itself; otherwise every read of the benchmark searches a huge WAL.
    db.pragma('wal_checkpoint(TRUNCATE)')
    db.close()
    return
  }
  if (database.dialect !== 'postgres') throw new Error('the seeding script supports SQLite and PostgreSQL')
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  try {
    await client.query(`INSERT INTO users (email, created_at, updated_at)
      SELECT 'seed-' || g || '@bench.example', $1, $1 FROM generate_series(0, $2 - 1) AS g`, [now, count])
    await client.query('INSERT INTO password_credentials (user_id, hash, created_at, updated_at) SELECT id, $1, $2, $2 FROM users', [passwordHash, now])
    // The same token derivation as benchToken(), in SQL: base64url(sha256('bench-token-' || i)).
    await client.query(`INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, ip, user_agent)
      SELECT encode(sha256(convert_to(rtrim(translate(encode(sha256(convert_to('bench-token-' || g, 'UTF8')), 'base64'), '+/', '-_'), '='), 'UTF8')), 'hex'),
             u.id, $1, $1, $2, '127.0.0.1', 'bench'
      FROM generate_series(0, $3 - 1) AS g JOIN users u ON u.email = 'seed-' || g || '@bench.example'`, [now, expires, count])
    await client.query('ANALYZE users; ANALYZE password_credentials; ANALYZE sessions')
  } finally {
    await client.end()
  }
}

if (process.argv[1]?.endsWith('seed.ts') === true) {
  const [url, count] = process.argv.slice(2)
  if (url === undefined) {
    console.error('usage: node --import tsx bench/seed.ts <DATABASE_URL> [count]')
    process.exit(1)
  }
  const started = Date.now()
  await seed(url, Number(count ?? 1_000_000))
  console.log(`seeded ${Number(count ?? 1_000_000)} users and sessions in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}
