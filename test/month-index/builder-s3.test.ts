/**
 * The same builds into an S3 index store (s3rver, which ignores If-Match): placement, incremental
 * rebuilds, concurrent builders (readers heal from the month listing, so no month is ever lost),
 * and conservative garbage collection of old month versions.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildMonths } from '../../src/month-index/builder.js';
import { createBuildService } from '../../src/month-index/build-service.js';
import { createMonthCatalog } from '../../src/month-index/catalog.js';
import { listMonthObjects, readMaster, serializeMaster } from '../../src/month-index/master.js';
import { MASTER_KEY } from '../../src/month-index/months.js';
import type { MonthIndex } from '../../src/month-index/types.js';
import { createBlobStore } from '../../src/storage/index.js';
import { startGdacMirror } from '../kit/gdac-mirror.js';
import { startS3Server } from '../kit/s3-server.js';
import { skipWithoutShared } from '../kit/shared-sample.js';
import { checkAgainstReference, silentLogger, testGdac } from './helpers.js';
import { loadReference, referenceMonths } from '../kit/reference.js';

test('shared sample over HTTP into s3rver', async (t) => {
  const sample = skipWithoutShared(t);
  if (!sample) return;
  const sampleReference = loadReference(sample);
  const reference = sampleReference.profiles;
  const months = referenceMonths(sampleReference);
  const overlay = new Map<string, Uint8Array>();
  const mirror = await startGdacMirror({ root: sample, files: overlay });
  const indexText = readFileSync(join(sample, 'ar_index_global_prof.txt'), 'utf8');
  /** Serves the index with every date_update set to `stamp`: every file looks changed. */
  const touchAll = (stamp: string): void => {
    overlay.set('ar_index_global_prof.txt', new Uint8Array(Buffer.from(indexText.replace(/,\d{14}$/gm, `,${stamp}`))));
  };
  t.after(() => mirror.stop());
  const s3 = await startS3Server({ buckets: ['argo-index'] });
  t.after(() => s3.stop());
  const newStore = (prefix = 'v1') => createBlobStore({ location: `s3://argo-index/${prefix}`, s3: s3.config, conditionalWrites: false });
  const store = newStore();
  t.after(() => store.close?.());
  assert.equal(store.supportsConditionalWrites, false);
  const gdac = testGdac(t, [mirror.url]);

  await t.test('build, check against the reference, rebuild without downloads', async () => {
    await buildMonths({ store, gdac, months, logger: silentLogger, gcGraceMs: 0 });
    const catalog = createMonthCatalog({ store, monthCacheBytes: 64 << 20, masterTtlMs: 0 });
    const built = new Map<string, MonthIndex>();
    for (const m of await catalog.listMonths()) built.set(m.month, (await catalog.loadMonth(m.month))!);
    assert.deepEqual([...built.keys()], months);
    checkAgainstReference(reference, built);

    mirror.resetStats();
    const again = await buildMonths({ store, gdac, months, logger: silentLogger, gcGraceMs: 0 });
    assert.ok([...mirror.stats.byPath.keys()].every((p) => p.startsWith('ar_index_global_prof.txt')), 'only the index was read');
    assert.equal(again.results.reduce((s, r) => s + r.fetched, 0), 0);
    assert.ok(again.results.every((r) => r.unchanged), 'nothing changed: no new version written');
    assert.equal((await listMonthObjects(store)).get(months[0])?.length, 1);
    // Two rebuilds where every file changed: the oldest version is collected, the previous kept.
    const some = months.slice(0, 5);
    for (const stamp of ['20990101000000', '20990102000000']) {
      touchAll(stamp);
      const outcome = await buildMonths({ store, gdac, months: some, logger: silentLogger, gcGraceMs: 0 });
      assert.ok(outcome.results.every((r) => !r.unchanged && r.reused === 0));
    }
    overlay.clear();
    const listing = await listMonthObjects(store);
    for (const m of some) assert.equal(listing.get(m)?.length, 2, `${m}: current and previous versions kept, the oldest collected`);
    const { master } = await readMaster(store);
    for (const m of some) assert.equal(master.months[m].key, listing.get(m)![0], `${m}: the master points at the newest`);
  });

  await t.test('a master index that lost a month (no conditional writes) is healed by readers', async () => {
    const { master } = await readMaster(store);
    const dropped = months[3];
    const keptKey = master.months[dropped].key;
    delete master.months[dropped];
    const older = months[4];
    master.months[older] = { ...master.months[older], key: master.months[older].key.replace(/\d{9}Z/, '000000000Z'), profiles: -1 };
    await store.put(MASTER_KEY, serializeMaster(master));
    const catalog = createMonthCatalog({ store: newStore(), monthCacheBytes: 1 << 20, masterTtlMs: 0 });
    const listed = await catalog.listMonths();
    assert.deepEqual(listed.map((m) => m.month), months, 'the listing heals the lost month');
    assert.equal(listed.find((m) => m.month === dropped)?.key, keptKey);
    assert.ok(listed.find((m) => m.month === older)!.profiles >= 0, 'an entry pointing at an older version is replaced by the newest');
    assert.ok(await catalog.loadMonth(dropped));
  });

  await t.test('two concurrent builders on one bucket: every month ends up listed', async () => {
    const subset = months.slice(-24);
    const services = [0, 1].map(() => {
      const s = newStore('concurrent');
      t.after(() => s.close?.());
      const catalog = createMonthCatalog({ store: s, monthCacheBytes: 1 << 20, masterTtlMs: 60_000 });
      const builds = createBuildService({ store: s, gdac: testGdac(t, [mirror.url]), catalog, logger: silentLogger, masterBackoffMs: 2 });
      t.after(() => builds.close());
      return { catalog, builds };
    });
    const halves = [subset.filter((_, i) => i % 2 === 0), subset.filter((_, i) => i % 2 === 1)];
    const jobs = await Promise.all(services.map((s, i) => s.builds.wait(s.builds.submit({ months: halves[i] }).id)));
    assert.deepEqual(jobs.map((j) => j.status), ['succeeded', 'succeeded']);
    const fresh = createMonthCatalog({ store: newStore('concurrent'), monthCacheBytes: 1 << 20, masterTtlMs: 0 });
    const listed = await fresh.listMonths();
    assert.deepEqual(listed.map((m) => m.month), subset);
    // Each month points at the version its builder just wrote.
    const written = new Map(jobs.flatMap((j) => j.results.map((r) => [r.month, r.key] as const)));
    for (const m of listed) assert.equal(m.key, written.get(m.month), `${m.month} is the newest version`);
  });
});
