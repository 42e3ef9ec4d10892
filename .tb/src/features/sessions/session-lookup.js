// The columns are aliased to camelCase in the SELECT itself: no mapping step per request.
// Bounds the statement's parameter count and the number of distinct statement texts.
const MAX_BATCH = 64;
function compileLookup(db, size) {
    const select = db.selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select(['sessions.id', 'sessions.created_at as createdAt', 'sessions.last_seen_at as lastSeenAt', 'sessions.expires_at as expiresAt', 'sessions.methods', 'sessions.authenticated_at as authenticatedAt', 'users.id as userId', 'users.email'])
        // Disabling ends the sessions; this also refuses one a sign-in racing the disable created.
        .where('users.disabled_at', 'is', null);
    return (size === 1 ? select.where('sessions.id', '=', '') : select.where('sessions.id', 'in', Array(size).fill(''))).compile();
}
export function createSessionLookup(db) {
    const compiled = new Map();
    async function run(ids) {
        let query = compiled.get(ids.length);
        if (query === undefined) {
            query = compileLookup(db, ids.length);
            compiled.set(ids.length, query);
        }
        const withIds = { ...query, parameters: ids };
        return (await db.executeQuery(withIds)).rows;
    }
    let waiting = [];
    function flush() {
        const batch = waiting.slice(0, MAX_BATCH);
        waiting = waiting.slice(MAX_BATCH);
        if (waiting.length > 0)
            setImmediate(flush);
        const ids = [...new Set(batch.map(entry => entry.id))];
        run(ids).then(rows => {
            const byId = new Map(rows.map(row => [row.id, row]));
            for (const entry of batch)
                entry.resolve(byId.get(entry.id));
        }, (error) => {
            for (const entry of batch)
                entry.reject(error);
        });
    }
    return {
        // Not an async function: that would wrap the promise in one more, on every request.
        find: (id) => new Promise((resolve, reject) => {
            waiting.push({ id, resolve, reject });
            if (waiting.length === 1)
                setImmediate(flush);
        })
    };
}
