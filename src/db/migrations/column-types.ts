// Column types that differ between dialects, decided here so each migration is written
// once for SQLite, PostgreSQL and MySQL.
import { type ColumnDefinitionBuilder, type Kysely, MysqlAdapter, PostgresAdapter } from 'kysely'

/** An auto-incrementing integer primary key. */
export function addIdColumn (db: Kysely<any>): { type: 'serial' | 'integer', build: (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder } {
  const adapter = db.getExecutor().adapter
  if (adapter instanceof PostgresAdapter) return { type: 'serial', build: col => col.primaryKey() }
  if (adapter instanceof MysqlAdapter) return { type: 'integer', build: col => col.primaryKey().autoIncrement() }
  // SQLite: INTEGER PRIMARY KEY AUTOINCREMENT never reuses the id of a deleted user.
  return { type: 'integer', build: col => col.primaryKey().autoIncrement() }
}
