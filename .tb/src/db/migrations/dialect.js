// What differs between SQLite, PostgreSQL and MySQL in a CREATE TABLE, decided here so
// each migration is written once for all three.
import { MysqlAdapter, PostgresAdapter, sql } from 'kysely';
function isMysql(db) {
    return db.getExecutor().adapter instanceof MysqlAdapter;
}
/** CREATE TABLE, on MySQL with utf8mb4 and a binary collation: any user agent fits, and
 *  equality is exact, as on the other databases (emails are lower-cased before storage). */
export function createTable(db, name) {
    const builder = db.schema.createTable(name);
    return isMysql(db) ? builder.modifyEnd(sql `engine = InnoDB default character set utf8mb4 collate utf8mb4_bin`) : builder;
}
/** An auto-incrementing integer primary key: serial on PostgreSQL, AUTO_INCREMENT on
 *  MySQL, INTEGER PRIMARY KEY AUTOINCREMENT on SQLite (ids of deleted users never return). */
export function addIdColumn(db, table) {
    if (db.getExecutor().adapter instanceof PostgresAdapter)
        return table.addColumn('id', 'serial', col => col.primaryKey());
    return table.addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement());
}
