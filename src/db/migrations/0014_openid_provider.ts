// The OpenID Connect provider (v3, "OpenID Connect provider"): what oidc-provider stores
// through its adapter (src/provider/adapter.ts), the client applications registered with
// `authsvc clients`, the signing keys (sealed under ENCRYPTION_KEY) and, for back-channel
// logout, which clients each of our sessions signed in to.
import type { Kysely } from 'kysely'
import { createTable } from './dialect.js'

export async function up (db: Kysely<any>): Promise<void> {
  // The account's subject (`sub`) in ID tokens and session JWTs: random, stable, the same
  // for every client, never the email nor the id. Given on first need (users.ts subjectOf).
  await db.schema.alterTable('users').addColumn('subject', 'varchar(64)').execute()
  await db.schema.createIndex('users_subject_idx').unique().on('users').column('subject').execute()

  // One table for every model of the library (Session, Grant, AuthorizationCode,
  // AccessToken, RefreshToken, Interaction, …): `id` is '<model>:<the library's id>', the
  // payload its JSON. grant_id, uid and user_code are the lookups the adapter interface has.
  await createTable(db, 'oidc_records')
    .addColumn('id', 'varchar(320)', col => col.primaryKey())
    .addColumn('model', 'varchar(64)', col => col.notNull())
    .addColumn('payload', 'text', col => col.notNull())
    .addColumn('grant_id', 'varchar(255)')
    .addColumn('uid', 'varchar(255)')
    .addColumn('user_code', 'varchar(255)')
    .addColumn('expires_at', 'bigint')
    .addColumn('consumed_at', 'bigint')
    .execute()
  await db.schema.createIndex('oidc_records_grant_idx').on('oidc_records').column('grant_id').execute()
  await db.schema.createIndex('oidc_records_uid_idx').on('oidc_records').column('uid').execute()
  await db.schema.createIndex('oidc_records_expires_idx').on('oidc_records').column('expires_at').execute()

  await createTable(db, 'oidc_clients')
    .addColumn('client_id', 'varchar(64)', col => col.primaryKey())
    .addColumn('name', 'varchar(255)', col => col.notNull())
    // The client's metadata as the library reads it (redirect_uris, …), JSON, without the secret.
    .addColumn('metadata', 'text', col => col.notNull())
    // SHA-256 (base64url) of the secret of a confidential client; null for a public one.
    .addColumn('secret_hash', 'varchar(64)')
    .addColumn('first_party', 'integer', col => col.notNull())
    .addColumn('created_at', 'bigint', col => col.notNull())
    .execute()

  await createTable(db, 'oidc_keys')
    .addColumn('kid', 'varchar(64)', col => col.primaryKey())
    .addColumn('alg', 'varchar(16)', col => col.notNull())
    // The private JWK, sealed under ENCRYPTION_KEY (src/auth/secret-box.ts), and that key's id.
    .addColumn('private_jwk', 'text', col => col.notNull())
    .addColumn('key_id', 'varchar(64)', col => col.notNull())
    .addColumn('created_at', 'bigint', col => col.notNull())
    // From when it signs (KEY_ROTATION_DELAY after a rotation); published from created_at.
    .addColumn('signs_from', 'bigint', col => col.notNull())
    // When a newer key took over its signing; it stays published until its tokens expired.
    .addColumn('retired_at', 'bigint')
    .execute()

  await createTable(db, 'oidc_session_clients')
    .addColumn('session_id', 'varchar(64)', col => col.notNull())
    .addColumn('client_id', 'varchar(64)', col => col.notNull())
    .addColumn('user_id', 'integer', col => col.notNull())
    // The `sid` the client was given in its ID token (and gets in the logout token).
    .addColumn('sid', 'varchar(255)', col => col.notNull())
    .addColumn('created_at', 'bigint', col => col.notNull())
    .addPrimaryKeyConstraint('oidc_session_clients_pk', ['session_id', 'client_id'])
    .execute()
  await db.schema.createIndex('oidc_session_clients_user_idx').on('oidc_session_clients').column('user_id').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  for (const table of ['oidc_session_clients', 'oidc_keys', 'oidc_clients', 'oidc_records']) await db.schema.dropTable(table).execute()
  await db.schema.dropIndex('users_subject_idx').on('users').execute()
  await db.schema.alterTable('users').dropColumn('subject').execute()
}
