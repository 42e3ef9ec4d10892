// The state of an account beside its credentials: disabled by an operator (sign-in refused,
// sessions ended) and a verified email. Both are times, null while not so. Accounts that
// exist before this migration count as unverified.
import type { Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('disabled_at', 'bigint').execute()
  await db.schema.alterTable('users').addColumn('email_verified_at', 'bigint').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('email_verified_at').execute()
  await db.schema.alterTable('users').dropColumn('disabled_at').execute()
}
