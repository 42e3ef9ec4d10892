// Driver errors, recognised the same way whatever the database.

function codeOf (error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
}

/** True for a unique-constraint violation (SQLite, PostgreSQL 23505, MySQL ER_DUP_ENTRY). */
export function isUniqueViolation (error: unknown): boolean {
  const code = codeOf(error)
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === '23505' || code === 'ER_DUP_ENTRY'
}

/** True for a foreign-key violation: the referenced user was deleted meanwhile. */
export function isForeignKeyViolation (error: unknown): boolean {
  const code = codeOf(error)
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503' ||
    code === 'ER_NO_REFERENCED_ROW_2' || code === 'ER_NO_REFERENCED_ROW'
}

const UNAVAILABLE_CODES = new Set([
  // sockets
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE',
  // mysql2
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN',
  // PostgreSQL: admin shutdown, crash shutdown, cannot connect now, too many connections, connection failures
  '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006',
  // SQLite: another process held the write lock past busy_timeout
  'SQLITE_BUSY', 'SQLITE_LOCKED'
])
// node-postgres reports some connection failures without a code.
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection lost|connect ETIMEDOUT/i

/** True when the database cannot be reached or is overloaded: the request may be retried. */
export function isDatabaseUnavailable (error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const code = codeOf(error)
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true
  if (error instanceof AggregateError) return error.errors.some(isDatabaseUnavailable)
  return error instanceof Error && UNAVAILABLE_MESSAGES.test(error.message)
}
