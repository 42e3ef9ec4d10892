import { createTable } from './dialect.js';
export async function up(db) {
    await createTable(db, 'totp_credentials')
        .addColumn('user_id', 'integer', col => col.primaryKey())
        .addColumn('secret', 'varchar(255)', col => col.notNull())
        .addColumn('key_id', 'varchar(32)', col => col.notNull())
        .addColumn('created_at', 'bigint', col => col.notNull())
        .addColumn('confirmed_at', 'bigint')
        .addColumn('last_used_step', 'bigint')
        .addForeignKeyConstraint('totp_credentials_user_id_fk', ['user_id'], 'users', ['id'], fk => fk.onDelete('cascade'))
        .execute();
    await createTable(db, 'recovery_codes')
        .addColumn('id', 'varchar(64)', col => col.primaryKey())
        .addColumn('user_id', 'integer', col => col.notNull())
        .addColumn('created_at', 'bigint', col => col.notNull())
        .addForeignKeyConstraint('recovery_codes_user_id_fk', ['user_id'], 'users', ['id'], fk => fk.onDelete('cascade'))
        .execute();
    await db.schema.createIndex('recovery_codes_user_id_idx').on('recovery_codes').column('user_id').execute();
    await createTable(db, 'passkeys')
        .addColumn('id', 'varchar(64)', col => col.primaryKey())
        .addColumn('user_id', 'integer', col => col.notNull())
        .addColumn('credential_id', 'varchar(1400)', col => col.notNull())
        .addColumn('public_key', 'varchar(2048)', col => col.notNull())
        .addColumn('sign_count', 'bigint', col => col.notNull())
        .addColumn('transports', 'varchar(255)')
        .addColumn('device_type', 'varchar(32)', col => col.notNull())
        .addColumn('backed_up', 'integer', col => col.notNull())
        .addColumn('name', 'varchar(64)', col => col.notNull())
        .addColumn('created_at', 'bigint', col => col.notNull())
        .addColumn('last_used_at', 'bigint')
        .addForeignKeyConstraint('passkeys_user_id_fk', ['user_id'], 'users', ['id'], fk => fk.onDelete('cascade'))
        .execute();
    await db.schema.createIndex('passkeys_user_id_idx').on('passkeys').column('user_id').execute();
    await createTable(db, 'webauthn_challenges')
        .addColumn('id', 'varchar(64)', col => col.primaryKey())
        .addColumn('purpose', 'varchar(32)', col => col.notNull())
        .addColumn('user_id', 'integer')
        .addColumn('expires_at', 'bigint', col => col.notNull())
        .addForeignKeyConstraint('webauthn_challenges_user_id_fk', ['user_id'], 'users', ['id'], fk => fk.onDelete('cascade'))
        .execute();
    await db.schema.createIndex('webauthn_challenges_expires_at_idx').on('webauthn_challenges').column('expires_at').execute();
}
export async function down(db) {
    for (const table of ['webauthn_challenges', 'passkeys', 'recovery_codes', 'totp_credentials'])
        await db.schema.dropTable(table).execute();
}
