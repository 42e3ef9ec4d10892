import { addIdColumn, createTable } from './dialect.js';
export async function up(db) {
    await addIdColumn(db, createTable(db, 'audit_events'))
        .addColumn('created_at', 'bigint', col => col.notNull())
        .addColumn('type', 'varchar(40)', col => col.notNull())
        .addColumn('outcome', 'varchar(16)', col => col.notNull())
        .addColumn('user_id', 'integer')
        .addColumn('ip', 'varchar(45)')
        .addColumn('user_agent', 'varchar(512)')
        .addColumn('details', 'varchar(2048)')
        .execute();
    await db.schema.createIndex('audit_events_user_id_idx').on('audit_events').columns(['user_id', 'id']).execute();
    await db.schema.createIndex('audit_events_created_at_idx').on('audit_events').column('created_at').execute();
}
export async function down(db) {
    await db.schema.dropTable('audit_events').execute();
}
