// The session an audited event happened through, by its public handle (never the token
// or its stored hash): the one presented, or the one a sign-in created.
import type { Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_events').addColumn('session_handle', 'varchar(32)').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_events').dropColumn('session_handle').execute()
}
