// One table for every single-use token (password reset now; email verification, email
// change and MFA challenges next), told apart by `purpose`. Live reset tokens move over,
// so a reset mail sent before the upgrade still works after it.
import { sql } from 'kysely';
import { up as createPasswordResetTokens } from './0003_password_reset_tokens.js';
import { createTable } from './dialect.js';
export async function up(db) {
    await createTable(db, 'one_time_tokens')
        .addColumn('id', 'varchar(64)', col => col.primaryKey())
        .addColumn('purpose', 'varchar(32)', col => col.notNull())
        .addColumn('user_id', 'integer', col => col.notNull())
        .addColumn('data', 'varchar(1024)')
        .addColumn('created_at', 'bigint', col => col.notNull())
        .addColumn('expires_at', 'bigint', col => col.notNull())
        .addForeignKeyConstraint('one_time_tokens_user_id_fk', ['user_id'], 'users', ['id'], fk => fk.onDelete('cascade'))
        .execute();
    await db.schema.createIndex('one_time_tokens_user_purpose_idx').on('one_time_tokens').columns(['user_id', 'purpose']).execute();
    await db.schema.createIndex('one_time_tokens_expires_at_idx').on('one_time_tokens').column('expires_at').execute();
    await db.insertInto('one_time_tokens')
        .columns(['id', 'purpose', 'user_id', 'created_at', 'expires_at'])
        .expression(db.selectFrom('password_reset_tokens')
        .select(['id', sql.lit('password_reset').as('purpose'), 'user_id', 'created_at', 'expires_at'])
        .where('used_at', 'is', null))
        .execute();
    await db.schema.dropTable('password_reset_tokens').execute();
}
export async function down(db) {
    await createPasswordResetTokens(db);
    await db.insertInto('password_reset_tokens')
        .columns(['id', 'user_id', 'created_at', 'expires_at'])
        .expression(db.selectFrom('one_time_tokens').select(['id', 'user_id', 'created_at', 'expires_at']).where('purpose', '=', 'password_reset'))
        .execute();
    await db.schema.dropTable('one_time_tokens').execute();
}
