// User ids are never given out twice (audit_events keep the user_id of a deleted account).
// New accounts take their id from the database's own counter, which only moves up: SQLite's
// AUTOINCREMENT (sqlite_sequence), PostgreSQL's sequence, InnoDB's AUTO_INCREMENT. An
// import chooses its ids itself, so it needs to know which ids were ever held: those of
// the accounts there now, and at most this watermark for those deleted. The counters
// cannot serve: InnoDB raises AUTO_INCREMENT for an explicit id even when the
// transaction then rolls back, and PostgreSQL's setval is never rolled back, so a
// failed import would make its own ids look used on retry. This row is written in the
// deleting transaction. Seeded with everything the database may have given out before.
import { MysqlAdapter, PostgresAdapter, sql } from 'kysely';
import { createTable } from './dialect.js';
async function counterValue(db) {
    const adapter = db.getExecutor().adapter;
    if (adapter instanceof PostgresAdapter) {
        const { rows } = await sql `select pg_sequence_last_value(pg_get_serial_sequence('users', 'id')::regclass) as value`.execute(db);
        return Number(rows[0]?.value ?? 0);
    }
    if (adapter instanceof MysqlAdapter) {
        // SHOW CREATE TABLE reads the live counter (information_schema may show a cached one).
        const { rows } = await sql `show create table users`.execute(db);
        const ddl = Object.values(rows[0] ?? {}).join(' ');
        const next = /AUTO_INCREMENT=(\d+)/i.exec(ddl)?.[1];
        return next === undefined ? 0 : Number(next) - 1;
    }
    const { rows } = await sql `select seq from sqlite_sequence where name = 'users'`.execute(db);
    return Number(rows[0]?.seq ?? 0);
}
export async function up(db) {
    await createTable(db, 'id_watermarks')
        .addColumn('name', 'varchar(64)', col => col.primaryKey())
        .addColumn('highest_retired_id', 'bigint', col => col.notNull())
        .execute();
    const audited = await db.selectFrom('audit_events').select(eb => eb.fn.max('user_id').as('id')).executeTakeFirst();
    const seed = Math.max(await counterValue(db), Number(audited?.id ?? 0));
    await db.insertInto('id_watermarks').values({ name: 'users', highest_retired_id: seed }).execute();
}
export async function down(db) {
    await db.schema.dropTable('id_watermarks').execute();
}
