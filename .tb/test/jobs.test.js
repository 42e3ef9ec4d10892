// The scheduled-jobs module on real timers: short intervals, no fake clock. Its sleeps are
// the jobs' own work and spans in which runs are counted with wide bounds, not deadlines.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createJobs } from '../src/jobs.js';
import { sleep } from './support/server.js';
function recordingLog() {
    const warnings = [];
    return { warnings, warn: (obj, msg) => { warnings.push({ obj, msg }); } };
}
describe('jobs', () => {
    it('runs a job every interval once started, never two runs of it at once', async () => {
        const jobs = createJobs(recordingLog());
        let running = 0;
        let most = 0;
        let runs = 0;
        jobs.every('slow', 10, async () => {
            running += 1;
            runs += 1;
            most = Math.max(most, running);
            await sleep(35);
            running -= 1;
        });
        await sleep(50);
        assert.equal(runs, 0, 'nothing runs before start()');
        jobs.start();
        await sleep(300);
        await jobs.close();
        assert.ok(runs >= 3, `runs: ${runs}`);
        assert.equal(most, 1);
        assert.equal(running, 0, 'close() waited for the run under way');
        const after = runs;
        await sleep(50);
        assert.equal(runs, after, 'nothing runs after close()');
    });
    it('logs a failed run with the job\'s name and keeps the schedule', async () => {
        const log = recordingLog();
        const jobs = createJobs(log);
        let runs = 0;
        jobs.every('flaky', 10, async () => {
            runs += 1;
            throw new Error('boom');
        });
        jobs.start();
        await sleep(100);
        await jobs.close();
        assert.ok(runs >= 2, `runs: ${runs}`);
        assert.equal(log.warnings[0]?.msg, 'flaky failed');
        assert.deepEqual(Object.keys(log.warnings[0]?.obj ?? {}).sort(), ['err', 'job']);
    });
});
