// Kysely's Migrator over a static list, so the source tree and the build see the same set.
import { type Kysely, type Migration, type MigrationResultSet, Migrator } from 'kysely'
import * as m0001 from './migrations/0001_users.js'
import * as m0002 from './migrations/0002_sessions.js'
import * as m0003 from './migrations/0003_password_reset_tokens.js'
import * as m0004 from './migrations/0004_one_time_tokens.js'
import * as m0005 from './migrations/0005_audit_events.js'
import * as m0006 from './migrations/0006_account_state.js'
import * as m0007 from './migrations/0007_audit_session_handle.js'
import * as m0008 from './migrations/0008_user_language.js'
import * as m0009 from './migrations/0009_second_factors.js'
import * as m0010 from './migrations/0010_job_leases.js'
import * as m0011 from './migrations/0011_credentials_and_flows.js'
import * as m0012 from './migrations/0012_outbox.js'
import * as m0013 from './migrations/0013_user_id_watermark.js'
import * as m0014 from './migrations/0014_openid_provider.js'
import * as m0015 from './migrations/0015_upstream_identities.js'

const migrations: Record<string, Migration> = {
  '0001_users': m0001,
  '0002_sessions': m0002,
  '0003_password_reset_tokens': m0003,
  '0004_one_time_tokens': m0004,
  '0005_audit_events': m0005,
  '0006_account_state': m0006,
  '0007_audit_session_handle': m0007,
  '0008_user_language': m0008,
  '0009_second_factors': m0009,
  '0010_job_leases': m0010,
  '0011_credentials_and_flows': m0011,
  '0012_outbox': m0012,
  '0013_user_id_watermark': m0013,
  '0014_openid_provider': m0014,
  '0015_upstream_identities': m0015
}

function createMigrator (db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } })
}

/** Applies pending migrations; returns Kysely's result set (error included) instead of throwing. */
export async function migrateToLatest (db: Kysely<any>): Promise<MigrationResultSet> {
  return await createMigrator(db).migrateToLatest()
}

/** Applies the migrations up to and including `name` (tests of a later migration's data step). */
export async function migrateTo (db: Kysely<any>, name: string): Promise<MigrationResultSet> {
  return await createMigrator(db).migrateTo(name)
}

/** Names of the migrations not yet applied. */
export async function pendingMigrations (db: Kysely<any>): Promise<string[]> {
  const all = await createMigrator(db).getMigrations()
  return all.filter(m => m.executedAt === undefined).map(m => m.name)
}

/** True when no migration has run: a database without any table of ours. */
export async function isUnmigrated (db: Kysely<any>): Promise<boolean> {
  return (await pendingMigrations(db)).length === Object.keys(migrations).length
}
