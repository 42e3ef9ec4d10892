// A redis-server of the test's own, on a free loopback port, for tests that freeze or kill
// Redis: never the machine's shared one. No persistence, nothing written to disk.
import { spawn, spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './service.js';
/** Why no own redis-server can start here, or null when one can. */
export function ownRedisUnavailable() {
    const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
    return probe.error === undefined && probe.status === 0 ? null : 'redis-server is not installed (it is started on a port of the test\'s own)';
}
export async function startOwnRedis() {
    const port = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
    let exited = false;
    const gone = new Promise(resolve => child.once('exit', () => { exited = true; resolve(); }));
    const url = `redis://127.0.0.1:${port}`;
    const deadline = Date.now() + 10_000;
    for (;;) {
        const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
        probe.on('error', () => { });
        const up = await probe.connect().then(async () => await probe.ping() === 'PONG', () => false);
        probe.disconnect();
        if (up)
            break;
        if (exited || Date.now() > deadline) {
            child.kill('SIGKILL');
            throw new Error(`redis-server did not start on port ${port}`);
        }
        await new Promise(resolve => setTimeout(resolve, 50));
    }
    const kill = async () => {
        if (exited)
            return;
        child.kill('SIGKILL'); // a frozen (SIGSTOP) process dies of it too
        await gone;
    };
    return {
        url,
        freeze: () => { child.kill('SIGSTOP'); },
        thaw: () => { child.kill('SIGCONT'); },
        kill,
        close: kill
    };
}
