const SWEEP_BATCH = 1000;
/** Deletes the rows whose `column` is at or before `cutoff` (and whose status is
 *  `status`, when given); returns how many went. */
export async function deleteInBatches(typed, { table, column, status }, cutoff) {
    // The tables share the shape this needs (an id, a time column); Kysely's types cannot
    // follow a table chosen at run time.
    const db = typed;
    let deleted = 0;
    for (;;) {
        // Ids first, then those rows: DELETE … LIMIT and LIMIT in an IN subquery are not
        // portable (MySQL refuses the one, SQLite builds usually lack the other).
        let select = db.selectFrom(table).select('id').where(column, '<=', cutoff);
        if (status !== undefined)
            select = select.where('status', '=', status);
        const ids = (await select.limit(SWEEP_BATCH).execute()).map(row => row.id);
        if (ids.length === 0)
            return deleted;
        // The time again (a session refreshed since the SELECT stays), and the status.
        let remove = db.deleteFrom(table).where('id', 'in', ids).where(column, '<=', cutoff);
        if (status !== undefined)
            remove = remove.where('status', '=', status);
        const result = await remove.executeTakeFirst();
        deleted += Number(result.numDeletedRows);
        if (ids.length < SWEEP_BATCH)
            return deleted;
        await new Promise(resolve => setImmediate(resolve));
    }
}
/** Deletes the rows whose expires_at has passed; returns how many went. */
export async function deleteExpiredInBatches(db, table, now) {
    return await deleteInBatches(db, { table, column: 'expires_at' }, now);
}
