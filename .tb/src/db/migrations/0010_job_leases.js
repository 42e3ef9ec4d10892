import { createTable } from './dialect.js';
export async function up(db) {
    await createTable(db, 'job_leases')
        .addColumn('name', 'varchar(64)', col => col.primaryKey())
        .addColumn('holder', 'varchar(64)', col => col.notNull())
        .addColumn('expires_at', 'bigint', col => col.notNull())
        .execute();
}
export async function down(db) {
    await db.schema.dropTable('job_leases').execute();
}
