// After rows are inserted with explicit ids, the id generator must move past them.
import { PostgresAdapter, sql } from 'kysely';
/** PostgreSQL's serial sequence does not follow explicit ids; MySQL's AUTO_INCREMENT and
 *  SQLite's AUTOINCREMENT do. Moves the users.id sequence up to the highest id in use,
 *  never down: after the top account is deleted, the sequence is above every row, and
 *  setting it back to max(id) would hand the deleted id out again. */
export async function syncUserIdSequence(db) {
    if (!(db.getExecutor().adapter instanceof PostgresAdapter))
        return;
    // pg_sequence_last_value: null until the sequence first gave out a value.
    await sql `select setval(seq, greatest(v, 1), v > 0)
    from (select pg_get_serial_sequence('users', 'id') as seq,
                 greatest(coalesce(pg_sequence_last_value(pg_get_serial_sequence('users', 'id')::regclass), 0),
                          coalesce((select max(id) from users), 0)) as v) as target`.execute(db);
}
