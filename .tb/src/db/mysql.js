// The MySQL/MariaDB pool (mysql2) as Kysely's MysqlDialect takes it, with every statement
// bounded: the server's own limit where it has one, and mysql2's per-query `timeout` for a
// server or network that says nothing at all.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
// mysql2 names no code for it: the variable does not exist (MySQL has no max_statement_time).
const ER_UNKNOWN_SYSTEM_VARIABLE = 1193;
/** The driver's limit comes this long after the server's, so the server's (which leaves the
 *  connection usable) normally wins. */
export const CLIENT_TIMEOUT_GRACE_MS = 1000;
/**
 * The server's limit, per connection: MariaDB's max_statement_time (seconds, every
 * statement) or else MySQL's max_execution_time (milliseconds, SELECTs only). A server
 * that refuses both keeps only the driver's limit.
 */
function limitStatements(connection, ms) {
    connection.query(`SET SESSION max_statement_time = ${ms / 1000}`, (error) => {
        if (error?.errno === ER_UNKNOWN_SYSTEM_VARIABLE)
            connection.query(`SET SESSION max_execution_time = ${ms}`, () => { });
    });
}
/**
 * mysql2's `timeout` ends the wait with PROTOCOL_SEQUENCE_TIMEOUT, but leaves the statement
 * queued on its connection: every later statement would wait behind it. On such a
 * connection later statements (the transaction's ROLLBACK) fail at once, and it is
 * destroyed instead of going back to the pool.
 */
function boundedConnection(connection, timeoutMs) {
    let timedOut = false;
    return {
        query: ((sql, values, callback) => {
            if (callback === undefined)
                return connection.query({ sql, values, timeout: timeoutMs });
            if (timedOut) {
                const error = Object.assign(new Error('an earlier statement on this connection got no answer'), { code: 'PROTOCOL_SEQUENCE_TIMEOUT' });
                process.nextTick(() => { callback(error, undefined); });
                return undefined;
            }
            return connection.query({ sql, values, timeout: timeoutMs }, (error, result) => {
                if (error?.code === 'PROTOCOL_SEQUENCE_TIMEOUT')
                    timedOut = true;
                callback(error, result);
            });
        }),
        release: () => {
            if (timedOut)
                connection.destroy();
            else
                connection.release();
        }
    };
}
export function mysqlPool(config) {
    const mysql = require('mysql2');
    const pool = mysql.createPool({
        uri: config.url,
        connectionLimit: config.poolSize,
        connectTimeout: config.connectTimeoutMs,
        // BIGINT as a number while it fits (our millisecond timestamps always do).
        supportBigNumbers: true,
        bigNumberStrings: false,
        charset: 'utf8mb4'
    });
    pool.on('connection', connection => { limitStatements(connection, config.queryTimeoutMs); });
    const timeoutMs = config.queryTimeoutMs + CLIENT_TIMEOUT_GRACE_MS;
    return {
        getConnection(callback) {
            pool.getConnection((error, connection) => {
                if (error !== null)
                    callback(error, undefined);
                else
                    callback(null, boundedConnection(connection, timeoutMs));
            });
        },
        end(callback) { pool.end(callback); }
    };
}
