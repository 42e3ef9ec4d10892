export async function up(db) {
    await db.schema.alterTable('users').addColumn('disabled_at', 'bigint').execute();
    await db.schema.alterTable('users').addColumn('email_verified_at', 'bigint').execute();
}
export async function down(db) {
    await db.schema.alterTable('users').dropColumn('email_verified_at').execute();
    await db.schema.alterTable('users').dropColumn('disabled_at').execute();
}
