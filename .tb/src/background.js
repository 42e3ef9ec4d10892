export function createBackground(log) {
    const pending = new Set();
    return {
        defer(what, task) {
            const running = task()
                .catch((err) => { log.error({ err }, `${what} failed`); })
                .finally(() => pending.delete(running));
            pending.add(running);
        },
        async drain() {
            while (pending.size > 0)
                await Promise.allSettled(pending);
        }
    };
}
