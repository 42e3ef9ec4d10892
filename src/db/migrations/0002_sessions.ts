import type { Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('sessions')
    .addColumn('id', 'varchar(64)', col => col.primaryKey())
    .addColumn('user_id', 'integer', col => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', col => col.notNull())
    .addColumn('last_seen_at', 'bigint', col => col.notNull())
    .addColumn('expires_at', 'bigint', col => col.notNull())
    .addColumn('ip', 'varchar(45)')
    .addColumn('user_agent', 'varchar(512)')
    .execute()
  await db.schema.createIndex('sessions_user_id_idx').on('sessions').column('user_id').execute()
  await db.schema.createIndex('sessions_expires_at_idx').on('sessions').column('expires_at').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sessions').execute()
}
