// Job leases on the real database of this run: several instances' jobs on one database
// run one at a time; a lease given up or expired passes to another instance.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config.js';
import { createDb } from '../src/db/index.js';
import { createLeases } from '../src/db/leases.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createJobs } from '../src/jobs.js';
import { createTestDatabase, TEST_DIALECT } from './support/database.js';
import { createTestClock } from './support/clock.js';
import { sleep } from './support/server.js';
const quiet = { warn: () => { } };
describe(`job leases on ${TEST_DIALECT}`, () => {
    let database;
    const dbs = [];
    const open = () => {
        const db = createDb(loadConfig({ DATABASE_URL: database.url }).database);
        dbs.push(db);
        return db;
    };
    before(async () => {
        database = await createTestDatabase();
        const result = await migrateToLatest(open());
        assert.equal(result.error, undefined);
    });
    after(async () => {
        for (const db of dbs)
            await db.destroy();
        await database.drop();
    });
    it('of holders racing for a lease, exactly one gets it; it renews; another gets it once expired or released', async () => {
        // The leases' clock is the test's (support/clock.ts): expiry is moved to, not slept for.
        const clock = createTestClock();
        const holders = Array.from({ length: 6 }, (_, i) => createLeases(open(), `instance-${i}`, clock.now));
        const results = await Promise.all(holders.map(async (leases) => await leases.acquire('race', 60_000)));
        assert.equal(results.filter(Boolean).length, 1, JSON.stringify(results));
        const winner = holders[results.indexOf(true)];
        const loser = holders[results.indexOf(false)];
        assert.ok(winner !== undefined && loser !== undefined);
        assert.equal(await winner.acquire('race', 60_000), true, 'the holder renews');
        assert.equal(await loser.acquire('race', 60_000), false);
        await winner.release('race');
        assert.equal(await loser.acquire('race', 200), true, 'released: another takes it');
        assert.equal(await winner.acquire('race', 200), false);
        clock.advance(250);
        assert.equal(await winner.acquire('race', 200), true, 'expired: another takes it');
    });
    it('an exclusive job of three instances never runs twice at once, about once per interval in all, and moves on when its holder stops', async () => {
        const runs = [0, 0, 0];
        let concurrent = 0;
        let most = 0;
        const instances = runs.map((_, i) => {
            const jobs = createJobs(quiet, createLeases(open(), `node-${i}`));
            jobs.every('sweep', 40, async () => {
                runs[i] = (runs[i] ?? 0) + 1;
                concurrent += 1;
                most = Math.max(most, concurrent);
                await sleep(5);
                concurrent -= 1;
            }, { exclusive: true });
            jobs.start();
            return jobs;
        });
        // Real timers here (jobs run on them): spans in which runs are counted, with wide bounds.
        const started = Date.now();
        await sleep(600);
        const elapsed = Date.now() - started;
        assert.equal(most, 1, 'never two runs at once');
        const total = runs.reduce((sum, count) => sum + count, 0);
        assert.ok(total >= 3 && total <= Math.ceil(elapsed / 40) + 1, `about one run per interval across all three, not three: ${runs.join(', ')} in ${elapsed} ms`);
        // The holder (the one that ran it most) stops and gives its lease up: another runs it.
        const first = runs.indexOf(Math.max(...runs));
        await instances[first]?.close();
        const before = [...runs];
        await sleep(400);
        const moved = runs.map((count, i) => count - (before[i] ?? 0));
        assert.equal(moved[first], 0);
        assert.ok(moved.some(count => count > 0), `another instance took over: ${moved.join(', ')}`);
        assert.equal(most, 1);
        await Promise.all(instances.map(async (jobs) => { await jobs.close(); }));
    });
});
