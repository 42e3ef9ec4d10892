// `authsvc cluster reload [--pid-file PATH]`: sends SIGHUP to the process `npm run
// cluster` named in its pid file (a rolling restart), so the operator needs neither the
// pid nor npm's (npm dies on SIGHUP). No configuration and no database: only the file.
import path from 'node:path';
import { DEFAULT_PID_FILE, readPidFile } from '../cluster/pid-file.js';
import { UsageError } from './usage.js';
export const CLUSTER_USAGE = `Cluster (npm run cluster):
  cluster reload [--pid-file PATH]      Rolling restart: SIGHUP to the pid in the cluster's pid file
                                        (default ${DEFAULT_PID_FILE}); the cluster's output says when done`;
/** A cluster refused: no pid file, a stale one, or a process that cannot be signalled. Exit 1. */
export class ClusterError extends Error {
    constructor(message) {
        super(message);
        this.name = 'ClusterError';
    }
}
/** Reads `cluster …`; throws UsageError. */
export function parseClusterCommand(argv) {
    const [, action, ...rest] = argv;
    if (action !== 'reload')
        throw new UsageError(`cluster takes one action: reload (not ${JSON.stringify(action ?? '')})`);
    let pidFile = DEFAULT_PID_FILE;
    for (let i = 0; i < rest.length; i++) {
        const arg = rest[i] ?? '';
        if (arg === '--pid-file' || arg.startsWith('--pid-file=')) {
            const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : rest[++i];
            if (value === undefined || value === '')
                throw new UsageError('--pid-file needs a path');
            pidFile = path.resolve(value);
        }
        else {
            throw new UsageError(`cluster reload: unknown argument ${JSON.stringify(arg)}`);
        }
    }
    return { action, pidFile };
}
/** Sends SIGHUP to the running cluster; returns what to print. */
export async function reloadCluster({ pidFile }) {
    const state = await readPidFile(pidFile);
    switch (state.kind) {
        case 'missing':
            throw new ClusterError(`no cluster pid file at ${pidFile}: is "npm run cluster" running (it writes the file once ready)? A cluster started with --pid-file needs the same --pid-file here`);
        case 'unreadable':
            throw new ClusterError(`cannot read the cluster pid file ${pidFile}: ${state.reason}`);
        case 'stale':
            throw new ClusterError(`stale cluster pid file ${pidFile}: ${state.reason}; the cluster stopped without removing it (killed?): start it again`);
        case 'running':
            break;
    }
    try {
        process.kill(state.pid, 'SIGHUP');
    }
    catch (error) {
        throw new ClusterError(`cannot signal the cluster (pid ${state.pid}): ${error.code ?? String(error)}`);
    }
    return `sent SIGHUP to the cluster (pid ${state.pid}): it restarts its instances one at a time; its output says "rolling restart done"`;
}
