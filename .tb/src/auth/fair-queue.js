// A queue shared fairly between clients, in front of a fixed number of running slots (the
// password hashers). Each client waits in its own line and the lines are served in turn
// (round robin), so a flood from a few addresses delays everybody by one turn each, not by
// the whole flood. There is no per-client cap while there is room: one busy address on an
// idle instance (a backend, a large NAT) is served at full speed. When the queue is full,
// the request refused is one of the client holding the most of it: the newcomer if that is
// its own client, else the newest entry of the heaviest client, which makes room.
export function createFairQueue({ slots, limit, refusal }) {
    // Map order is the ring: the client at the front is served next, then goes to the back.
    const lines = new Map();
    let running = 0;
    let waiting = 0;
    function serveNext() {
        while (running < slots) {
            const next = lines.entries().next();
            if (next.done === true)
                return;
            const [client, line] = next.value;
            lines.delete(client);
            const waiter = line.shift();
            if (line.length > 0)
                lines.set(client, line);
            if (waiter === undefined)
                continue;
            waiting -= 1;
            running += 1;
            waiter.start();
        }
    }
    /** Whether `client` may queue one more; when full, refuses the heaviest client's newest entry if that is another client's. */
    function makeRoom(client) {
        if (waiting < limit)
            return true;
        let heaviest;
        for (const entry of lines)
            if (heaviest === undefined || entry[1].length > heaviest[1].length)
                heaviest = entry;
        const own = lines.get(client)?.length ?? 0;
        // A tie goes against the newcomer: work already waiting is not dropped for equal work.
        if (heaviest === undefined || own + 1 >= heaviest[1].length)
            return false;
        const [other, line] = heaviest;
        const evicted = line.pop();
        if (line.length === 0)
            lines.delete(other);
        waiting -= 1;
        evicted?.refuse(refusal());
        return true;
    }
    return {
        async run(client, work) {
            await new Promise((resolve, reject) => {
                if (running < slots && waiting === 0) {
                    running += 1;
                    resolve();
                    return;
                }
                if (!makeRoom(client)) {
                    reject(refusal());
                    return;
                }
                const line = lines.get(client);
                if (line === undefined)
                    lines.set(client, [{ start: resolve, refuse: reject }]);
                else
                    line.push({ start: resolve, refuse: reject });
                waiting += 1;
            });
            try {
                return await work();
            }
            finally {
                running -= 1;
                serveNext();
            }
        },
        depth: () => waiting,
        close() {
            for (const line of lines.values())
                for (const waiter of line)
                    waiter.refuse(refusal());
            lines.clear();
            waiting = 0;
        }
    };
}
