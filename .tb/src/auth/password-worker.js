// Runs in each hashing worker thread (see password-hasher.ts).
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { hashPasswordSync, verifyPasswordSync } from './passwords.js';
// On Linux a nice value belongs to a thread: this one yields the CPU to the event-loop
// thread, so sign-ins that saturate the hashers do not slow every session check. With
// nothing else to run, it still gets whole cores.
try {
    os.setPriority(10);
}
catch {
    // Not permitted here (some containers): hashing still works at normal priority.
}
export default function run(task) {
    const start = performance.now();
    if (task.op === 'hash') {
        const hash = hashPasswordSync(task.password);
        return { hash, computeMs: performance.now() - start };
    }
    const check = verifyPasswordSync(task.stored, task.password);
    return { ...check, computeMs: performance.now() - start };
}
