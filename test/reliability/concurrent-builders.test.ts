/**
 * Two builder processes on one local index store, at the same time, on overlapping and different
 * months (one round here; test-reliability/ runs many rounds, on a local store and on s3rver). Each
 * is the real command (`src/cli/build-index.ts`). Afterwards: no month lost (the master index and
 * GET /v1/months list every month built), no month object half-written (every one decodes, with
 * the right profile count), the master index parses, and no temp or lock file is left behind.
 * The same with the backfill Job's slicing: three `build-index --slice i/3` processes at once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBlobStore } from '../../src/storage/index.js';
import { checkStore, concurrentRound, slicedRound } from './kit/concurrency.js';
import { startFixture } from './kit/harness.js';

test('two build-index processes on one local store: every month there, every object whole, the master consistent', async (t) => {
  const fx = await startFixture(t, { months: ['2023-01', '2023-02', '2023-03', '2023-04'], perMonth: 4, seed: 21 });
  const round = await concurrentRound({
    env: fx.env,
    runner: 'cli',
    jobs: [
      ['2023-01', '2023-02', '2023-03'],
      ['2023-02', '2023-03', '2023-04'],
    ],
    timeoutMs: 90_000,
  });
  for (const child of round.children) {
    assert.equal(child.code, 0, `build-index ${child.months.join(',')} exited ${child.code ?? child.signal}${child.timedOut ? ' (killed at its deadline)' : ''}: ${child.stderr.slice(-2000)}`);
  }
  const check = await checkStore({ store: createBlobStore({ location: fx.storeDir }), expected: fx.gdac.countByMonth, app: await fx.app(), localDir: fx.storeDir });
  t.diagnostic(`round: ${round.ms} ms; objects per month: ${JSON.stringify(Object.fromEntries([...check.report.objects].map(([m, k]) => [m, k.length])))}`);
  assert.ok(check.report.masterOk, 'the master index parses');
  assert.deepEqual(check.report.undecodable, [], 'no month object is half-written');
  assert.deepEqual(check.missingFromMaster, [], 'a store with conditional writes loses no master update');
  assert.deepEqual(check.missingFromApi, []);
  assert.deepEqual(check.wrongCounts, []);
  assert.deepEqual(check.leftovers, [], 'no temp or lock file left behind');
});

test('the backfill Job\'s slicing: three build-index --slice i/3 processes at once on one local store, no month lost', async (t) => {
  const months = ['2022-11', '2022-12', '2023-01', '2023-02', '2023-03', '2023-04', '2023-05'];
  const fx = await startFixture(t, { months, perMonth: 3, seed: 22 });
  const round = await slicedRound({ env: fx.env, start: months[0], end: months.at(-1)!, count: 3, timeoutMs: 90_000 });
  for (const child of round.children) {
    assert.equal(child.code, 0, `build-index --slice (${child.months.join(',')}) exited ${child.code ?? child.signal}${child.timedOut ? ' (killed at its deadline)' : ''}: ${child.stderr.slice(-2000)}`);
    assert.match(child.stderr, new RegExp(`${child.months.length} month\\(s\\) .*\\(slice \\d/3 of ${months.length} months\\)`));
  }
  // Dealt round-robin: together the slices are the range, each month once.
  assert.deepEqual(round.children.flatMap((c) => c.months).sort(), months);
  const check = await checkStore({ store: createBlobStore({ location: fx.storeDir }), expected: fx.gdac.countByMonth, app: await fx.app(), localDir: fx.storeDir });
  t.diagnostic(`sliced round: ${round.ms} ms; slices ${JSON.stringify(round.children.map((c) => c.months))}`);
  assert.ok(check.report.masterOk, 'the master index parses');
  assert.deepEqual(check.report.undecodable, []);
  assert.deepEqual(check.missingFromMaster, [], 'a store with conditional writes loses no master update');
  assert.deepEqual(check.missingFromApi, []);
  assert.deepEqual(check.wrongCounts, []);
  assert.deepEqual(check.leftovers, []);
});
