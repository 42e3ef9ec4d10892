export async function up(db) {
    await db.schema.alterTable('audit_events').addColumn('session_handle', 'varchar(32)').execute();
}
export async function down(db) {
    await db.schema.alterTable('audit_events').dropColumn('session_handle').execute();
}
