// The language of an account's mail (and, later, pages): taken from Accept-Language at
// sign-up, changed with PUT /account. Accounts older than this migration get English.
import type { Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('language', 'varchar(8)', col => col.notNull().defaultTo('en')).execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('language').execute()
}
