// Password hashing off the event loop: a pool of worker threads (piscina) at a lower CPU
// priority, behind a bounded queue shared fairly between clients (fair-queue.ts): each
// client waits in its own line, the lines are served in turn, and a full queue refuses
// the client holding the most of it with OVERLOADED (503 with Retry-After) instead of a
// latency that grows without bound. One flood cannot take every sign-in down, and one
// busy client on an idle instance is not capped.
//
// A failed verification is padded to the time the slowest hash in the database would
// take (legacy bcrypt ones, after an import), so the time of a 401 does not tell which
// kind of hash, or whether any account, stands behind an email.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Piscina } from 'piscina';
import { AuthError } from './errors.js';
import { createFairQueue } from './fair-queue.js';
import { bcryptCostOf } from './password-forms.js';
export function defaultHashThreads() {
    return os.availableParallelism();
}
// Under tsx (tests, development) the worker is the TypeScript source.
const WORKER = new URL(import.meta.url.endsWith('.ts') ? './password-worker.ts' : './password-worker.js', import.meta.url).href;
const CALIBRATION_ROUNDS = 3;
// Tasks each thread is handed at once: the next one is ready when a hash ends.
const TASKS_PER_THREAD = 2;
// The line of the work no request asked for (the dummy hash, calibration) and of callers
// that name no client (the CLI, benchmarks): never an IP key.
const NO_CLIENT = '';
function median(values) {
    return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
}
export function createPasswordHasher(options) {
    const pool = new Piscina({
        filename: WORKER,
        minThreads: 0,
        maxThreads: options.threads,
        // The fair queue below hands the pool no more than its threads take at once, so this
        // queue only holds tasks while threads start; the bound is a backstop.
        maxQueue: options.queueLimit,
        concurrentTasksPerWorker: TASKS_PER_THREAD,
        // Idle threads go after a minute: each holds an isolate and argon2's 19 MiB.
        idleTimeout: 60_000
    });
    const queue = createFairQueue({ slots: options.threads * TASKS_PER_THREAD, limit: options.queueLimit, refusal: overloaded });
    async function runInPool(task) {
        try {
            const result = await pool.run(task);
            options.onComputed?.(task.op, result.computeMs / 1000);
            return result;
        }
        catch (error) {
            if (error instanceof Error && /queue is at limit/i.test(error.message))
                throw overloaded();
            throw error;
        }
    }
    async function run(task, client) {
        return await queue.run(client ?? NO_CLIENT, async () => await runInPool(task));
    }
    // Cached only once made: a failed attempt (a full queue) must not stay the answer.
    let dummyHash;
    async function dummy(client) {
        dummyHash ??= (await run({ op: 'hash', password: randomBytes(16).toString('base64url') }, client)).hash;
        return dummyHash;
    }
    let slowest = null;
    let calibrating;
    async function measure(stored) {
        const check = await run({ op: 'verify', stored, password: randomBytes(16).toString('base64url') }, undefined);
        return check.computeMs;
    }
    async function calibrate(slowestStored) {
        const cost = slowestStored === null ? null : bcryptCostOf(slowestStored);
        if (slowestStored === null || cost === null) {
            slowest = null;
            return;
        }
        const times = [];
        for (let round = 0; round < CALIBRATION_ROUNDS; round++)
            times.push(await measure(slowestStored));
        slowest = { bcryptCost: cost, targetMs: median(times) };
    }
    /**
     * Every verification of the slowest kind moves the target toward what it took (a
     * moving average), so the target follows this machine's load as the real ones do.
     */
    function observe(stored, computeMs) {
        if (slowest !== null && bcryptCostOf(stored) === slowest.bcryptCost)
            slowest.targetMs += (computeMs - slowest.targetMs) * 0.2;
    }
    function noticeStoredHash(stored) {
        const cost = bcryptCostOf(stored);
        // A legacy hash costlier than any known (imported while running): calibrate to it now.
        if (cost === null || (slowest !== null && cost <= slowest.bcryptCost) || calibrating !== undefined)
            return;
        calibrating = calibrate(stored).catch(() => { }).finally(() => { calibrating = undefined; });
    }
    async function verify(stored, password, client) {
        noticeStoredHash(stored);
        const { valid, needsRehash, computeMs } = await run({ op: 'verify', stored, password }, client);
        observe(stored, computeMs);
        // A failure is held until it has taken as long as the slowest stored hash would.
        const pad = valid || slowest === null ? 0 : slowest.targetMs - computeMs;
        if (pad >= 1)
            await sleep(pad);
        return { valid, needsRehash };
    }
    return {
        hash: async (password, client) => (await run({ op: 'hash', password }, client)).hash,
        verify,
        async verifyDummy(password, client) {
            await verify(await dummy(client), password, client);
        },
        async calibrate(slowestStored) {
            await calibrating;
            await calibrate(slowestStored);
        },
        padsFailures: () => slowest !== null,
        async warmUp() { await dummy(); },
        queueDepth: () => queue.depth() + pool.queueSize,
        close: async () => {
            await calibrating;
            queue.close();
            await pool.destroy();
        }
    };
}
function overloaded() {
    return new AuthError('OVERLOADED', 'too many sign-ins at once; try again shortly', 1);
}
