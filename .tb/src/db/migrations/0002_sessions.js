import { createTable } from './dialect.js';
export async function up(db) {
    // Table-level foreign key: MySQL ignores REFERENCES written inside a column definition.
    await createTable(db, 'sessions')
        .addColumn('id', 'varchar(64)', col => col.primaryKey())
        .addColumn('user_id', 'integer', col => col.notNull())
        .addColumn('created_at', 'bigint', col => col.notNull())
        .addColumn('last_seen_at', 'bigint', col => col.notNull())
        .addColumn('expires_at', 'bigint', col => col.notNull())
        .addColumn('ip', 'varchar(45)')
        .addColumn('user_agent', 'varchar(512)')
        .addForeignKeyConstraint('sessions_user_id_fk', ['user_id'], 'users', ['id'], fk => fk.onDelete('cascade'))
        .execute();
    await db.schema.createIndex('sessions_user_id_idx').on('sessions').column('user_id').execute();
    await db.schema.createIndex('sessions_expires_at_idx').on('sessions').column('expires_at').execute();
}
export async function down(db) {
    await db.schema.dropTable('sessions').execute();
}
