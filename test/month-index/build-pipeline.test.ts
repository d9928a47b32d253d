/**
 * The build pipeline's guarantees that need no shared sample (a fixture GDAC on the test mirror):
 * an index with no rows for a built month is refused; a build is cancelled promptly, mid index
 * pass or mid months, without publishing a partial month; a build of many files prints no process
 * warning; and a month step added to the pipeline publishes its objects with the month.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { AbortedError } from '../../src/errors.js';
import { buildMonths, type MonthStep } from '../../src/month-index/builder.js';
import { createBuildService } from '../../src/month-index/build-service.js';
import { createMonthCatalog } from '../../src/month-index/catalog.js';
import { decodeMonthIndex } from '../../src/month-index/codec.js';
import { listMonthObjects, readMaster } from '../../src/month-index/master.js';
import type { BuildJob } from '../../src/month-index/types.js';
import type { BlobStore } from '../../src/storage/types.js';
import { startGdacMirror, type GdacMirror } from '../kit/gdac-mirror.js';
import { within } from '../reliability/kit/bounded.js';
import { INDEX_PATH, indexWith, makeFixtureGdac, type FixtureGdac } from '../reliability/kit/fixture-gdac.js';
import { localStore, silentLogger, snapshotStore, testGdac } from './helpers.js';

async function setup(t: TestContext, options: { months: string[]; perMonth: number; latencyMs?: number }): Promise<{ fx: FixtureGdac; mirror: GdacMirror; store: BlobStore }> {
  const fx = makeFixtureGdac({ seed: 5, months: options.months, perMonth: options.perMonth });
  const mirror = await startGdacMirror({ files: fx.files, latencyMs: options.latencyMs ?? 0 });
  t.after(() => mirror.stop());
  const { store } = await localStore(t);
  return { fx, mirror, store };
}

/** Every month object in the store, decoded: month → profile counts of its versions. */
async function monthVersions(store: BlobStore): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const [month, keys] of await listMonthObjects(store)) {
    const counts: number[] = [];
    for (const key of keys) counts.push((await decodeMonthIndex((await store.get(key))!.body, { key })).count);
    out.set(month, counts);
  }
  return out;
}

test('an index with no rows for a built month (only its header) is refused whatever the month’s size, unless allowed', async (t) => {
  const { fx, mirror, store } = await setup(t, { months: ['2023-01', '2023-02'], perMonth: 3 });
  const source = testGdac(t, [mirror.url]);
  const build = (allowShrink?: boolean) => buildMonths({ store, gdac: source, indexPath: INDEX_PATH, months: fx.months, logger: silentLogger, allowShrink });
  await build();
  const before = await snapshotStore(store);

  fx.files.set(INDEX_PATH, indexWith(fx, () => false));
  const refused = await build();
  assert.deepEqual(
    refused.results.map((r) => [r.month, r.profiles, r.dropped, r.refused]),
    fx.months.map((m) => [m, 3, 3, 'the GDAC index lists no file for this month, which holds 3 profiles; the existing version is kept (allow it with --allow-shrink)']),
  );
  assert.deepEqual(await snapshotStore(store), before, 'nothing written');

  // Through a build job: failed, saying why; the months still serve their profiles.
  const catalog = createMonthCatalog({ store, monthCacheBytes: 1 << 20, masterTtlMs: 0 });
  const builds = createBuildService({ store, gdac: source, catalog, indexPath: INDEX_PATH, logger: silentLogger });
  t.after(() => builds.close());
  const job = await builds.wait(builds.submit({ months: ['2023-01'] }).id);
  assert.equal(job.status, 'failed');
  assert.match(job.error ?? '', /2023-01 \(the GDAC index lists no file for this month/);
  assert.deepEqual((await catalog.listMonths()).map((m) => [m.month, m.profiles]), [['2023-01', 3], ['2023-02', 3]]);

  const allowed = await builds.wait(builds.submit({ months: ['2023-01'], allowShrink: true }).id);
  assert.equal(allowed.status, 'succeeded');
  assert.deepEqual(allowed.results.map((r) => [r.month, r.profiles, r.dropped]), [['2023-01', 0, 3]]);
  assert.equal((await readMaster(store)).master.months['2023-01'].profiles, 0);
});

test('a build is cancelled mid index pass: AbortedError at once, nothing written', async (t) => {
  const { fx, mirror, store } = await setup(t, { months: ['2023-01'], perMonth: 3 });
  const gdac = testGdac(t, [mirror.url]);
  await buildMonths({ store, gdac, indexPath: INDEX_PATH, months: fx.months, logger: silentLogger });
  const before = await snapshotStore(store);
  // The index sends its first bytes, then nothing for a minute (the read's idle timeout is 5 s).
  mirror.setFault(INDEX_PATH, { kind: 'stall', ms: 60_000, afterBytes: 200 });
  const controller = new AbortController();
  const build = buildMonths({ store, gdac, indexPath: INDEX_PATH, months: fx.months, logger: silentLogger, signal: controller.signal });
  while (!mirror.stats.byPath.has(INDEX_PATH) || mirror.stats.bytes === 0) await new Promise((r) => setTimeout(r, 5));
  controller.abort(new Error('cancelled by the test'));
  await assert.rejects(within(4000, build, 'aborted build'), AbortedError);
  assert.deepEqual(await snapshotStore(store), before);
});

test('cancelling a running job keeps the months it finished, publishes no partial month, leaves the rest as they were', async (t) => {
  const months = ['2023-01', '2023-02', '2023-03', '2023-04', '2023-05', '2023-06', '2023-07', '2023-08'];
  const { fx, mirror, store } = await setup(t, { months, perMonth: 12, latencyMs: 15 });
  const catalog = createMonthCatalog({ store, monthCacheBytes: 1 << 20, masterTtlMs: 0 });
  const builds = createBuildService({ store, gdac: testGdac(t, [mirror.url], 4), catalog, indexPath: INDEX_PATH, logger: silentLogger, downloadWorkers: 4 });
  t.after(() => builds.close());
  const first = await builds.wait(builds.submit({ months: months.slice(0, 2) }).id);
  assert.equal(first.status, 'succeeded');
  const keptKeys = first.results.map((r) => r.key);

  const running = builds.submit({ months: months.slice(2) });
  const queued = builds.submit({ months: months.slice(0, 1) });
  // Cancel once the first month of the running job is out.
  await new Promise<void>((resolve) => {
    const stop = builds.subscribe((event) => {
      if (event.type === 'month' && event.job.id === running.id) {
        stop();
        resolve();
      }
    });
  });
  assert.equal(builds.cancel(running.id), 'running');
  assert.equal(builds.cancel(queued.id), 'queued');
  const [stopped, never] = await Promise.all([within(10_000, builds.wait(running.id), 'cancelled job'), builds.wait(queued.id)]);
  assert.equal(stopped.status, 'cancelled');
  assert.match(stopped.error ?? '', /cancelled; months it finished are kept/);
  assert.ok(stopped.results.length >= 1 && stopped.results.length < 6, `${stopped.results.length} months finished before the cancel took effect`);
  assert.equal(never.status, 'cancelled');
  assert.equal(never.error, 'The build was cancelled before it started; nothing was changed.');
  assert.equal(never.startedAt, undefined, 'the queued job never ran');
  assert.equal(builds.cancel(running.id), 'finished');
  assert.equal(builds.cancel('no-such-job'), undefined);

  // Every month object in the store is whole; the months the job did not finish have none.
  const versions = await monthVersions(store);
  for (const [month, counts] of versions) for (const count of counts) assert.equal(count, fx.countByMonth.get(month), `${month}: a whole month`);
  const finished = stopped.results.map((r) => r.month);
  assert.deepEqual([...versions.keys()].sort(), [...months.slice(0, 2), ...finished].sort(), 'no month but the finished ones was written');
  const listed = await catalog.listMonths();
  assert.deepEqual(listed.map((m) => [m.month, m.profiles]), [...months.slice(0, 2), ...finished].sort().map((m) => [m, fx.countByMonth.get(m)]));
  assert.deepEqual(listed.slice(0, 2).map((m) => m.key), keptKeys, 'the months built before are untouched');

  // list(): newest first, every job of this service.
  assert.deepEqual(builds.list().map((j: BuildJob) => j.id), [queued.id, running.id, first.id]);
  assert.deepEqual(builds.list({ limit: 1 }).map((j) => j.id), [queued.id]);
});

test('a build of many files prints no process warning (one abort listener per signal)', async (t) => {
  const { fx, mirror, store } = await setup(t, { months: ['2023-01', '2023-02', '2023-03'], perMonth: 40, latencyMs: 2 });
  const warnings: Error[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning);
  process.on('warning', onWarning);
  t.after(() => process.off('warning', onWarning));
  const controller = new AbortController();
  const outcome = await buildMonths({ store, gdac: testGdac(t, [mirror.url], 8), indexPath: INDEX_PATH, months: fx.months, logger: silentLogger, concurrency: 8, signal: controller.signal });
  assert.deepEqual(outcome.results.map((r) => r.profiles), [40, 40, 40]);
  // Warnings are emitted on the next tick.
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(warnings.map((w) => `${w.name}: ${w.message}`), []);
});

test('a month step added to the pipeline sees every file and publishes its object with the month', async (t) => {
  const { fx, mirror, store } = await setup(t, { months: ['2023-01', '2023-02'], perMonth: 4 });
  const gdac = testGdac(t, [mirror.url]);
  const seen: { month: string; id: string; source: string; bytes: number; placement: string }[] = [];
  const sidecar: MonthStep = {
    name: 'sidecar',
    start: ({ month }) => ({
      file: (file) => void seen.push({ month, id: file.id, source: file.source, bytes: file.bytes?.length ?? 0, placement: file.placement }),
      finish: async (assembled, version) => {
        const key = version.key.replace(/\.json\.zst$/, '.sidecar.txt');
        return {
          objects: [{ key, body: new Uint8Array(Buffer.from(assembled.profiles.map((p) => p.id).join('\n'))), contentType: 'text/plain' }],
          summary: { sidecar: key } as object,
        };
      },
    }),
  };
  const first = await buildMonths({ store, gdac, indexPath: INDEX_PATH, months: fx.months, logger: silentLogger, steps: [sidecar] });
  assert.equal(seen.length, 8);
  assert.ok(seen.every((s) => s.source === 'fetched' && s.placement === 'profile' && s.bytes > 0), 'read files come with their bytes');
  const { master } = await readMaster(store);
  for (const result of first.results) {
    const entry = master.months[result.month] as unknown as { key: string; sidecar: string };
    assert.equal(entry.key, result.key);
    const object = await store.get(entry.sidecar);
    assert.ok(object, `${entry.sidecar} written`);
    assert.equal(Buffer.from(object.body).toString().split('\n').length, 4);
  }
  // Unchanged months write nothing, and the step sees the reused files without bytes.
  seen.length = 0;
  const again = await buildMonths({ store, gdac, indexPath: INDEX_PATH, months: fx.months, logger: silentLogger, steps: [sidecar] });
  assert.ok(again.results.every((r) => r.unchanged));
  assert.ok(seen.length === 8 && seen.every((s) => s.source === 'reused' && s.bytes === 0));
});

test('a build that gets an HTML page for a file retries it as an upstream fault and indexes the real file', async (t) => {
  const { fx, mirror, store } = await setup(t, { months: ['2023-01'], perMonth: 3 });
  const source = testGdac(t, [mirror.url]);
  const [first] = [...fx.files.keys()].filter((p) => p.startsWith('dac/')).sort();
  // A proxy's error page, once: a NetCDF download must not take it for a broken file.
  mirror.setFault(first, { kind: 'html', bytes: 4096, times: 1 });
  const job = await buildMonths({ store, gdac: source, indexPath: INDEX_PATH, months: fx.months, logger: silentLogger });
  assert.deepEqual(
    job.results.map((r) => [r.month, r.profiles, r.failed]),
    [['2023-01', 3, 0]],
    'the page was retried, not recorded as "not a readable NetCDF file"',
  );
  assert.equal(mirror.stats.byPath.get(first), 2, 'the page, then the file');
});
