// Driver errors, recognised the same way whatever the database.
function codeOf(error) {
    return typeof error === 'object' && error !== null ? error.code : undefined;
}
/** True for a unique-constraint violation (SQLite, PostgreSQL 23505, MySQL ER_DUP_ENTRY). */
export function isUniqueViolation(error) {
    const code = codeOf(error);
    return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
        code === '23505' || code === 'ER_DUP_ENTRY';
}
/** True for a foreign-key violation: the referenced user was deleted meanwhile. */
export function isForeignKeyViolation(error) {
    const code = codeOf(error);
    return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503' ||
        code === 'ER_NO_REFERENCED_ROW_2' || code === 'ER_NO_REFERENCED_ROW';
}
const WRITE = 'write';
const UNREACHABLE = 'unreachable';
// By the driver's code: SQLite's extended codes (SQLITE_IOERR_WRITE …) are looked up by
// their primary code, the part before the second underscore.
const FAILURES = {
    // sockets
    ECONNREFUSED: [UNREACHABLE, 'connection refused'],
    ECONNRESET: [UNREACHABLE, 'connection reset'],
    ETIMEDOUT: [UNREACHABLE, 'connection timed out'],
    EHOSTUNREACH: [UNREACHABLE, 'host unreachable'],
    ENETUNREACH: [UNREACHABLE, 'network unreachable'],
    ENOTFOUND: [UNREACHABLE, 'host not found'],
    EAI_AGAIN: [UNREACHABLE, 'host name lookup failed'],
    EPIPE: [UNREACHABLE, 'connection closed'],
    // mysql2 (PROTOCOL_SEQUENCE_TIMEOUT is its own query timeout: no answer in time)
    PROTOCOL_CONNECTION_LOST: [UNREACHABLE, 'connection lost'],
    PROTOCOL_SEQUENCE_TIMEOUT: [UNREACHABLE, 'no answer within DATABASE_QUERY_TIMEOUT'],
    ER_CON_COUNT_ERROR: [UNREACHABLE, 'too many connections'],
    ER_SERVER_SHUTDOWN: [UNREACHABLE, 'server shutting down'],
    ER_QUERY_TIMEOUT: [UNREACHABLE, 'statement timeout'], // MySQL 3024, max_execution_time
    1969: [UNREACHABLE, 'statement timeout'], // MariaDB max_statement_time; mysql2 names no code for it
    ER_RECORD_FILE_FULL: [WRITE, 'disk full'], // 1114
    ER_DISK_FULL: [WRITE, 'disk full'], // 1021
    ER_OPTION_PREVENTS_STATEMENT: [WRITE, 'read-only'], // 1290: --read-only
    ER_ERROR_ON_WRITE: [WRITE, 'I/O error'], // 1026
    // PostgreSQL
    57014: [UNREACHABLE, 'statement timeout'], // query_canceled: statement_timeout
    '57P01': [UNREACHABLE, 'server shutting down'],
    '57P02': [UNREACHABLE, 'server crashed'],
    '57P03': [UNREACHABLE, 'server not accepting connections yet'],
    53300: [UNREACHABLE, 'too many connections'],
    53000: [WRITE, 'insufficient resources'],
    53100: [WRITE, 'disk full'],
    53200: [UNREACHABLE, 'out of memory'],
    25006: [WRITE, 'read-only'], // read_only_sql_transaction: a standby, default_transaction_read_only
    58030: [WRITE, 'I/O error'],
    '08000': [UNREACHABLE, 'connection failure'],
    '08001': [UNREACHABLE, 'cannot connect'],
    '08003': [UNREACHABLE, 'connection does not exist'],
    '08004': [UNREACHABLE, 'connection rejected'],
    '08006': [UNREACHABLE, 'connection failure'],
    // SQLite
    SQLITE_BUSY: [UNREACHABLE, 'locked by another process past DATABASE_QUERY_TIMEOUT'],
    SQLITE_LOCKED: [UNREACHABLE, 'locked'],
    SQLITE_FULL: [WRITE, 'disk full'],
    SQLITE_READONLY: [WRITE, 'read-only'],
    SQLITE_IOERR: [WRITE, 'I/O error'],
    SQLITE_CANTOPEN: [WRITE, 'cannot open a database file']
};
// node-postgres reports some failures without a code.
const BY_MESSAGE = [
    [/Query read timeout/, UNREACHABLE, 'no answer within DATABASE_QUERY_TIMEOUT'],
    [/timeout exceeded when trying to connect|connection timeout|connect ETIMEDOUT/i, UNREACHABLE, 'no connection within DATABASE_CONNECT_TIMEOUT'],
    [/Connection terminated|Client has encountered a connection error|Connection lost/i, UNREACHABLE, 'connection lost']
];
/** The database trouble `error` is (unreachable, overloaded, timed out, cannot write),
 *  or null for any other error. */
export function databaseFailureOf(error) {
    if (typeof error !== 'object' || error === null)
        return null;
    if (error instanceof AggregateError) {
        for (const inner of error.errors) {
            const failure = databaseFailureOf(inner);
            if (failure !== null)
                return failure;
        }
        return null;
    }
    const code = codeOf(error);
    // mysql2's connect timeout: a socket code, but the setting to name is ours.
    if (code === 'ETIMEDOUT' && error.syscall === 'connect')
        return { kind: UNREACHABLE, cause: 'no connection within DATABASE_CONNECT_TIMEOUT (ETIMEDOUT)' };
    const errno = error.errno;
    const keys = typeof code === 'string'
        ? [code, code.startsWith('SQLITE_') ? code.split('_', 2).join('_') : code]
        : typeof errno === 'number' ? [String(errno)] : [];
    for (const key of keys) {
        const known = FAILURES[key];
        if (known !== undefined)
            return { kind: known[0], cause: `${known[1]} (${typeof code === 'string' ? code : key})` };
    }
    if (!(error instanceof Error))
        return null;
    const matched = BY_MESSAGE.find(([pattern]) => pattern.test(error.message));
    return matched === undefined ? null : { kind: matched[1], cause: matched[2] };
}
/** True when the database cannot be reached, is overloaded, too slow, or cannot write: 503,
 *  and the request may be retried. */
export function isDatabaseUnavailable(error) {
    return databaseFailureOf(error) !== null;
}
/** True when the database answered but cannot write (disk full, read-only, I/O error). */
export function isDatabaseWriteFailure(error) {
    return databaseFailureOf(error)?.kind === 'write';
}
