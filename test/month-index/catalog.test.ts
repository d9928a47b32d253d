/**
 * The month catalog: master TTL and invalidate, single-flight month loads, the byte-bounded LRU,
 * nothing cached from a failed read, healing from the month listing, and the master index's
 * read-modify-write under concurrent writers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StoreError } from '../../src/errors.js';
import { encodeMonthIndex, type MonthIndexContent, type ProfileEntry } from '../../src/month-index/codec.js';
import { createMonthCatalog } from '../../src/month-index/catalog.js';
import { readMaster, serializeMaster, setMonth, updateMaster } from '../../src/month-index/master.js';
import { MASTER_KEY, monthStartMs, newMonthKey } from '../../src/month-index/months.js';
import type { MonthSummary } from '../../src/month-index/types.js';
import { createBlobStore } from '../../src/storage/index.js';
import type { BlobStore } from '../../src/storage/types.js';
import { countingStore, localStore } from './helpers.js';

function entry(month: string, i: number): ProfileEntry {
  return {
    id: `aoml/19000${i % 10}/profiles/R19000${i % 10}_${String(i).padStart(3, '0')}.nc`,
    platform: `19000${i % 10}`,
    cycle: i,
    direction: 'A',
    dataMode: 'R',
    timeMs: monthStartMs(month) + i * 60_000,
    latitude: 10 + i / 100,
    longitude: -30 - i / 100,
    positionQc: '1',
    juldQc: '1',
    dateUpdate: '20240101000000',
    size: 20000,
    base: 12000,
    layout: { nLevels: 70, variables: { PRES: { type: 'float', rel: 0, length: 280 } } },
  };
}

/** Writes a month object and points the master at it (as a builder would). */
async function writeMonth(store: BlobStore, month: string, n: number, at = new Date(), updateMasterToo = true): Promise<MonthSummary> {
  const key = newMonthKey(month, at);
  const content: MonthIndexContent = {
    month,
    builtAt: at.toISOString(),
    source: 'test',
    key,
    profiles: Array.from({ length: n }, (_, i) => entry(month, i)),
    failures: [{ id: 'aoml/1/profiles/R1_001.nc', reason: 'not found on the GDAC (404)', dateUpdate: '20240101000000' }],
    excluded: [],
    outside: [],
    counts: { reused: 0, fetched: n, failed: 1, dropped: 0, excluded: 0 },
  };
  await store.put(key, await encodeMonthIndex(content));
  const summary: MonthSummary = {
    month,
    profiles: n,
    start: n ? new Date(monthStartMs(month)).toISOString() : null,
    end: n ? new Date(monthStartMs(month) + (n - 1) * 60_000).toISOString() : null,
    builtAt: at.toISOString(),
    failed: 1,
    key,
  };
  if (updateMasterToo) await updateMaster({ store, mutate: (m) => setMonth(m, summary) });
  return summary;
}

test('master cached for its TTL, refreshed after it or after invalidate()', async (t) => {
  const { store: inner } = await localStore(t);
  const store = countingStore(inner);
  let now = 0;
  const catalog = createMonthCatalog({ store, monthCacheBytes: 1 << 20, masterTtlMs: 1000, now: () => now });
  assert.deepEqual(await catalog.listMonths(), []);
  await writeMonth(inner, '2024-01', 3);
  assert.deepEqual(await catalog.listMonths(), [], 'within the TTL: the cached (empty) list');
  now = 1500;
  assert.deepEqual((await catalog.listMonths()).map((m) => [m.month, m.profiles, m.failed]), [['2024-01', 3, 1]]);
  await writeMonth(inner, '2024-02', 2);
  const gets = store.counts.get;
  await catalog.listMonths();
  assert.equal(store.counts.get, gets, 'cached: no store read');
  catalog.invalidate();
  assert.deepEqual((await catalog.listMonths()).map((m) => m.month), ['2024-01', '2024-02']);
  assert.equal(await catalog.loadMonth('2023-12'), undefined);
  assert.equal(await catalog.monthDetail('2023-12'), undefined);
  const detail = (await catalog.monthDetail('2024-01'))!;
  assert.equal(detail.profiles, 3);
  assert.equal(detail.failures[0].reason, 'not found on the GDAC (404)');
  assert.equal(detail.source, 'test');
});

test('concurrent loads of a month read it once; the LRU is bounded in bytes', async (t) => {
  const { store: inner } = await localStore(t);
  const store = countingStore(inner);
  for (const m of ['2024-01', '2024-02', '2024-03']) await writeMonth(inner, m, 400);
  const probe = createMonthCatalog({ store: inner, monthCacheBytes: 1 << 30, masterTtlMs: 60_000 });
  const size = (await probe.loadMonth('2024-01'))!.byteSize;

  // Room for two months, not three.
  const catalog = createMonthCatalog({ store, monthCacheBytes: Math.floor(size * 2.5), masterTtlMs: 60_000 });
  await catalog.listMonths();
  const before = store.counts.get;
  const loads = await Promise.all(Array.from({ length: 10 }, () => catalog.loadMonth('2024-01')));
  assert.equal(store.counts.get - before, 1, 'ten concurrent loads, one read');
  assert.ok(loads.every((l) => l === loads[0] && l!.count === 400));
  await catalog.loadMonth('2024-02');
  await catalog.loadMonth('2024-03');
  assert.equal(catalog.stats().cachedMonths, 2, 'the oldest month was evicted');
  assert.ok(catalog.stats().cachedBytes <= size * 2.5);
  const reads = store.counts.get;
  await catalog.loadMonth('2024-03');
  assert.equal(store.counts.get, reads, 'a cached month costs no read');
  await catalog.loadMonth('2024-01');
  assert.equal(store.counts.get, reads + 1, 'an evicted month is read again');
});

test('a failed read caches nothing: the next call reads again (a transient failure is retried)', async (t) => {
  const { store: inner } = await localStore(t);
  const store = countingStore(inner);
  await writeMonth(inner, '2024-01', 5);
  const catalog = createMonthCatalog({ store, monthCacheBytes: 1 << 20, masterTtlMs: 60_000 });
  store.failGets(/master_index/, 100);
  await assert.rejects(catalog.listMonths(), StoreError, 'retried reads still fail');
  store.failGets(/master_index/, 0);
  assert.deepEqual((await catalog.listMonths()).map((m) => m.month), ['2024-01'], 'the failure was not cached');
  store.failGets(/^months\//, 100);
  await assert.rejects(catalog.loadMonth('2024-01'), StoreError);
  store.failGets(/^months\//, 0);
  assert.equal(catalog.stats().cachedMonths, 0);
  assert.equal((await catalog.loadMonth('2024-01'))!.count, 5);
  // One failed read in three attempts is absorbed by the retry.
  catalog.invalidate();
  store.failGets(/master_index/, 1);
  assert.deepEqual((await catalog.listMonths()).map((m) => m.month), ['2024-01']);
});

test('readers heal: months missing from (or older in) the master come from the listing', async (t) => {
  const { store } = await localStore(t);
  await writeMonth(store, '2024-01', 4, new Date('2024-02-01T00:00:00Z'));
  const newer = await writeMonth(store, '2024-01', 6, new Date('2024-02-02T00:00:00Z'), false);
  const lost = await writeMonth(store, '2024-02', 2, new Date('2024-03-01T00:00:00Z'), false);
  const catalog = createMonthCatalog({ store, monthCacheBytes: 1 << 20, masterTtlMs: 0 });
  const listed = await catalog.listMonths();
  assert.deepEqual(listed, [newer, lost]);
  assert.equal((await catalog.loadMonth('2024-01'))!.count, 6);

  // An unreadable newest version is skipped (the older one stands); a corrupt master is ignored.
  await store.put(newMonthKey('2024-02', new Date('2024-03-05T00:00:00Z')), new Uint8Array([1, 2, 3]));
  await store.put(MASTER_KEY, new Uint8Array(Buffer.from('{not json')));
  assert.deepEqual(await catalog.listMonths(), [newer, lost]);
});

test('a month object deleted under a cached master: the catalog refreshes and retries', async (t) => {
  const { store } = await localStore(t);
  const first = await writeMonth(store, '2024-01', 4, new Date('2024-02-01T00:00:00Z'));
  const catalog = createMonthCatalog({ store, monthCacheBytes: 1 << 20, masterTtlMs: 60_000 });
  await catalog.listMonths();
  await writeMonth(store, '2024-01', 7, new Date('2024-02-02T00:00:00Z'));
  await store.delete(first.key);
  assert.equal((await catalog.loadMonth('2024-01'))!.count, 7);
});

test('master read-modify-write: 20 concurrent writers on one local store lose nothing', async (t) => {
  const { dir } = await localStore(t);
  const months = Array.from({ length: 20 }, (_, i) => `2020-${String((i % 12) + 1).padStart(2, '0')}`.replace(/^2020/, String(2000 + Math.floor(i / 12))));
  await Promise.all(
    months.map(async (month, i) => {
      // Each writer its own store instance: the lock files, not one process's mutex, keep them apart.
      const store = createBlobStore({ location: dir });
      const summary: MonthSummary = { month, profiles: i, start: null, end: null, builtAt: new Date().toISOString(), failed: 0, key: newMonthKey(month, new Date()) };
      await updateMaster({ store, mutate: (m) => setMonth(m, summary), backoffMs: 2 });
    }),
  );
  const { master } = await readMaster(createBlobStore({ location: dir }));
  assert.deepEqual(Object.keys(master.months).sort(), [...months].sort());
});

test('a master entry only moves to a newer version', () => {
  const master = { formatVersion: 1, updatedAt: '', months: {} as Record<string, MonthSummary> };
  const older: MonthSummary = { month: '2024-01', profiles: 1, start: null, end: null, builtAt: '', failed: 0, key: newMonthKey('2024-01', new Date('2024-02-01T00:00:00Z')) };
  const newer = { ...older, profiles: 2, key: newMonthKey('2024-01', new Date('2024-02-02T00:00:00Z')) };
  assert.equal(setMonth(master, newer), true);
  assert.equal(setMonth(master, older), false);
  assert.equal(master.months['2024-01'].profiles, 2);
  assert.ok(serializeMaster(master).length > 0);
});

test('a month object missing from the store: that month unavailable (reported, logged once), the others served; a rebuild heals it', async (t) => {
  const { store: inner } = await localStore(t);
  const store = countingStore(inner);
  await writeMonth(inner, '2024-01', 3);
  const lost = await writeMonth(inner, '2024-02', 4);
  await inner.delete(lost.key);
  const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
  const logger = { warn: (obj: object, msg?: string) => void warnings.push({ obj: obj as Record<string, unknown>, msg: msg ?? '' }), debug() {}, error() {} };
  const catalog = createMonthCatalog({ store, monthCacheBytes: 1 << 20, masterTtlMs: 60_000, logger: logger as never });

  // Before: a StoreError (503 for every window touching the month).
  assert.equal(await catalog.loadMonth('2024-02'), undefined);
  assert.equal((await catalog.loadMonth('2024-01'))!.count, 3);
  assert.deepEqual((await catalog.unavailableMonths!()).map((u) => [u.month, u.key]), [['2024-02', lost.key]]);
  assert.deepEqual((await catalog.listMonths()).map((m) => m.month), ['2024-01'], 'not listed as built');
  assert.equal(await catalog.monthDetail('2024-02'), undefined);
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0].obj.month, '2024-02');
  assert.match(warnings[0].msg, /missing from the index store.*until it is rebuilt/);

  // Known missing: one small re-check per load, no master refresh, no new warning.
  const gets = store.counts.get;
  assert.equal(await catalog.loadMonth('2024-02'), undefined);
  assert.equal(store.counts.get - gets, 1);
  assert.equal(warnings.length, 1);

  // A rebuild writes a new version and the builder invalidates: served again, no longer reported.
  await writeMonth(inner, '2024-02', 5, new Date(Date.now() + 1000));
  catalog.invalidate();
  assert.equal((await catalog.loadMonth('2024-02'))!.count, 5);
  assert.deepEqual(await catalog.unavailableMonths!(), []);
  assert.deepEqual((await catalog.listMonths()).map((m) => m.month), ['2024-01', '2024-02']);
});
