import type { Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('password_reset_tokens')
    .addColumn('id', 'varchar(64)', col => col.primaryKey())
    .addColumn('user_id', 'integer', col => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', col => col.notNull())
    .addColumn('expires_at', 'bigint', col => col.notNull())
    .addColumn('used_at', 'bigint')
    .execute()
  await db.schema.createIndex('password_reset_tokens_user_id_idx').on('password_reset_tokens').column('user_id').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('password_reset_tokens').execute()
}
