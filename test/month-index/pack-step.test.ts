/**
 * The data pack step in the build pipeline (a fixture GDAC on the test mirror): a month built
 * before packs gains one at the next build (what `build-index --packs-only` runs), downloading
 * its files once; an incremental rebuild takes the rows of unchanged files from the previous
 * pack, downloading only the changed file; old packs are garbage-collected with their versions.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPackStep } from '../../src/month-index/build/pack-step.js';
import { buildMonths } from '../../src/month-index/builder.js';
import { listMonthObjects, readMaster } from '../../src/month-index/master.js';
import { PACKS_PREFIX, monthKeyOfPack } from '../../src/month-index/pack-keys.js';
import type { MonthPack } from '../../src/month-index/types.js';
import { openPack, readPackProfiles } from '../../src/pack/index.js';
import type { BlobStore } from '../../src/storage/types.js';
import { startGdacMirror } from '../kit/gdac-mirror.js';
import { INDEX_PATH, makeFixtureGdac } from '../reliability/kit/fixture-gdac.js';
import { localStore, silentLogger, testGdac } from './helpers.js';

/** Every row of a pack: id → levels. */
async function packRows(store: BlobStore, pack: MonthPack): Promise<Map<string, unknown>> {
  const opened = await openPack({
    size: pack.bytes,
    footerBytes: pack.footerBytes,
    readRange: async ({ offset, length }) => (await store.getRange(pack.key, { offset, length }))!,
  });
  const out = new Map<string, unknown>();
  for await (const p of readPackProfiles({ pack: opened, window: { start: -Infinity, end: Infinity } })) out.set(p.meta.id, p.levels);
  return out;
}

test('packs: added to months built before them, rows of unchanged files reused from the previous pack, old packs collected', async (t) => {
  const fx = makeFixtureGdac({ seed: 12, months: ['2023-01', '2023-02'], perMonth: 6 });
  const mirror = await startGdacMirror({ files: fx.files });
  t.after(() => mirror.stop());
  const { store } = await localStore(t);
  const gdac = testGdac(t, [mirror.url]);
  let clock = Date.parse('2024-01-01T00:00:00Z');
  const now = () => new Date((clock += 60_000));
  const steps = [createPackStep({ store, gdac, zstdLevel: 3 })];
  const build = (withPacks: boolean) =>
    buildMonths({ store, gdac, indexPath: INDEX_PATH, months: fx.months, logger: silentLogger, now, gcGraceMs: 0, ...(withPacks ? { steps } : {}) });
  const profileDownloads = () => [...mirror.stats.byPath.entries()].filter(([path]) => path.endsWith('.nc')).reduce((n, [, c]) => n + c, 0);

  // 1. Built before packs: no pack.
  await build(false);
  let { master } = await readMaster(store);
  for (const month of fx.months) assert.equal(master.months[month].pack, undefined);

  // 2. The next build with the step rewrites the unchanged months to add their packs.
  mirror.resetStats();
  const second = await build(true);
  for (const r of second.results) assert.equal(r.unchanged, undefined, `${r.month} rewritten`);
  ({ master } = await readMaster(store));
  const firstPacks = new Map<string, Map<string, unknown>>();
  for (const month of fx.months) {
    const pack = master.months[month].pack;
    assert.ok(pack, `${month} has a pack`);
    assert.equal(pack.rows, fx.countByMonth.get(month));
    firstPacks.set(month, await packRows(store, pack));
  }
  assert.equal(profileDownloads(), fx.profiles.length, 'each file downloaded once for the packs');

  // 3. A build with nothing changed writes nothing and downloads nothing.
  mirror.resetStats();
  const third = await build(true);
  for (const r of third.results) assert.equal(r.unchanged, true);
  assert.equal(profileDownloads(), 0);

  // 4. One file updated: only it is downloaded; the others' rows come from the previous pack.
  const changed = fx.profiles.find((p) => p.month === '2023-01')!;
  fx.files.set(INDEX_PATH, new TextEncoder().encode(fx.indexText.split('\n').map((line) => (line.startsWith(`${changed.id},`) ? line.replace(changed.dateUpdate, '20240301000000') : line)).join('\n')));
  mirror.resetStats();
  const fourth = await build(true);
  const jan = fourth.results.find((r) => r.month === '2023-01')!;
  assert.equal(jan.fetched, 1);
  assert.equal(jan.reused, fx.countByMonth.get('2023-01')! - 1);
  assert.equal(profileDownloads(), 1, 'only the changed file');
  ({ master } = await readMaster(store));
  const rows = await packRows(store, master.months['2023-01'].pack!);
  assert.deepEqual(rows, firstPacks.get('2023-01'), 'the same levels, reused rows and re-read row alike');

  // 5. Garbage collection: every pack left belongs to a month version still in the store, and
  // the current packs are there.
  const months = await listMonthObjects(store);
  const live = new Set([...months.values()].flat());
  const packs = (await store.list(PACKS_PREFIX)).map((o) => o.key);
  for (const key of packs) assert.ok(live.has(monthKeyOfPack(key)!), `${key} belongs to a live month version`);
  for (const month of fx.months) assert.ok(packs.includes(master.months[month].pack!.key));
  assert.ok(packs.length < 2 * 3, `old packs deleted (${packs.length} left)`);
});
