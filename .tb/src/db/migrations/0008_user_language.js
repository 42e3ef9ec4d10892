export async function up(db) {
    await db.schema.alterTable('users').addColumn('language', 'varchar(8)', col => col.notNull().defaultTo('en')).execute();
}
export async function down(db) {
    await db.schema.alterTable('users').dropColumn('language').execute();
}
