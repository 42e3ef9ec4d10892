// One sign-in flow (v3). password_credentials: the password becomes a credential row of
// its own kind, as TOTP, recovery codes and passkeys already are, so an account may exist
// without one; the hashes move out of users (whose column goes). sessions: the methods
// that authenticated each session and when (re-authentication updates both); sessions
// made before this migration keep their creation time and list no method. login_flows: a
// sign-in that waits for a further step (the second factor today), with its own counted
// attempts.
import { sql } from 'kysely';
import { createTable } from './dialect.js';
export async function up(db) {
    await createTable(db, 'password_credentials')
        .addColumn('user_id', 'integer', col => col.primaryKey())
        .addColumn('hash', 'varchar(255)', col => col.notNull())
        .addColumn('created_at', 'bigint', col => col.notNull())
        .addColumn('updated_at', 'bigint', col => col.notNull())
        .addForeignKeyConstraint('password_credentials_user_id_fk', ['user_id'], 'users', ['id'], fk => fk.onDelete('cascade'))
        .execute();
    await db.insertInto('password_credentials')
        .columns(['user_id', 'hash', 'created_at', 'updated_at'])
        .expression(db.selectFrom('users').select(['id', 'password_hash', 'created_at', 'updated_at']))
        .execute();
    await db.schema.alterTable('users').dropColumn('password_hash').execute();
    await db.schema.alterTable('sessions').addColumn('methods', 'varchar(255)', col => col.notNull().defaultTo('')).execute();
    await db.schema.alterTable('sessions').addColumn('authenticated_at', 'bigint').execute();
    await sql `update sessions set authenticated_at = created_at`.execute(db);
    await createTable(db, 'login_flows')
        .addColumn('id', 'varchar(64)', col => col.primaryKey())
        .addColumn('user_id', 'integer', col => col.notNull())
        .addColumn('methods', 'varchar(255)', col => col.notNull())
        .addColumn('return_to', 'varchar(2048)')
        .addColumn('attempts', 'integer', col => col.notNull())
        .addColumn('created_at', 'bigint', col => col.notNull())
        .addColumn('expires_at', 'bigint', col => col.notNull())
        .addForeignKeyConstraint('login_flows_user_id_fk', ['user_id'], 'users', ['id'], fk => fk.onDelete('cascade'))
        .execute();
    await db.schema.createIndex('login_flows_expires_at_idx').on('login_flows').column('expires_at').execute();
    await db.schema.createIndex('login_flows_user_id_idx').on('login_flows').column('user_id').execute();
    // The second-factor steps pending in the old shape (one-time tokens of purpose 'mfa')
    // are dropped: they live 5 minutes, and their users sign in again.
    await db.deleteFrom('one_time_tokens').where('purpose', '=', 'mfa').execute();
}
export async function down(db) {
    await db.schema.dropTable('login_flows').execute();
    await db.schema.alterTable('sessions').dropColumn('authenticated_at').execute();
    await db.schema.alterTable('sessions').dropColumn('methods').execute();
    await db.schema.alterTable('users').addColumn('password_hash', 'varchar(255)', col => col.notNull().defaultTo('')).execute();
    await sql `update users set password_hash = (select hash from password_credentials where password_credentials.user_id = users.id) where exists (select 1 from password_credentials where password_credentials.user_id = users.id)`.execute(db);
    await db.schema.dropTable('password_credentials').execute();
}
