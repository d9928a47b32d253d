/**
 * Concurrent builder processes, many rounds (issue 8): two builders at once on one index store,
 * overlapping and different months chosen by a seeded draw (even rounds: the same months twice), five rounds on a local directory (the
 * real `npm run build-index` / `src/cli/build-index.ts`) and five on s3rver (build-child.ts: the
 * command's code path with the S3 credentials workaround). Between rounds some GDAC files change
 * (new date_update), so rebuilds download and race for real.
 *
 * After every round: every month built decodes with the right profile count, GET /v1/months lists
 * every month built (from the master index, or healed from the month listing), the master index
 * parses; local store: no month missing from the master (conditional writes are enforced), no
 * temp or lock file left. At the end of the s3rver run (no conditional writes there), one solo
 * build must leave a master index that lists every month.
 *
 * Then the backfill Job's way (deploy/k8s/backfill): four `build-index --slice i/4` processes
 * at once per round on s3rver, the real command, with the same checks.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { createBlobStore } from '../src/storage/index.js';
import { checkStore, concurrentRound, slicedRound, type BuilderRunner } from '../test/reliability/kit/concurrency.js';
import { seededRandom } from '../fixtures/index.js';
import { INDEX_PATH } from '../test/reliability/kit/fixture-gdac.js';
import { s3Store, startFixture, type Fixture } from '../test/reliability/kit/harness.js';
import { startRestartableS3 } from '../test/reliability/kit/restartable-s3.js';
import { writeResult } from './load/setup.js';

const ROUNDS = Number(process.env.REL_BUILD_ROUNDS ?? 5);
const MONTHS = ['2022-10', '2022-11', '2022-12', '2023-01', '2023-02', '2023-03'];

/** Two month sets that overlap by at least one month, from a seeded draw. */
function drawJobs(random: () => number): string[][] {
  const start = Math.floor(random() * 3);
  const a = MONTHS.slice(start, start + 2 + Math.floor(random() * 3));
  const overlap = a[Math.floor(random() * a.length)];
  const others = MONTHS.filter((m) => !a.includes(m));
  const b = [overlap, ...others.filter(() => random() < 0.6)];
  return [a, [...new Set(b)].sort()];
}

/** Gives some files a new date_update in the GDAC index: the next build downloads them again. */
function touchIndex(fx: Fixture, random: () => number, round: number): number {
  let touched = 0;
  const lines = fx.gdac.indexText.split('\n').map((line) => {
    if (line === '' || line.startsWith('#') || line.startsWith('file,') || random() > 0.3) return line;
    touched++;
    const cols = line.split(',');
    cols[7] = `2024060${round % 10}00000${touched % 10}`;
    return cols.join(',');
  });
  fx.gdac.indexText = lines.join('\n');
  fx.gdac.files.set(INDEX_PATH, new TextEncoder().encode(fx.gdac.indexText));
  return touched;
}

interface RoundFigures {
  round: number;
  jobs: string[][];
  ms: number;
  exitCodes: (number | null)[];
  missingFromMaster: string[];
  objects: number;
}

async function rounds(options: {
  t: TestContext;
  fx: Fixture;
  env: Record<string, string>;
  runner: (round: number) => BuilderRunner;
  store: ReturnType<typeof createBlobStore>;
  localDir?: string;
  seed: number;
}): Promise<RoundFigures[]> {
  const { fx, t } = options;
  const random = seededRandom(options.seed);
  const figures: RoundFigures[] = [];
  const built = new Map<string, number>();
  for (let round = 1; round <= ROUNDS; round++) {
    if (round > 1) touchIndex(fx, random, round);
    // Even rounds: both builders on the very same months, so their commits race head-on.
    const drawn = drawJobs(random);
    const jobs = round % 2 === 0 ? [drawn[0], drawn[0]] : drawn;
    const result = await concurrentRound({ env: options.env, jobs, runner: options.runner(round), timeoutMs: 180_000 });
    for (const child of result.children) {
      assert.equal(child.code, 0, `round ${round}: builder ${child.months.join(',')} exited ${child.code ?? child.signal}${child.timedOut ? ' (killed at its deadline)' : ''}: ${child.stderr.slice(-1500)}`);
    }
    for (const m of jobs.flat()) built.set(m, fx.gdac.countByMonth.get(m)!);
    const check = await checkStore({ store: options.store, expected: built, app: await fx.app({}, options.localDir ? {} : { store: options.store }), localDir: options.localDir });
    const figure: RoundFigures = {
      round,
      jobs,
      ms: result.ms,
      exitCodes: result.children.map((c) => c.code),
      missingFromMaster: check.missingFromMaster,
      objects: [...check.report.objects.values()].reduce((n, k) => n + k.length, 0),
    };
    figures.push(figure);
    t.diagnostic(`round ${round}: ${JSON.stringify(figure)}`);
    assert.ok(check.report.masterOk, `round ${round}: the master index parses`);
    assert.deepEqual(check.report.undecodable, [], `round ${round}: no month object half-written`);
    assert.deepEqual(check.missingFromApi, [], `round ${round}: GET /v1/months lists every month built`);
    assert.deepEqual(check.wrongCounts, [], `round ${round}: every month holds all its profiles`);
    if (options.localDir) {
      assert.deepEqual(check.missingFromMaster, [], `round ${round}: the master lists every month (conditional writes)`);
      assert.deepEqual(check.leftovers, [], `round ${round}: no temp or lock file left`);
    }
  }
  return figures;
}

describe(`concurrent builders, ${ROUNDS} rounds`, () => {
  test('local store: two build-index processes per round', async (t) => {
    const fx = await startFixture(t, { months: MONTHS, perMonth: 8, seed: 31 });
    const figures = await rounds({
      t,
      fx,
      env: fx.env,
      // The first round through npm itself, the others through the command's file (faster).
      runner: (round) => (round === 1 ? 'npm' : 'cli'),
      store: createBlobStore({ location: fx.storeDir }),
      localDir: fx.storeDir,
      seed: 7,
    });
    await writeResult('concurrent-local', figures);
  });

  test('s3rver store: two builder processes per round, then one solo build', async (t) => {
    const s3 = await startRestartableS3({ buckets: ['argo-index'] });
    t.after(() => s3.dispose());
    const location = 's3://argo-index/rel';
    const fx = await startFixture(t, { months: MONTHS, perMonth: 8, seed: 32, env: s3.env(location) });
    const store = s3Store(location, s3.endpoint);
    const figures = await rounds({ t, fx, env: fx.env, runner: () => 'build-child', store, seed: 8 });
    const lostMasterUpdates = figures.reduce((n, f) => n + f.missingFromMaster.length, 0);

    // Solo: whatever the races dropped from the master, a single build writes it back.
    const solo = await concurrentRound({ env: fx.env, jobs: [['2023-03']], runner: 'build-child' });
    assert.equal(solo.children[0].code, 0, solo.children[0].stderr.slice(-1500));
    const built = new Map(MONTHS.filter((m) => figures.some((f) => f.jobs.flat().includes(m))).map((m) => [m, fx.gdac.countByMonth.get(m)!]));
    const check = await checkStore({ store, expected: built, app: await fx.app({}, { store }) });
    assert.deepEqual(check.missingFromMaster, [], 'after a solo build the master lists every month');
    assert.deepEqual(check.report.undecodable, []);
    await writeResult('concurrent-s3', { figures, lostMasterUpdates });
    t.diagnostic(`master updates lost to races (healed by the listing): ${lostMasterUpdates}`);
  });

  test('s3rver store: the backfill Job\'s slicing, four build-index --slice i/4 processes per round, then one solo build', async (t) => {
    const s3 = await startRestartableS3({ buckets: ['argo-index'] });
    t.after(() => s3.dispose());
    const location = 's3://argo-index/sliced';
    const fx = await startFixture(t, { months: MONTHS, perMonth: 8, seed: 33, env: s3.env(location) });
    const store = s3Store(location, s3.endpoint);
    const random = seededRandom(9);
    const expected = new Map(MONTHS.map((m) => [m, fx.gdac.countByMonth.get(m)!]));
    const figures: { round: number; ms: number; slices: string[][]; missingFromMaster: string[] }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      if (round > 1) touchIndex(fx, random, round);
      // The real command, as each completion of the Indexed Job runs it.
      const result = await slicedRound({ env: fx.env, start: MONTHS[0], end: MONTHS.at(-1)!, count: 4, timeoutMs: 180_000 });
      for (const child of result.children) {
        assert.equal(child.code, 0, `round ${round}: slice ${child.months.join(',')} exited ${child.code ?? child.signal}${child.timedOut ? ' (killed at its deadline)' : ''}: ${child.stderr.slice(-1500)}`);
      }
      const check = await checkStore({ store, expected, app: await fx.app({}, { store }) });
      figures.push({ round, ms: result.ms, slices: result.children.map((c) => c.months), missingFromMaster: check.missingFromMaster });
      t.diagnostic(`round ${round}: ${JSON.stringify(figures.at(-1))}`);
      assert.ok(check.report.masterOk, `round ${round}: the master index parses`);
      assert.deepEqual(check.report.undecodable, [], `round ${round}: no month object half-written`);
      assert.deepEqual(check.missingFromApi, [], `round ${round}: GET /v1/months lists every month of every slice`);
      assert.deepEqual(check.wrongCounts, [], `round ${round}: every month holds all its profiles`);
    }
    const solo = await concurrentRound({ env: fx.env, jobs: [[MONTHS[0]]], runner: 'cli' });
    assert.equal(solo.children[0].code, 0, solo.children[0].stderr.slice(-1500));
    const check = await checkStore({ store, expected, app: await fx.app({}, { store }) });
    assert.deepEqual(check.missingFromMaster, [], 'after a solo build the master lists every month');
    await writeResult('concurrent-s3-sliced', figures);
  });
});
