import { addIdColumn, createTable } from './dialect.js';
export async function up(db) {
    await addIdColumn(db, createTable(db, 'users'))
        .addColumn('email', 'varchar(254)', col => col.notNull().unique())
        .addColumn('password_hash', 'varchar(255)', col => col.notNull())
        .addColumn('created_at', 'bigint', col => col.notNull())
        .addColumn('updated_at', 'bigint', col => col.notNull())
        .execute();
}
export async function down(db) {
    await db.schema.dropTable('users').execute();
}
