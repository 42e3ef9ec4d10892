import { addIdColumn, createTable } from './dialect.js';
export async function up(db) {
    await addIdColumn(db, createTable(db, 'outbox'))
        .addColumn('channel', 'varchar(16)', col => col.notNull())
        .addColumn('kind', 'varchar(64)', col => col.notNull())
        .addColumn('user_id', 'integer')
        .addColumn('recipient', 'varchar(2048)', col => col.notNull())
        .addColumn('payload', 'text')
        .addColumn('key_id', 'varchar(64)')
        .addColumn('status', 'varchar(16)', col => col.notNull())
        .addColumn('attempts', 'integer', col => col.notNull())
        .addColumn('created_at', 'bigint', col => col.notNull())
        .addColumn('next_attempt_at', 'bigint', col => col.notNull())
        .addColumn('give_up_at', 'bigint', col => col.notNull())
        .addColumn('sent_at', 'bigint')
        .addColumn('last_error', 'varchar(512)')
        .addColumn('claim', 'varchar(32)')
        .execute();
    await db.schema.createIndex('outbox_due_idx').on('outbox').columns(['status', 'next_attempt_at']).execute();
}
export async function down(db) {
    await db.schema.dropTable('outbox').execute();
}
