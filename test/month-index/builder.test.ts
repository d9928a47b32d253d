/**
 * Building month indexes from the shared GDAC sample, over HTTP (the test mirror), into a local
 * store: placement by JULD (checked against expected/reference.json), counts, failures,
 * incremental rebuilds (request counting), changed and replaced files, a failed index read, and
 * concurrent builders.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { GdacIndexError } from '../../src/errors.js';
import { createBuildService } from '../../src/month-index/build-service.js';
import { buildMonths } from '../../src/month-index/builder.js';
import { createMonthCatalog } from '../../src/month-index/catalog.js';
import { readMaster } from '../../src/month-index/master.js';
import { UNDATED_KEY } from '../../src/month-index/months.js';
import { readUndated } from '../../src/month-index/undated.js';
import type { MonthIndex } from '../../src/month-index/types.js';
import { createBlobStore } from '../../src/storage/index.js';
import { startGdacMirror } from '../kit/gdac-mirror.js';
import { skipWithoutShared } from '../kit/shared-sample.js';
import { checkAgainstReference, localStore, monthOfMs, silentLogger, snapshotStore, testGdac } from './helpers.js';
import { loadReference, referenceMonths } from '../kit/reference.js';

const INDEX = 'ar_index_global_prof.txt';

function indexRows(sampleDir: string): string[] {
  return readFileSync(join(sampleDir, INDEX), 'utf8').split('\n').filter((l) => l.length > 0 && !l.startsWith('#') && !l.startsWith('file,'));
}

test('shared sample over HTTP into a local store: placement, counts, incremental rebuilds', async (t) => {
  const sample = skipWithoutShared(t);
  if (!sample) return;
  const sampleReference = loadReference(sample);
  const reference = sampleReference.profiles;
  const months = referenceMonths(sampleReference);
  const overlay = new Map<string, Uint8Array>();
  const mirror = await startGdacMirror({ root: sample, files: overlay });
  t.after(() => mirror.stop());
  const gdac = testGdac(t, [mirror.url]);
  const { store } = await localStore(t);
  const build = (list = months) => buildMonths({ store, gdac, months: list, logger: silentLogger, gcGraceMs: 0 });
  const load = async (): Promise<Map<string, MonthIndex>> => {
    const catalog = createMonthCatalog({ store, monthCacheBytes: 64 << 20, masterTtlMs: 0 });
    const out = new Map<string, MonthIndex>();
    for (const m of await catalog.listMonths()) out.set(m.month, (await catalog.loadMonth(m.month))!);
    return out;
  };

  await t.test('first build: every core file where its JULD says, with the reference values', async () => {
    const outcome = await build();
    assert.equal(outcome.results.length, months.length);
    assert.equal(outcome.indexPath, INDEX, 'no .gz in the sample: the .txt is read');
    const built = await load();
    checkAgainstReference(reference, built);
    // Layouts keep the masking attributes the query needs (fill value, valid range).
    const psal = built.get('2018-03')!.layouts.flatMap((l) => (l.variables.PSAL ? [l.variables.PSAL] : []));
    assert.ok(psal.length > 0 && psal.every((v) => v.fillValue === 99999 && v.validMin === 2 && v.validMax === 41), JSON.stringify(psal));
    // Month counts match the index: every core row is listed or excluded in exactly one month.
    const coreRows = indexRows(sample).length;
    const listed = [...built.values()].reduce((s, m) => s + m.count + m.excluded.length, 0);
    assert.equal(listed, coreRows, 'every core file of the index is accounted for once');
    for (const [month, index] of built) {
      const expected = Object.values(reference).filter((p) => p.time_ms !== null && monthOfMs(p.time_ms) === month && p.latitude !== null).length;
      assert.equal(index.count, expected, `${month} profile count`);
      assert.equal(index.failures.length, 0, `${month} has no failures`);
    }
    assert.equal(outcome.results.reduce((s, r) => s + r.fetched, 0), coreRows, 'each file downloaded once');
    // The four kma files have no index date: placed by their JULD, and remembered.
    assert.equal(outcome.undated.candidates, 4);
    assert.equal(outcome.undated.fetched, 4);
    const registry = await readUndated(store);
    assert.deepEqual(registry.entries.get('kma/2901746/profiles/R2901746_001.nc'), { dateUpdate: '20150702072915', month: '2015-05' });
    // The master index lists them all.
    const { master } = await readMaster(store);
    assert.deepEqual(Object.keys(master.months).sort(), months);
    assert.equal(master.months['2023-04'].profiles, 3);
  });

  await t.test('second build downloads nothing but the index, and writes nothing', async () => {
    mirror.resetStats();
    const before = await snapshotStore(store);
    const outcome = await build();
    assert.deepEqual(await snapshotStore(store), before, 'every month unchanged: no new version, no master write');
    assert.ok(outcome.results.every((r) => r.unchanged));
    const paths = [...mirror.stats.byPath.keys()].sort();
    assert.deepEqual(paths, [INDEX, `${INDEX}.gz`], 'only the index (and the .gz probe) was requested');
    assert.equal(outcome.results.reduce((s, r) => s + r.fetched, 0), 0);
    assert.equal(outcome.results.reduce((s, r) => s + r.reused, 0), indexRows(sample).length);
    assert.equal(outcome.undated.fetched, 0, 'undated files placed from the registry');
    checkAgainstReference(reference, await load());
  });

  await t.test('a changed date_update refetches only that file', async () => {
    const id = 'aoml/5906072/profiles/D5906072_030.nc';
    const edited = readFileSync(join(sample, INDEX), 'utf8').replace(`${id},20201025122716,-29.717,-99.183,P,846,AO,20210824112712`, `${id},20201025122716,-29.717,-99.183,P,846,AO,20240101000000`);
    assert.ok(edited.includes('20240101000000'));
    overlay.set(INDEX, new Uint8Array(Buffer.from(edited)));
    mirror.resetStats();
    const outcome = await build();
    assert.deepEqual([...mirror.stats.byPath.keys()].sort(), [INDEX, `${INDEX}.gz`, `dac/${id}`]);
    const october = outcome.results.find((r) => r.month === '2020-10')!;
    assert.equal(october.fetched, 1);
    assert.equal(october.reused, 2);
    const built = await load();
    const m = built.get('2020-10')!;
    assert.equal(m.dateUpdate[m.id.indexOf(id)], '20240101000000');
  });

  await t.test('an R file replaced by its D file: the D file is fetched, the R file dropped', async () => {
    const rId = 'aoml/5906072/profiles/R5906072_116.nc';
    const dId = 'aoml/5906072/profiles/D5906072_116.nc';
    const text = new TextDecoder().decode(overlay.get(INDEX)!);
    overlay.set(INDEX, new Uint8Array(Buffer.from(text.replace(`${rId},20230304193130,-29.290,-99.476,P,846,AO,20230307200159`, `${dId},20230304193130,-29.290,-99.476,P,846,AO,20240301000000`))));
    overlay.set(`dac/${dId}`, new Uint8Array(readFileSync(join(sample, 'dac', rId))));
    mirror.resetStats();
    const outcome = await build(['2023-03']);
    const march = outcome.results[0];
    assert.deepEqual({ fetched: march.fetched, dropped: march.dropped, profiles: march.profiles }, { fetched: 1, dropped: 1, profiles: 1 });
    const m = (await load()).get('2023-03')!;
    assert.deepEqual(m.id, [dId]);
    overlay.clear();
  });

  await t.test('an undated file: changed, then failing, stays in its month as a failure; then comes back', async () => {
    const id = 'kma/2901746/profiles/R2901746_004.nc';
    const text = readFileSync(join(sample, INDEX), 'utf8');
    overlay.set(INDEX, new Uint8Array(Buffer.from(text.replace(`${id},,37.431,130.554,P,846,KM,20150702072915`, `${id},,37.431,130.554,P,846,KM,20240505000000`))));
    mirror.setFault(`dac/${id}`, { kind: 'status', status: 404 });
    const failing = await build(['2015-06']);
    assert.deepEqual(failing.undated.failures.map((f) => [f.id, f.dateUpdate]), [[id, '20240505000000']]);
    assert.equal(failing.results[0].failed, 1);
    assert.equal(failing.results[0].dropped, 0, 'not dropped from its month');
    let m = (await load()).get('2015-06')!;
    assert.deepEqual(m.failures.map((f) => f.id), [id]);
    mirror.clearFaults();
    const fixed = await build(['2015-06']);
    assert.deepEqual(fixed.undated, { candidates: 4, fetched: 1, failures: [] });
    m = (await load()).get('2015-06')!;
    assert.deepEqual(m.id, [id]);
    assert.equal(m.dateUpdate[0], '20240505000000');
    assert.equal(m.failures.length, 0);
    overlay.clear();
  });
});

test('corrupt, truncated and missing files are reported and skipped; the next build retries them', async (t) => {
  const sample = skipWithoutShared(t);
  if (!sample) return;
  const overlay = new Map<string, Uint8Array>();
  const mirror = await startGdacMirror({ root: sample, files: overlay });
  t.after(() => mirror.stop());
  const gdac = testGdac(t, [mirror.url]);
  const { store } = await localStore(t);
  const corrupt = 'coriolis/6903247/profiles/R6903247_371.nc';
  const missing = 'bodc/6901929/profiles/R6901929_190.nc';
  const truncated = 'coriolis/6903247/profiles/R6903247_371D.nc';
  const garbage = 'aoml/5906072/profiles/R5906072_121.nc';
  mirror.setFault(`dac/${corrupt}`, { kind: 'corrupt' });
  mirror.setFault(`dac/${missing}`, { kind: 'status', status: 404 });
  overlay.set(`dac/${truncated}`, new Uint8Array(readFileSync(join(sample, 'dac', truncated))).slice(0, 20000));
  overlay.set(`dac/${garbage}`, new Uint8Array(Buffer.from('<html>Not a NetCDF file</html>')));

  const first = await buildMonths({ store, gdac, months: ['2023-04'], logger: silentLogger });
  assert.deepEqual(first.results[0], { ...first.results[0], profiles: 0, failed: 4, fetched: 4, excluded: 0 });
  const catalog = createMonthCatalog({ store, monthCacheBytes: 1 << 20, masterTtlMs: 0 });
  const detail = (await catalog.monthDetail('2023-04'))!;
  assert.equal(detail.failed, 4);
  const reasons = Object.fromEntries(detail.failures.map((f) => [f.id, f.reason]));
  assert.equal(reasons[missing], 'not found on the GDAC (404)');
  // Not NetCDF at all (the magic is gone, or an HTML page): the download's answer check refuses it
  // on every attempt; the reason says so.
  assert.match(reasons[corrupt], /^GDAC download failed: .*failed after \d+ attempts: GDAC answered something that is not a NetCDF file/);
  assert.match(reasons[truncated], /not a readable NetCDF classic file.*too short|truncat/i);
  assert.match(reasons[garbage], /^GDAC download failed: .*not a NetCDF file \(30 bytes starting "<html>Not a NetCDF file/);
  assert.equal(detail.failures.find((f) => f.id === missing)?.dateUpdate, '20230422122530');
  assert.deepEqual((await catalog.listMonths()).map((m) => [m.month, m.profiles, m.failed]), [['2023-04', 0, 4]]);

  mirror.clearFaults();
  overlay.clear();
  mirror.resetStats();
  catalog.invalidate();
  const second = await buildMonths({ store, gdac, months: ['2023-04'], logger: silentLogger });
  assert.deepEqual(
    { fetched: second.results[0].fetched, failed: second.results[0].failed, profiles: second.results[0].profiles, excluded: second.results[0].excluded },
    { fetched: 4, failed: 0, profiles: 3, excluded: 1 },
  );
  assert.equal([...mirror.stats.byPath.keys()].filter((p) => p.startsWith('dac/')).length, 4, 'only the failed files were downloaded again');
  assert.equal((await catalog.monthDetail('2023-04'))!.failures.length, 0);
});

test('a build that cannot read the GDAC index changes nothing', async (t) => {
  const sample = skipWithoutShared(t);
  if (!sample) return;
  const mirror = await startGdacMirror({ root: sample });
  t.after(() => mirror.stop());
  const gdac = testGdac(t, [mirror.url]);
  const { store } = await localStore(t);
  await buildMonths({ store, gdac, months: ['2023-04', '2018-02'], logger: silentLogger });
  // One broken download of the index is read again.
  mirror.setFault('ar_index_global_prof.txt', { kind: 'truncate', bytes: 3000, times: 1 });
  const retried = await buildMonths({ store, gdac, months: ['2023-04', '2018-02'], logger: silentLogger });
  assert.ok(retried.results.every((r) => r.unchanged));
  const before = await snapshotStore(store);
  assert.ok(before.size >= 4);

  mirror.setFault('ar_index_global_prof.txt*', { kind: 'status', status: 503 });
  await assert.rejects(buildMonths({ store, gdac, months: ['2023-04', '2019-01'], logger: silentLogger }), GdacIndexError);
  mirror.setFault('ar_index_global_prof.txt', { kind: 'truncate', bytes: 3000 });
  mirror.setFault('ar_index_global_prof.txt.gz', { kind: 'status', status: 404 });
  await assert.rejects(buildMonths({ store, gdac, months: ['2023-04'], logger: silentLogger }), GdacIndexError, 'cut mid-stream');
  assert.deepEqual(await snapshotStore(store), before, 'store untouched');

  // The same through a build job: it fails, says why, and the months stay as they were.
  const catalog = createMonthCatalog({ store, monthCacheBytes: 1 << 20, masterTtlMs: 60_000 });
  const builds = createBuildService({ store, gdac, catalog, logger: silentLogger });
  t.after(() => builds.close());
  const job = await builds.wait(builds.submit({ months: ['2023-04'] }).id);
  assert.equal(job.status, 'failed');
  assert.match(job.error ?? '', /GDAC profile index could not be read/);
  assert.deepEqual(await snapshotStore(store), before);
  assert.deepEqual((await catalog.listMonths()).map((m) => m.month), ['2018-02', '2023-04']);
});

test('concurrent builders of different months on one local store dir: no month is lost', async (t) => {
  const sample = skipWithoutShared(t);
  if (!sample) return;
  const months = referenceMonths(loadReference(sample));
  const mirror = await startGdacMirror({ root: sample });
  t.after(() => mirror.stop());
  const { dir } = await localStore(t);
  // Two processes' worth of state: each its own store instance, GDAC source, catalog and jobs.
  const services = [0, 1].map(() => {
    const store = createBlobStore({ location: dir });
    const catalog = createMonthCatalog({ store, monthCacheBytes: 1 << 20, masterTtlMs: 60_000 });
    const builds = createBuildService({ store, gdac: testGdac(t, [mirror.url]), catalog, logger: silentLogger, masterBackoffMs: 2 });
    t.after(() => builds.close());
    return { store, catalog, builds };
  });
  const halves = [months.filter((_, i) => i % 2 === 0), months.filter((_, i) => i % 2 === 1)];
  const jobs = await Promise.all(services.map((s, i) => s.builds.wait(s.builds.submit({ months: halves[i] }).id)));
  assert.deepEqual(jobs.map((j) => j.status), ['succeeded', 'succeeded']);
  const { master } = await readMaster(services[0].store);
  assert.deepEqual(Object.keys(master.months).sort(), months, 'the master index holds both builders’ months');
  for (const s of services) assert.deepEqual((await s.catalog.listMonths()).map((m) => m.month), months);
  assert.ok(await services[1].store.get(UNDATED_KEY), 'undated registry written');
});
