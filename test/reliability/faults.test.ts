/**
 * Fault injection, one fault of each kind (the fast subset; test-reliability/ runs the long ones):
 * the GDAC (test mirror) answering 5xx and 429 bursts, resetting connections, stalling past the
 * timeout, sending truncated and corrupt NetCDF files and a cut-short profile index; the index store
 * (s3rver) going away and coming back; a month object overwritten with garbage.
 *
 * What must hold (issue 8): builds retry what is transient, record what is not and never damage a
 * month already there; queries answer with a problem+json or an error line within a bound, never
 * crash the process, and once the fault clears the same query gives the same data as a clean
 * replica (nothing was cached from the failed read).
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { readMaster } from '../../src/month-index/master.js';
import { createBlobStore } from '../../src/storage/index.js';
import { within } from './kit/bounded.js';
import { buildMonths, getProfiles, inspectStore, s3Store, startFixture, type Fixture } from './kit/harness.js';
import { startRestartableS3 } from './kit/restartable-s3.js';
import { INDEX_PATH } from './kit/fixture-gdac.js';
import { answerOf, assertProblem } from './kit/problem.js';

const ALL = 'start=2023-01-01&end=2023-03-01&variables=TEMP,PSAL&depth=10,100,500,1000';
const FEB = 'start=2023-02-01&end=2023-03-01&variables=TEMP,PSAL,PRES';
/** A GDAC fault that outlasts every retry surfaces within ~3 s at the test timings (FAST_ENV). */
const ANSWER_BOUND_MS = 15_000;

async function builtFixture(t: TestContext): Promise<Fixture & { baseline: (q: string) => Promise<string> }> {
  const fx = await startFixture(t, { months: ['2023-01', '2023-02'], perMonth: 5 });
  const builder = await fx.app();
  const job = await buildMonths(builder, fx.gdac.months);
  assert.equal(job.status, 'succeeded', job.error);
  const baselines = new Map<string, string>();
  return {
    ...fx,
    // The answer of a clean replica (fresh caches, no fault): what "correct data" means here.
    async baseline(q) {
      if (!baselines.has(q)) {
        const r = await getProfiles(await fx.app(), q);
        assert.equal(r.status, 200);
        baselines.set(q, r.body);
      }
      return baselines.get(q)!;
    },
  };
}

/**
 * The months landed: the master index in the app's store names each with the fixture's profile
 * count, and the month object it points at is there (a job's results alone only say what the
 * builder meant to write).
 */
async function assertLanded(app: FastifyInstance, fx: Fixture, months: string[]): Promise<void> {
  const { store } = app;
  const { master } = await readMaster(store);
  assert.deepEqual(
    months.map((m) => [m, master.months[m]?.profiles, master.months[m]?.failed]),
    months.map((m) => [m, fx.gdac.countByMonth.get(m), 0]),
    'the master index names the months with their profiles',
  );
  for (const m of months) assert.ok(await store.get(master.months[m].key), `${m}: the month object is in the store`);
}

function errorLine(lines: Record<string, unknown>[]): { status: number; message: string } | undefined {
  const last = lines[lines.length - 1] as { error?: { status: number; message: string } } | undefined;
  return last?.error;
}

describe('GDAC faults during a build', () => {
  test('a 5xx burst is retried: the months are complete', async (t) => {
    const fx = await startFixture(t, { months: ['2023-01', '2023-02'], perMonth: 5 });
    // Three 503s and two 500s, fewer than the retries (3) of any one file even if one file takes them all.
    fx.mirror.setFault('dac/coriolis/**', { kind: 'status', status: 503, times: 3 });
    fx.mirror.setFault('dac/aoml/**', { kind: 'status', status: 500, times: 2 });
    const app = await fx.app();
    const job = await within(30_000, buildMonths(app, fx.gdac.months), 'build');
    assert.equal(job.status, 'succeeded');
    assert.deepEqual(
      job.results.map((r) => [r.month, r.profiles, r.failed]),
      fx.gdac.months.map((m) => [m, fx.gdac.countByMonth.get(m), 0]),
    );
    assert.ok(app.gdac.stats().retries >= 5, `retries: ${app.gdac.stats().retries}`);
    await assertLanded(app, fx, fx.gdac.months);
  });

  test('connection resets are retried: the months are complete', async (t) => {
    const fx = await startFixture(t, { months: ['2023-01'], perMonth: 5 });
    fx.mirror.setFault('dac/**', { kind: 'reset', times: 3 });
    const app = await fx.app();
    const job = await within(30_000, buildMonths(app, ['2023-01']), 'build');
    assert.equal(job.status, 'succeeded');
    assert.equal(job.results[0].profiles, 5);
    assert.equal(job.results[0].failed, 0);
    await assertLanded(app, fx, ['2023-01']);
  });

  test('a body cut short in transit (truncate) is retried', async (t) => {
    const fx = await startFixture(t, { months: ['2023-01'], perMonth: 5 });
    fx.mirror.setFault('dac/**', { kind: 'truncate', bytes: 100, times: 3 });
    const app = await fx.app();
    const job = await within(30_000, buildMonths(app, ['2023-01']), 'build');
    assert.equal(job.status, 'succeeded');
    assert.equal(job.results[0].profiles, 5);
    assert.equal(job.results[0].failed, 0);
    await assertLanded(app, fx, ['2023-01']);
  });

  test('a truncated and a corrupt NetCDF file are recorded, the rest indexed, and a rebuild heals them', async (t) => {
    const fx = await startFixture(t, { months: ['2023-01'], perMonth: 5 });
    const [short, bad] = fx.gdac.profiles;
    const original = fx.gdac.files.get(short.path)!;
    // Really short files (the mirror announces the short length: nothing to retry).
    fx.gdac.files.set(short.path, original.subarray(0, Math.floor(original.length / 3)));
    fx.mirror.setFault(bad.path, { kind: 'corrupt' });
    const app = await fx.app();
    const job = await within(30_000, buildMonths(app, ['2023-01']), 'build');
    assert.equal(job.status, 'succeeded');
    assert.equal(job.results[0].profiles, 3);
    assert.equal(job.results[0].failed, 2);
    const detail = await app.catalog.monthDetail('2023-01');
    assert.deepEqual(detail?.failures.map((f) => f.id).sort(), [short.id, bad.id].sort());
    for (const f of detail!.failures) assert.ok(f.reason.length > 0);

    // The fault clears: the next build fetches the failed files again (same date_update).
    fx.gdac.files.set(short.path, original);
    fx.mirror.clearFaults();
    const again = await within(30_000, buildMonths(app, ['2023-01']), 'rebuild');
    assert.equal(again.status, 'succeeded');
    assert.equal(again.results[0].profiles, 5);
    assert.equal(again.results[0].failed, 0);
    assert.equal(again.results[0].fetched, 2, 'only the two failed files are downloaded again');
  });

  test('a profile index cut short in transit fails the build and leaves the months as they were', async (t) => {
    const fx = await builtFixture(t);
    const store = createBlobStore({ location: fx.storeDir });
    const before = await inspectStore(store);
    const expected = await fx.baseline(ALL);
    fx.mirror.setFault(INDEX_PATH, { kind: 'truncate', bytes: Math.floor(fx.gdac.indexText.length / 2) });
    const app = await fx.app();
    const job = await within(30_000, buildMonths(app, fx.gdac.months), 'build');
    assert.equal(job.status, 'failed');
    assert.match(job.error ?? '', /index/i);
    const after = await inspectStore(store);
    assert.deepEqual([...after.objects], [...before.objects], 'no month object written or removed');
    assert.deepEqual(after.masterMonths, before.masterMonths);
    assert.equal((await getProfiles(app, ALL)).body, expected);

    fx.mirror.clearFaults();
    const again = await within(30_000, buildMonths(app, fx.gdac.months), 'rebuild');
    assert.equal(again.status, 'succeeded');
  });

  test(
    'a profile index cut short at the source (no length mismatch) does not empty a built month',
    async (t) => {
      const fx = await builtFixture(t);
      // The file itself ends in the middle of the February rows, mid-line, as a partial copy would.
      const text = fx.gdac.indexText;
      const cut = text.indexOf(fx.gdac.profiles.find((p) => p.month === '2023-02')!.id) + 20;
      fx.gdac.files.set(INDEX_PATH, new TextEncoder().encode(text.slice(0, cut)));
      const app = await fx.app();
      const job = await within(30_000, buildMonths(app, ['2023-02']), 'build');
      const months = await app.catalog.listMonths();
      const feb = months.find((m) => m.month === '2023-02');
      assert.equal(feb?.profiles, fx.gdac.countByMonth.get('2023-02'), `job ${job.status}: February now has ${feb?.profiles} profiles`);
    },
  );
});

describe('GDAC faults during a query', () => {
  test('5xx and 429 bursts are retried (Retry-After honoured): same data as a clean replica', async (t) => {
    const fx = await builtFixture(t);
    const expected = await fx.baseline(ALL);
    const app = await fx.app();
    fx.mirror.setFault('dac/coriolis/**', { kind: '429', retryAfterSeconds: 1, times: 2 });
    fx.mirror.setFault('dac/aoml/**', { kind: 'status', status: 502, times: 3 });
    const started = Date.now();
    const r = await within(ANSWER_BOUND_MS, getProfiles(app, ALL), 'query');
    assert.equal(r.status, 200);
    assert.equal(r.body, expected);
    assert.ok(Date.now() - started >= 900, 'the 1 s Retry-After was waited out');
  });

  test('a stall past the timeout is retried; a stall that does not clear ends the body with an error line, in bounded time', async (t) => {
    const fx = await builtFixture(t);
    const expected = await fx.baseline(ALL);
    const app = await fx.app();
    // Once: 3 s of silence (timeout 0.5 s), then the retry answers.
    fx.mirror.setFault('dac/**', { kind: 'stall', ms: 3000, times: 1 });
    const once = await within(ANSWER_BOUND_MS, getProfiles(app, ALL), 'query with one stall');
    assert.equal(once.status, 200);
    assert.equal(once.body, expected);

    // Forever, on one file, and after the headers of the body (a slow-loris mirror).
    const victim = fx.gdac.profiles.find((p) => p.month === '2023-02')!;
    fx.mirror.setFault(victim.path, { kind: 'stall', ms: 60_000, afterBytes: 4 });
    const app2 = await fx.app();
    const stalled = await within(ANSWER_BOUND_MS, getProfiles(app2, ALL), 'query with a stalled file');
    assert.equal(stalled.status, 200, 'the headers went out before the profile reads');
    assert.deepEqual(errorLine(stalled.lines), { status: 504, message: 'The Argo data source did not answer in time; try again later.' });
    assert.ok(stalled.lines.length < expected.split('\n').length, 'the body stops at the failed profile');

    // Cleared: the same replica answers in full (no failed read was cached).
    fx.mirror.clearFaults();
    const healed = await within(ANSWER_BOUND_MS, getProfiles(app2, ALL), 'query after the stall');
    assert.equal(healed.body, expected);
  });

  test('connection resets that outlast the retries end the body with a 502 error line; then it recovers', async (t) => {
    const fx = await builtFixture(t);
    const expected = await fx.baseline(FEB);
    const app = await fx.app();
    fx.mirror.setFault('dac/**', { kind: 'reset' });
    const r = await within(ANSWER_BOUND_MS, getProfiles(app, FEB), 'query');
    assert.equal(r.status, 200);
    assert.equal(errorLine(r.lines)?.status, 502);
    fx.mirror.clearFaults();
    assert.equal((await getProfiles(app, FEB)).body, expected);
  });

  test('a profile file replaced by a truncated one after the build gives an error line (json: error member, csv: # error line), then recovers', async (t) => {
    const fx = await builtFixture(t);
    const expected = await fx.baseline(FEB);
    const victim = fx.gdac.profiles.find((p) => p.month === '2023-02')!;
    const original = fx.gdac.files.get(victim.path)!;
    fx.gdac.files.set(victim.path, original.subarray(0, 2000));
    const app = await fx.app();
    const r = await within(ANSWER_BOUND_MS, getProfiles(app, FEB), 'ndjson query');
    assert.equal(r.status, 200);
    assert.equal(errorLine(r.lines)?.status, 502);
    const json = await within(ANSWER_BOUND_MS, getProfiles(app, `${FEB}&format=json`), 'json query');
    const parsed = JSON.parse(json.body) as { error?: { status: number } };
    assert.equal(parsed.error?.status, 502, 'the JSON body is complete and carries the error member');
    const csv = await within(ANSWER_BOUND_MS, getProfiles(app, `${FEB}&format=csv`), 'csv query');
    assert.match(csv.body.trimEnd().split('\n').pop()!, /^# error: 502 /, 'the CSV body ends with an error line');
    fx.gdac.files.set(victim.path, original);
    assert.equal((await getProfiles(app, FEB)).body, expected);
  });
});

describe('index store faults', () => {
  test('a month object overwritten with garbage: 502 problem for its month, other months fine, a rebuild heals it', async (t) => {
    const fx = await builtFixture(t);
    const expectedFeb = await fx.baseline(FEB);
    const expectedJan = await fx.baseline('start=2023-01-01&end=2023-02-01');
    const app = await fx.app();
    const feb = (await app.catalog.listMonths()).find((m) => m.month === '2023-02')!;
    const file = join(fx.storeDir, ...feb.key.split('/'));
    const good = await readFile(file);
    await writeFile(file, Buffer.from('garbage, not zstd at all'));

    const r = await within(ANSWER_BOUND_MS, getProfiles(app, FEB), 'query');
    assertProblem({ status: r.status, contentType: r.contentType, body: r.body }, { status: 502 });
    const detail = await app.inject({ method: 'GET', url: '/v1/months/2023-02' });
    assertProblem(answerOf(detail), { status: 502 }, 'GET /v1/months/2023-02');
    const list = await app.inject({ method: 'GET', url: '/v1/months' });
    assert.equal(list.statusCode, 200, 'the list comes from the master index: it still answers');
    assert.equal((await getProfiles(app, 'start=2023-01-01&end=2023-02-01')).body, expectedJan);

    // Nothing cached from the failed decode: the original bytes back, the same replica answers.
    await writeFile(file, good);
    assert.equal((await getProfiles(app, FEB)).body, expectedFeb);

    // Garbage again, and a rebuild: the builder cannot reuse it, rebuilds from the GDAC, moves on.
    await writeFile(file, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3]));
    const job = await within(30_000, buildMonths(app, ['2023-02']), 'rebuild');
    assert.equal(job.status, 'succeeded');
    assert.equal(job.results[0].profiles, fx.gdac.countByMonth.get('2023-02'));
    assert.equal((await getProfiles(app, FEB)).body, expectedFeb);
  });

  test('a corrupt master index: readers heal from the month listing, the next build rewrites it', async (t) => {
    const fx = await builtFixture(t);
    const expected = await fx.baseline(ALL);
    await writeFile(join(fx.storeDir, 'master_index.json'), '{"formatVersion": 1, "months": {"2023-0');
    const app = await fx.app();
    assert.equal((await getProfiles(app, ALL)).body, expected);
    const months = await app.catalog.listMonths();
    assert.deepEqual(months.map((m) => m.month), ['2023-01', '2023-02']);
    const job = await within(30_000, buildMonths(app, ['2023-01']), 'build');
    assert.equal(job.status, 'succeeded');
    const report = await inspectStore(createBlobStore({ location: fx.storeDir }));
    assert.ok(report.masterOk);
    assert.deepEqual(report.masterMonths, ['2023-01', '2023-02']);
  });
});

describe('index store unreachable (s3rver stopped, then restarted on the same port)', () => {
  test('queries, months and readiness answer 503 problems at once; a build fails and changes nothing; all recover', async (t) => {
    const s3 = await startRestartableS3({ buckets: ['argo-index'] });
    t.after(() => s3.dispose());
    const location = 's3://argo-index/v1';
    const fx = await startFixture(t, { months: ['2023-01', '2023-02'], perMonth: 4 });
    const app = await fx.app({}, { store: s3Store(location, s3.endpoint) });
    const job = await buildMonths(app, fx.gdac.months);
    assert.equal(job.status, 'succeeded', job.error);
    const clean = await fx.app({}, { store: s3Store(location, s3.endpoint) });
    const expected = (await getProfiles(clean, ALL)).body;
    const before = await inspectStore(s3Store(location, s3.endpoint));
    assert.equal(before.objects.size, 2);
    // s3rver cannot answer a truncated ListObjectsV2 on Node ≥ 17 (its continuation token uses DES,
    // gone from OpenSSL 3), so the store's ping (MaxKeys 1) fails there whenever the prefix holds
    // more than one object: compare /readyz with itself before the outage, not with 200.
    const readyBefore = (await app.inject({ method: 'GET', url: '/readyz' })).statusCode;

    await s3.stop();
    const q = await within(ANSWER_BOUND_MS, getProfiles(app, ALL), 'query, store down');
    assertProblem({ status: q.status, contentType: q.contentType, body: q.body }, { status: 503 }, 'query, store down');
    const ready = await within(ANSWER_BOUND_MS, app.inject({ method: 'GET', url: '/readyz' }), 'readyz');
    assert.equal(ready.statusCode, 503);
    const months = await within(ANSWER_BOUND_MS, app.inject({ method: 'GET', url: '/v1/months' }), 'months');
    assertProblem(answerOf(months), { status: 503 }, 'GET /v1/months, store down');
    const failed = await within(30_000, buildMonths(app, ['2023-02']), 'build, store down');
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', /index store/i);

    await s3.start();
    const healed = await within(ANSWER_BOUND_MS, getProfiles(app, ALL), 'query, store back');
    assert.equal(healed.status, 200);
    assert.equal(healed.body, expected, 'same data as before the outage: nothing cached from the failed reads');
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, readyBefore);
    const after = await inspectStore(s3Store(location, s3.endpoint));
    assert.deepEqual([...after.objects], [...before.objects], 'the failed build wrote nothing');
    assert.deepEqual(after.undecodable, []);
  });

  test(
    'an S3 index store configured from the environment (AWS keys) works',
    async (t) => {
      const s3 = await startRestartableS3({ buckets: ['argo-index'] });
      t.after(() => s3.dispose());
      const fx = await startFixture(t, { months: ['2023-01'], perMonth: 2, env: s3.env('s3://argo-index/v1') });
      const app = await fx.app();
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(ready.statusCode, 200, ready.body);
      const job = await buildMonths(app, ['2023-01']);
      assert.equal(job.status, 'succeeded', job.error);
      // Landed in the S3 store: a fresh store on the same bucket finds the month and its profiles.
      await assertLanded(app, fx, ['2023-01']);
      const replica = await fx.app();
      assert.deepEqual((await replica.catalog.listMonths()).map((m) => [m.month, m.profiles]), [['2023-01', 2]]);
      assert.equal(replica.store.description, app.store.description);
    },
  );
});
