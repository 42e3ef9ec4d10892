import { createTable } from './dialect.js';
export async function up(db) {
    await createTable(db, 'password_reset_tokens')
        .addColumn('id', 'varchar(64)', col => col.primaryKey())
        .addColumn('user_id', 'integer', col => col.notNull())
        .addColumn('created_at', 'bigint', col => col.notNull())
        .addColumn('expires_at', 'bigint', col => col.notNull())
        .addColumn('used_at', 'bigint')
        .addForeignKeyConstraint('password_reset_tokens_user_id_fk', ['user_id'], 'users', ['id'], fk => fk.onDelete('cascade'))
        .execute();
    await db.schema.createIndex('password_reset_tokens_user_id_idx').on('password_reset_tokens').column('user_id').execute();
}
export async function down(db) {
    await db.schema.dropTable('password_reset_tokens').execute();
}
