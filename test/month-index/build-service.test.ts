/**
 * Build jobs: queueing and joining, one job at a time, progress events, wait, close (abort).
 * Runs on a small generated demo GDAC served by the test mirror (no shared data needed).
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { NotFoundError, ValidationError } from '../../src/errors.js';
import { generateDemoGdac } from '../../fixtures/index.js';
import { createBuildService } from '../../src/month-index/build-service.js';
import { createMonthCatalog } from '../../src/month-index/catalog.js';
import type { BuildEvent } from '../../src/month-index/types.js';
import { startGdacMirror } from '../kit/gdac-mirror.js';
import { localStore, silentLogger, tempDir, testGdac } from './helpers.js';

const MONTHS = ['2024-01', '2024-02', '2024-03'];

async function setup(t: TestContext, latencyMs = 0) {
  const gdacDir = await tempDir(t, 'demo-gdac-');
  const demo = await generateDemoGdac({ outDir: gdacDir, months: MONTHS, profilesPerMonth: 15, seed: 3 });
  const mirror = await startGdacMirror({ root: gdacDir, latencyMs });
  t.after(() => mirror.stop());
  const { store } = await localStore(t);
  const catalog = createMonthCatalog({ store, monthCacheBytes: 1 << 20, masterTtlMs: 60_000 });
  const builds = createBuildService({ store, gdac: testGdac(t, [mirror.url]), catalog, logger: silentLogger, downloadWorkers: 4 });
  t.after(() => builds.close());
  return { demo, mirror, store, catalog, builds };
}

test('jobs: joining, one at a time, progress events, results', async (t) => {
  const { builds, catalog, demo } = await setup(t);
  const events: BuildEvent[] = [];
  const unsubscribe = builds.subscribe(((e: BuildEvent) => events.push(e)));
  t.after(unsubscribe);
  const first = builds.submit({ months: ['2024-02', '2024-01', '2024-01'] });
  assert.deepEqual(first.months, ['2024-01', '2024-02'], 'sorted, distinct');
  assert.equal(first.status, 'queued');
  assert.deepEqual(first.progress, { done: 0, total: 0, failed: 0 });
  const again = builds.submit({ months: ['2024-02'] });
  assert.equal(again.id, first.id, 'a month being built joins its job');
  const second = builds.submit({ months: ['2024-02', '2024-03'] });
  assert.notEqual(second.id, first.id);
  assert.deepEqual(second.months, ['2024-03'], 'months already active are not repeated');
  assert.deepEqual(second.joined, [first.id]);

  const [done1, done2] = await Promise.all([builds.wait(first.id), builds.wait(second.id)]);
  assert.equal(done1.status, 'succeeded');
  assert.equal(done2.status, 'succeeded');
  assert.ok(Date.parse(done2.startedAt!) >= Date.parse(done1.finishedAt!), 'one job at a time');
  assert.equal(done1.progress.done, done1.progress.total);
  assert.ok(done1.progress.total >= 30);
  assert.deepEqual(done1.results.map((r) => r.month), ['2024-01', '2024-02']);
  const expected = (m: string) => demo.profiles.filter((p) => p.timeMs !== null && p.latitude !== null && new Date(p.timeMs).toISOString().startsWith(m)).length;
  for (const r of [...done1.results, ...done2.results]) assert.equal(r.profiles, expected(r.month), `${r.month} profiles`);
  assert.deepEqual((await catalog.listMonths()).map((m) => m.month), MONTHS, 'the catalog sees the new months at once');

  const types = new Set(events.filter((e) => e.job.id === first.id).map((e) => e.type));
  assert.deepEqual([...types].sort(), ['finished', 'month', 'progress', 'queued', 'started']);
  assert.equal(events.filter((e) => e.type === 'month' && e.job.id === first.id).length, 2);
  assert.deepEqual(builds.get(first.id)?.status, 'succeeded');
  assert.equal(builds.get('00000000-0000-0000-0000-000000000000'), undefined);
  await assert.rejects(builds.wait('nope'), NotFoundError);
  assert.throws(() => builds.submit({ months: ['2024-13'] }), ValidationError);
  assert.throws(() => builds.submit({ months: [] }), ValidationError);

  // Once finished, the same months make a new job (an incremental rebuild).
  const rebuild = await builds.wait(builds.submit({ months: ['2024-01'] }).id);
  assert.equal(rebuild.results[0].fetched, 0);
  assert.equal(rebuild.results[0].reused, done1.results[0].reused + done1.results[0].fetched);
});

test('close() cancels the running job and the queued ones', async (t) => {
  const { builds, mirror } = await setup(t, 30);
  const running = builds.submit({ months: ['2024-01'] });
  const queued = builds.submit({ months: ['2024-02'] });
  // Let it get into the downloads.
  while (mirror.stats.requests < 3) await new Promise((r) => setTimeout(r, 10));
  await builds.close();
  const [a, b] = await Promise.all([builds.wait(running.id), builds.wait(queued.id)]);
  assert.equal(a.status, 'failed');
  assert.match(a.error ?? '', /cancelled/);
  assert.equal(b.status, 'failed');
  assert.equal(b.startedAt, undefined, 'the queued job never started');
  assert.throws(() => builds.submit({ months: ['2024-03'] }), /shutting down/);
});

test('a rebuild that would lose many of a month\'s profiles is refused unless allowed; the month stays', async (t) => {
  const { readFile, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const gdacDir = await tempDir(t, 'demo-gdac-');
  await generateDemoGdac({ outDir: gdacDir, months: ['2024-01'], profilesPerMonth: 40, seed: 5 });
  const mirror = await startGdacMirror({ root: gdacDir });
  t.after(() => mirror.stop());
  const { store } = await localStore(t);
  const catalog = createMonthCatalog({ store, monthCacheBytes: 1 << 20, masterTtlMs: 0 });
  const builds = createBuildService({ store, gdac: testGdac(t, [mirror.url]), catalog, logger: silentLogger });
  t.after(() => builds.close());
  const first = await builds.wait(builds.submit({ months: ['2024-01'] }).id);
  assert.equal(first.status, 'succeeded');
  const before = first.results[0];
  assert.ok(before.profiles >= 30);

  // A complete-looking index that lists only half the files (a stale or partial mirror).
  const indexPath = join(gdacDir, 'ar_index_global_prof.txt');
  const full = await readFile(indexPath, 'latin1');
  const lines = full.split('\n');
  const rows = lines.filter((l) => l.includes('/profiles/'));
  const kept = new Set(rows.slice(0, Math.floor(rows.length / 2)));
  await writeFile(indexPath, lines.filter((l) => !l.includes('/profiles/') || kept.has(l)).join('\n'), 'latin1');

  const refused = await builds.wait(builds.submit({ months: ['2024-01'] }).id);
  assert.equal(refused.status, 'failed');
  assert.match(refused.error ?? '', /2024-01 .*instead of \d+; the existing version is kept/);
  assert.match(refused.results[0].refused ?? '', /allow-shrink/);
  const month = (await catalog.listMonths()).find((m) => m.month === '2024-01');
  assert.equal(month?.profiles, before.profiles, 'the existing version still serves the month');
  assert.equal(month?.key, before.key);

  const allowed = await builds.wait(builds.submit({ months: ['2024-01'], allowShrink: true }).id);
  assert.equal(allowed.status, 'succeeded');
  assert.ok(allowed.results[0].profiles < before.profiles);
  assert.equal((await catalog.listMonths()).find((m) => m.month === '2024-01')?.profiles, allowed.results[0].profiles);
});
