// Sign in with another identity provider (v3, "Sign in with another identity provider").
// identities: a credential of its own kind, an account's identity at a provider, keyed by
// (issuer, subject) — never by email. upstream_flows: a sign-in or a link waiting at a
// provider, holding what its callback is checked against (state, nonce, the PKCE verifier),
// bound to the browser that began it.
import type { Kysely } from 'kysely'
import { createTable } from './dialect.js'

export async function up (db: Kysely<any>): Promise<void> {
  await createTable(db, 'identities')
    // Random, public (the account page and DELETE /account/identities/:id name it).
    .addColumn('id', 'varchar(32)', col => col.primaryKey())
    .addColumn('user_id', 'integer', col => col.notNull())
    // The name under OIDC_PROVIDERS it was made through (google, github, …).
    .addColumn('provider', 'varchar(64)', col => col.notNull())
    .addColumn('issuer', 'varchar(255)', col => col.notNull())
    .addColumn('subject', 'varchar(255)', col => col.notNull())
    // The email the provider last gave, and whether it said it was verified (shown only).
    .addColumn('email', 'varchar(320)')
    .addColumn('email_verified', 'integer', col => col.notNull())
    // The provider's tokens, sealed under ENCRYPTION_KEY, only with OIDC_<NAME>_KEEP_TOKENS.
    .addColumn('tokens', 'text')
    .addColumn('created_at', 'bigint', col => col.notNull())
    .addColumn('last_used_at', 'bigint')
    .addForeignKeyConstraint('identities_user_id_fk', ['user_id'], 'users', ['id'], fk => fk.onDelete('cascade'))
    .addUniqueConstraint('identities_issuer_subject_uq', ['issuer', 'subject'])
    .execute()
  await db.schema.createIndex('identities_user_id_idx').on('identities').column('user_id').execute()

  await createTable(db, 'upstream_flows')
    // SHA-256 of the token in the browser's flow cookie.
    .addColumn('id', 'varchar(64)', col => col.primaryKey())
    .addColumn('provider', 'varchar(64)', col => col.notNull())
    .addColumn('state', 'varchar(128)', col => col.notNull())
    .addColumn('nonce', 'varchar(128)', col => col.notNull())
    .addColumn('code_verifier', 'varchar(128)', col => col.notNull())
    // null: a sign-in; an account: a link from its account page.
    .addColumn('link_user_id', 'integer')
    .addColumn('return_to', 'varchar(2048)')
    .addColumn('created_at', 'bigint', col => col.notNull())
    .addColumn('expires_at', 'bigint', col => col.notNull())
    .execute()
  await db.schema.createIndex('upstream_flows_expires_at_idx').on('upstream_flows').column('expires_at').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('upstream_flows').execute()
  await db.schema.dropTable('identities').execute()
}
