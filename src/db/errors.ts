// Driver errors a user can cause, recognised the same way whatever the database.

/** True for a unique-constraint violation (SQLite, PostgreSQL 23505, MySQL ER_DUP_ENTRY). */
export function isUniqueViolation (error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const code = (error as { code?: unknown }).code
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === '23505' || code === 'ER_DUP_ENTRY'
}

/** True for a foreign-key violation: the referenced user was deleted meanwhile. */
export function isForeignKeyViolation (error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const code = (error as { code?: unknown }).code
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503' || code === 'ER_NO_REFERENCED_ROW_2'
}
