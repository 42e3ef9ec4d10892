// The security audit log: one row per security event, written in the transaction of the
// change it records. user_id has no foreign key: the record of an account outlives it
// (ids are never reused). Rows go after AUDIT_RETENTION_DAYS.
import type { Kysely } from 'kysely'
import { addIdColumn, createTable } from './dialect.js'

export async function up (db: Kysely<any>): Promise<void> {
  await addIdColumn(db, createTable(db, 'audit_events'))
    .addColumn('created_at', 'bigint', col => col.notNull())
    .addColumn('type', 'varchar(40)', col => col.notNull())
    .addColumn('outcome', 'varchar(16)', col => col.notNull())
    .addColumn('user_id', 'integer')
    .addColumn('ip', 'varchar(45)')
    .addColumn('user_agent', 'varchar(512)')
    .addColumn('details', 'varchar(2048)')
    .execute()
  await db.schema.createIndex('audit_events_user_id_idx').on('audit_events').columns(['user_id', 'id']).execute()
  await db.schema.createIndex('audit_events_created_at_idx').on('audit_events').column('created_at').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_events').execute()
}
