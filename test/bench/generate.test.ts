/**
 * The benchmark's month generator: the files it writes are Argo core files whose primary profile
 * is what the generated GDAC index row says, the index has the GDAC's header, and the same seed
 * gives the same month. Both sources: synthetic (always) and templates from the shared sample
 * (skipped without it). The benchmark itself runs in CI as `npm run bench -- --quick`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { extractMeta, metaVariableRanges } from '../../src/argo/index.js';
import { parseHeader, sliceRange } from '../../src/netcdf/index.js';
import { ensureMonth, monthBounds, planMonth, type MonthSource } from '../../bench/generate.js';
import { skipWithoutShared } from '../kit/shared-sample.js';

const HEADER_LINES = 9;

async function checkMonth(t: { after: (fn: () => Promise<void>) => void }, source: MonthSource): Promise<void> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'bench-gen-'));
  t.after(() => rm(cacheDir, { recursive: true, force: true }));
  const month = await ensureMonth({ month: '2023-04', profiles: 60, seed: 7, source, cacheDir });
  assert.equal(month.cached, false);
  assert.equal(month.manifest.profiles.length, 60);
  assert.equal(month.manifest.source, source);

  const index = (await readFile(join(month.root, 'ar_index_global_prof.txt'), 'utf8')).trimEnd().split('\n');
  assert.equal(index[3], '# Format version : 2.0');
  assert.equal(index[HEADER_LINES - 1], 'file,date,latitude,longitude,ocean,profiler_type,institution,date_update');
  const rows = new Map(index.slice(HEADER_LINES).map((line) => [line.split(',')[0], line.split(',')]));
  assert.equal(rows.size, 60);

  const { startMs, endMs } = monthBounds('2023-04');
  for (const p of month.manifest.profiles) {
    const bytes = new Uint8Array(await readFile(join(month.root, 'dac', p.id)));
    assert.equal(bytes.length, p.bytes);
    const header = parseHeader(bytes, { fileSize: bytes.length });
    const slots = new Map(metaVariableRanges(header, { id: p.id }).map((s) => [s.name, s]));
    const meta = extractMeta({ id: p.id, header, read: (name) => sliceRange(bytes, slots.get(name)!) });
    assert.deepEqual(
      [meta.platformNumber, meta.cycleNumber, meta.dataMode, meta.direction, meta.timeMs, meta.latitude, meta.longitude, meta.positionQc, meta.juldQc],
      [p.platform, p.cycle, p.dataMode, 'A', p.timeMs, p.latitude, p.longitude, '1', '1'],
      p.id,
    );
    assert.ok(p.timeMs >= startMs && p.timeMs < endMs, `${p.id} is outside the month`);
    assert.match(p.id, new RegExp(`^${p.dac}/${p.platform}/profiles/${p.dataMode === 'D' ? 'D' : 'R'}${p.platform}_\\d{3}\\.nc$`));
    const row = rows.get(p.id);
    assert.ok(row, `${p.id} has no index row`);
    // The index date is JULD rounded to the second; positions with 3 decimals.
    assert.equal(row[1], new Date(Math.round(p.timeMs / 1000) * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14));
    assert.equal(Number(row[2]), p.latitude);
    assert.equal(Number(row[3]), p.longitude);
    assert.equal(row[7], p.dateUpdate);
  }

  const again = await ensureMonth({ month: '2023-04', profiles: 60, seed: 7, source, cacheDir });
  assert.equal(again.cached, true);
  assert.equal(again.root, month.root);
}

test('the synthetic month matches its index and its manifest', async (t) => {
  await checkMonth(t, 'synthetic');
});

test('the template month (real sample files, patched) matches its index and its manifest', async (t) => {
  if (!skipWithoutShared(t)) return;
  await checkMonth(t, 'templates');
});

test('the plan is deterministic, inside the month, and ~3 profiles per float', () => {
  const a = planMonth({ month: '2023-04', profiles: 3000, seed: 1 });
  const b = planMonth({ month: '2023-04', profiles: 3000, seed: 1 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(planMonth({ month: '2023-04', profiles: 3000, seed: 2 }).slice(0, 10), a.slice(0, 10));
  const floats = new Set(a.map((p) => p.platform)).size;
  assert.ok(floats > 700 && floats < 1100, `${floats} floats for 3,000 profiles`);
  const ids = new Set(a.map((p) => `${p.platform}_${p.cycle}`));
  assert.equal(ids.size, a.length, 'a float never repeats a cycle');
  for (const p of a) {
    assert.ok(Math.abs(p.latitude) <= 90 && Math.abs(p.longitude) <= 180);
  }
});
