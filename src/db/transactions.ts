// Kysely's transaction().execute() rolls back when its callback throws, and if that ROLLBACK
// fails, the rollback's error is thrown instead of the one that caused it. That happens
// exactly when the database is in trouble: SQLite rolls a transaction back by itself on
// SQLITE_FULL or an I/O error, so Kysely's ROLLBACK then fails with "cannot rollback - no
// transaction is active" and the log and the client saw that instead of "disk full"; a
// PostgreSQL or MySQL connection that died or timed out fails its ROLLBACK too. Wrapping the
// driver keeps the original error: a failed ROLLBACK is logged at debug level and dropped.
// That is safe: SQLite is no longer in a transaction (checked), and a server connection
// whose ROLLBACK failed is broken, so its pool discards it (src/db/index.ts, mysql.ts).
import type { DatabaseConnection, Dialect, Driver, Kysely } from 'kysely'

export interface RollbackLogger {
  debug?: (obj: object, msg: string) => void
}

class RollbackKeepsCauseDriver implements Driver {
  // Passed through as the driver's own functions: no extra promise on every query's path.
  readonly init: Driver['init']
  readonly acquireConnection: Driver['acquireConnection']
  readonly beginTransaction: Driver['beginTransaction']
  readonly commitTransaction: Driver['commitTransaction']
  readonly releaseConnection: Driver['releaseConnection']
  readonly destroy: Driver['destroy']
  readonly savepoint: Driver['savepoint']
  readonly rollbackToSavepoint: Driver['rollbackToSavepoint']
  readonly releaseSavepoint: Driver['releaseSavepoint']

  constructor (private readonly driver: Driver, private readonly log: RollbackLogger | undefined, private readonly stillInTransaction: () => boolean) {
    this.init = driver.init.bind(driver)
    this.acquireConnection = driver.acquireConnection.bind(driver)
    this.beginTransaction = driver.beginTransaction.bind(driver)
    this.commitTransaction = driver.commitTransaction.bind(driver)
    this.releaseConnection = driver.releaseConnection.bind(driver)
    this.destroy = driver.destroy.bind(driver)
    this.savepoint = driver.savepoint?.bind(driver)
    this.rollbackToSavepoint = driver.rollbackToSavepoint?.bind(driver)
    this.releaseSavepoint = driver.releaseSavepoint?.bind(driver)
  }

  async rollbackTransaction (connection: DatabaseConnection): Promise<void> {
    try {
      await this.driver.rollbackTransaction(connection)
    } catch (err) {
      // Still in a transaction (SQLite only can tell): the connection would carry it into
      // the next request, so this error must be seen, even at the cost of the cause.
      if (this.stillInTransaction()) throw err
      this.log?.debug?.({ err }, 'ROLLBACK failed after an error (the error that caused it is reported)')
    }
  }
}

/** The dialect with its driver wrapped; `stillInTransaction` tells, where the driver can,
 *  whether a failed ROLLBACK left the connection in a transaction. */
export function keepRollbackCause (dialect: Dialect, log?: RollbackLogger, stillInTransaction: () => boolean = () => false): Dialect {
  return {
    createDriver: () => new RollbackKeepsCauseDriver(dialect.createDriver(), log, stillInTransaction),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db: Kysely<any>) => dialect.createIntrospector(db)
  }
}
