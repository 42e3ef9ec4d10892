// The cluster's pid file: `npm run cluster` writes the pid that takes SIGHUP (npm itself
// dies on SIGHUP, so `kill -HUP` must reach node, not npm) once it is ready, and removes
// the file when it stops; `authsvc cluster reload` reads it. A file left by a cluster that
// was killed (SIGKILL, a crash, a reboot) names a process that is gone, or one that now
// has the pid and is not the cluster: both are told apart from a live cluster.
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
/** `<package root>/data/cluster.pid`, wherever the command is run from (data/ is the
 *  default SQLite folder too, and git-ignored). */
export const DEFAULT_PID_FILE = fileURLToPath(new URL('../../data/cluster.pid', import.meta.url));
/** What the cluster's command line holds, to tell it from another process with its old pid. */
const CLUSTER_SCRIPT = /(?:^|[/\\])cluster[/\\]main\.[jt]s$/;
/** The command line of a process (Linux /proc), or null where it cannot be read. */
function commandLineOf(pid) {
    try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(part => part !== '');
    }
    catch {
        return null; // not Linux, or the process is gone: the signal check decides
    }
}
/** Whether a process with this pid is alive (signal 0 sends nothing, it only checks). */
function isAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (error) {
        // EPERM: it exists but belongs to another user (then it is no cluster of ours either).
        return error.code === 'EPERM';
    }
}
export async function readPidFile(file) {
    let text;
    try {
        text = await readFile(file, 'utf8');
    }
    catch (error) {
        if (error.code === 'ENOENT')
            return { kind: 'missing' };
        return { kind: 'unreadable', reason: error instanceof Error ? error.message : String(error) };
    }
    if (!/^[1-9][0-9]{0,9}\s*$/.test(text))
        return { kind: 'unreadable', reason: 'it does not hold a pid' };
    const pid = Number(text.trim());
    if (!isAlive(pid))
        return { kind: 'stale', pid, reason: `no process ${pid} is running` };
    const commandLine = commandLineOf(pid);
    if (commandLine !== null && !commandLine.some(part => CLUSTER_SCRIPT.test(part))) {
        return { kind: 'stale', pid, reason: `process ${pid} is not the cluster (${commandLine.slice(0, 3).join(' ')})` };
    }
    return { kind: 'running', pid };
}
/** Writes this process's pid, refusing when a live cluster holds the file. */
export async function writePidFile(file) {
    const state = await readPidFile(file);
    if (state.kind === 'running' && state.pid !== process.pid) {
        throw new Error(`another cluster (pid ${state.pid}) holds ${file}: stop it, or give this one --pid-file`);
    }
    await mkdir(path.dirname(file), { recursive: true });
    // Written whole, then renamed: a reader never sees half a pid.
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, `${process.pid}\n`, { mode: 0o644 });
    await rename(temporary, file);
}
/** Removes the file if it still names this process. */
export async function removePidFile(file) {
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text?.trim() === String(process.pid))
        await rm(file, { force: true });
}
