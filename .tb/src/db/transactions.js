class RollbackKeepsCauseDriver {
    driver;
    log;
    stillInTransaction;
    // Passed through as the driver's own functions: no extra promise on every query's path.
    init;
    acquireConnection;
    beginTransaction;
    commitTransaction;
    releaseConnection;
    destroy;
    savepoint;
    rollbackToSavepoint;
    releaseSavepoint;
    constructor(driver, log, stillInTransaction) {
        this.driver = driver;
        this.log = log;
        this.stillInTransaction = stillInTransaction;
        this.init = driver.init.bind(driver);
        this.acquireConnection = driver.acquireConnection.bind(driver);
        this.beginTransaction = driver.beginTransaction.bind(driver);
        this.commitTransaction = driver.commitTransaction.bind(driver);
        this.releaseConnection = driver.releaseConnection.bind(driver);
        this.destroy = driver.destroy.bind(driver);
        this.savepoint = driver.savepoint?.bind(driver);
        this.rollbackToSavepoint = driver.rollbackToSavepoint?.bind(driver);
        this.releaseSavepoint = driver.releaseSavepoint?.bind(driver);
    }
    async rollbackTransaction(connection) {
        try {
            await this.driver.rollbackTransaction(connection);
        }
        catch (err) {
            // Still in a transaction (SQLite only can tell): the connection would carry it into
            // the next request, so this error must be seen, even at the cost of the cause.
            if (this.stillInTransaction())
                throw err;
            this.log?.debug?.({ err }, 'ROLLBACK failed after an error (the error that caused it is reported)');
        }
    }
}
/** The dialect with its driver wrapped; `stillInTransaction` tells, where the driver can,
 *  whether a failed ROLLBACK left the connection in a transaction. */
export function keepRollbackCause(dialect, log, stillInTransaction = () => false) {
    return {
        createDriver: () => new RollbackKeepsCauseDriver(dialect.createDriver(), log, stillInTransaction),
        createQueryCompiler: () => dialect.createQueryCompiler(),
        createAdapter: () => dialect.createAdapter(),
        createIntrospector: (db) => dialect.createIntrospector(db)
    };
}
