// After rows are inserted with explicit ids, the id generator must move past them.
import { type Kysely, PostgresAdapter, sql } from 'kysely'

/** PostgreSQL's serial sequence does not follow explicit ids; MySQL's AUTO_INCREMENT and
 *  SQLite's AUTOINCREMENT do. Sets the users.id sequence to the highest id in use. */
export async function syncUserIdSequence (db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return
  await sql`select setval(pg_get_serial_sequence('users', 'id'), coalesce((select max(id) from users), 1), (select max(id) from users) is not null)`.execute(db)
}
