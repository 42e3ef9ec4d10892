export function createJobs(log, leases) {
    const jobs = [];
    /** Leases this instance holds, and until when. */
    const held = new Map();
    const running = new Map();
    let started = false;
    let closed = false;
    const again = new Set();
    function run(job) {
        // A run still going: this one waits for its end (trigger) or is skipped (the timer).
        if (closed || running.has(job.name))
            return;
        const pending = (async () => {
            if (job.hasWork !== undefined && !await job.hasWork())
                return;
            // A lease held for more than one more interval is not renewed: a job triggered often
            // (the outbox's sender, woken by each mail) writes its lease once per interval, not per run.
            if (job.exclusive && leases !== undefined && (held.get(job.name) ?? 0) <= Date.now() + job.intervalMs) {
                // Two intervals: a holder whose timer fires late keeps its lease; one that stopped
                // without giving it up (killed) is replaced within two intervals.
                const until = Date.now() + 2 * job.intervalMs;
                if (!await leases.acquire(job.name, 2 * job.intervalMs)) {
                    held.delete(job.name);
                    return;
                }
                held.set(job.name, until);
            }
            await job.task();
        })()
            .catch((err) => { log.warn({ err, job: job.name }, `${job.name} failed`); })
            .finally(() => {
            running.delete(job.name);
            if (again.delete(job.name))
                run(job);
        });
        running.set(job.name, pending);
    }
    function schedule(job) {
        job.timer = setInterval(() => { run(job); }, job.intervalMs).unref();
    }
    return {
        every(name, intervalMs, task, options = {}) {
            const job = { name, intervalMs, task, exclusive: options.exclusive === true, hasWork: options.hasWork };
            jobs.push(job);
            if (started)
                schedule(job);
        },
        trigger(name) {
            const job = jobs.find(job => job.name === name);
            if (job === undefined || !started || closed)
                return;
            if (running.has(name))
                again.add(name);
            else
                run(job);
        },
        start() {
            if (started)
                return;
            started = true;
            for (const job of jobs)
                schedule(job);
        },
        async close() {
            closed = true;
            for (const job of jobs)
                clearInterval(job.timer);
            await Promise.allSettled(running.values());
            if (leases !== undefined)
                await Promise.allSettled([...held.keys()].map(async (name) => { await leases.release(name); }));
        }
    };
}
