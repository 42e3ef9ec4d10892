// INSERT or, when the key is taken, UPDATE, in one statement on each database: ON CONFLICT
// on SQLite and PostgreSQL, ON DUPLICATE KEY UPDATE on MySQL. (A DELETE then an INSERT
// would let two concurrent writers of one key collide on the INSERT.)
import { type Insertable, type Kysely, MysqlAdapter } from 'kysely'
import type { Database } from './schema.js'

type Row = Record<string, string | number | null>

/** `key`: the column of the table's primary key, or its columns when it has several. */
export async function upsertRow<T extends keyof Database> (db: Kysely<Database>, table: T, key: (keyof Database[T] & string) | ReadonlyArray<keyof Database[T] & string>, row: Insertable<Database[T]>): Promise<void> {
  // The table is chosen at run time: Kysely's types cannot follow it.
  await upsert(db as unknown as Kysely<Record<string, Row>>, table, typeof key === 'string' ? [key] : [...key], row)
}

async function upsert (db: Kysely<Record<string, Row>>, table: string, keys: readonly string[], row: Row): Promise<void> {
  const update = Object.fromEntries(Object.entries(row).filter(([column]) => !keys.includes(column)))
  const insert = db.insertInto(table).values(row)
  if (db.getExecutor().adapter instanceof MysqlAdapter) await insert.onDuplicateKeyUpdate(update).execute()
  else await insert.onConflict(conflict => conflict.columns(keys).doUpdateSet(update)).execute()
}
