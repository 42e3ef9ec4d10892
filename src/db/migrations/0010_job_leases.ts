// Leases of scheduled jobs: with several instances on one database, a job (the expired-row
// sweep, the audit purge) runs on the instance that holds its lease, one at a time; a
// lease left by an instance that died expires and another takes it.
import type { Kysely } from 'kysely'
import { createTable } from './dialect.js'

export async function up (db: Kysely<any>): Promise<void> {
  await createTable(db, 'job_leases')
    .addColumn('name', 'varchar(64)', col => col.primaryKey())
    .addColumn('holder', 'varchar(64)', col => col.notNull())
    .addColumn('expires_at', 'bigint', col => col.notNull())
    .execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('job_leases').execute()
}
