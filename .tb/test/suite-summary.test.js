// The closing line of `npm test` (scripts/tap-summary.mjs) on a real run of Node's test
// runner: skipped suites count as skips, which Node's own summary leaves out, and under
// CI=true any skip fails the run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { runPassed, summarizeTap } from '../scripts/tap-summary.mjs';
/** The fixture run as scripts/test.mjs runs a pass (outside this runner's own context). */
function runFixture() {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT; // else the child reports to this runner instead of printing TAP
    const run = spawnSync(process.execPath, ['--test', '--test-reporter=tap', 'test/fixtures/skips.mjs'], { env, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout;
}
describe('the suite summary', () => {
    const output = runFixture();
    it('counts skipped suites at any depth as well as skipped tests, which Node\'s own line does not', () => {
        assert.match(output, /^# skipped 1$/m, 'Node counts the skipped test only');
        const summary = summarizeTap(output);
        assert.deepEqual([summary.passed, summary.failed, summary.cancelled, summary.todo, summary.skipped], [2, 0, 0, 0, 4]);
        assert.deepEqual(summary.skips, [
            { name: 'a skipped test', reason: 'no reason to run' },
            { name: 'a nested skipped suite', reason: 'no server' },
            { name: 'a skipped suite', reason: 'TEST_POSTGRES_URL is not set' },
            { name: 'a suite skipped without a reason', reason: '' }
        ]);
    });
    it('under CI=true a skipped suite fails the run; outside CI it is reported, not failed', () => {
        const pass = { code: 0, ...summarizeTap(output) };
        assert.equal(runPassed([pass], false), true);
        assert.equal(runPassed([pass], true), false);
        const clean = { ...pass, skipped: 0, skips: [] };
        assert.equal(runPassed([clean], true), true);
        assert.equal(runPassed([clean, { ...clean, code: 1 }], false), false, 'a runner that exited non-zero fails');
        assert.equal(runPassed([], false), false, 'no pass at all is no success');
    });
});
