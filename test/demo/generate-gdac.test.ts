/**
 * The demo GDAC generator: deterministic, Argo 3.1 files that the project's reader parses with the
 * values the generator meant, the exact GDAC index format, the edge cases, and a build of it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeLevels, extractMeta, levelColumns, levelVariableSlots, metaVariableRanges } from '../../src/argo/index.js';
import { DEMO_MONTHS, generateDemoGdac, INDEX_HEADER, planDemoProfiles } from '../../src/demo/generate-gdac.js';
import { buildMonths } from '../../src/month-index/builder.js';
import { createMonthCatalog } from '../../src/month-index/catalog.js';
import { parseHeader, sliceRange } from '../../src/netcdf/index.js';
import { localStore, silentLogger, tempDir, testGdac } from '../month-index/helpers.js';

function digest(dir: string, ids: string[]): string {
  const h = createHash('sha256');
  h.update(readFileSync(join(dir, 'ar_index_global_prof.txt')));
  for (const id of ids) h.update(readFileSync(join(dir, 'dac', id)));
  return h.digest('hex');
}

test('deterministic for a seed, different for another', async (t) => {
  const [a, b, c] = [await tempDir(t), await tempDir(t), await tempDir(t)];
  const options = { months: ['2024-02'], profilesPerMonth: 20, seed: 1 };
  const ga = await generateDemoGdac({ outDir: a, ...options });
  const gb = await generateDemoGdac({ outDir: b, ...options });
  const gc = await generateDemoGdac({ outDir: c, ...options, seed: 2 });
  assert.equal(digest(a, ga.profiles.map((p) => p.id)), digest(b, gb.profiles.map((p) => p.id)));
  assert.notEqual(digest(a, ga.profiles.map((p) => p.id)), digest(c, gc.profiles.map((p) => p.id)));
  assert.equal(planDemoProfiles({ months: ['2024-05'], profilesPerMonth: 13000, seed: 7 }).length, 13000, 'a benchmark-sized month is planned exactly');
});

test('the default demo: realistic Argo core files that parse with the intended values', async (t) => {
  const dir = await tempDir(t);
  const demo = await generateDemoGdac({ outDir: dir });
  assert.equal(demo.profiles.length, 150 * DEMO_MONTHS.length);
  const modes = new Set<string>();
  let descending = 0;
  let secondary = 0;
  let badQc = 0;
  for (const info of demo.profiles) {
    const bytes = new Uint8Array(readFileSync(join(dir, 'dac', info.id)));
    assert.equal(bytes.length, info.size);
    const header = parseHeader(bytes, { fileSize: bytes.length });
    assert.equal(header.version, 1, 'CDF-1 like the GDAC');
    const dims = Object.fromEntries(header.dimensions.map((d) => [d.name, d]));
    assert.equal(dims.N_HISTORY.isRecord, true, 'N_HISTORY is the record dimension');
    assert.equal(dims.STRING8.size, 8);
    const v = Object.fromEntries(header.variables.map((x) => [x.name, x]));
    assert.deepEqual(v.PLATFORM_NUMBER.dimensions, ['N_PROF', 'STRING8']);
    assert.equal(v.JULD.type, 'double');
    assert.deepEqual(v.JULD.attributes._FillValue, [999999]);
    assert.deepEqual(v.TEMP.attributes._FillValue, [99999]);
    assert.equal(v.TEMP_QC.type, 'char');
    for (const name of ['DATA_TYPE', 'FORMAT_VERSION', 'PSAL_ADJUSTED_ERROR', 'HISTORY_INSTITUTION', 'SCIENTIFIC_CALIB_COEFFICIENT']) assert.ok(v[name], name);
    assert.ok(v.HISTORY_STEP.isRecord);

    const slots = new Map(metaVariableRanges(header).map((s) => [s.name, s]));
    const meta = extractMeta({ id: info.id, header, read: (name) => sliceRange(bytes, slots.get(name)!) });
    assert.deepEqual(
      [meta.platformNumber, meta.cycleNumber, meta.direction, meta.dataMode, meta.timeMs, meta.latitude, meta.longitude, meta.positionQc, meta.juldQc, meta.nLevels],
      [info.platform, info.cycle, info.direction, info.dataMode, info.timeMs, info.latitude, info.longitude, info.positionQc, info.juldQc, info.nLevels],
      info.id,
    );
    const levels = decodeLevels({ nLevels: meta.nLevels, columns: levelColumns(levelVariableSlots(header), (s) => sliceRange(bytes, s)) });
    const pres = [...levels.PRES!].filter((p) => !Number.isNaN(p));
    assert.ok(pres.every((p, i) => i === 0 || p > pres[i - 1]), 'pressure increases');
    const temp = levels.TEMP!;
    assert.ok(temp[0] > temp[pres.length - 1], `${info.id}: warmer at the surface than at depth`);
    assert.ok([...levels.PSAL!].slice(0, pres.length).every((s) => s > 33 && s < 37.5), 'plausible salinity');
    assert.match(levels.TEMP_QC!.slice(0, pres.length), /^[1-4]+$/);
    if (info.dataMode === 'R') assert.ok([...levels.TEMP_ADJUSTED!].every(Number.isNaN), 'no adjusted values in real time');
    else assert.ok(!Number.isNaN(levels.PSAL_ADJUSTED![0]), 'adjusted values in A and D modes');
    if (info.dataMode === 'D') assert.ok(Math.abs(levels.PRES_ADJUSTED_ERROR![0] - 2.4) < 1e-4);
    modes.add(info.dataMode);
    if (info.direction === 'D') descending++;
    if (meta.nProf > 1) secondary++;
    if (/[34]/.test(levels.TEMP_QC!) || /[34]/.test(levels.PSAL_QC!)) badQc++;
  }
  assert.deepEqual([...modes].sort(), ['A', 'D', 'R']);
  assert.ok(descending > 5 && secondary > 5 && badQc > 10, `descending ${descending}, N_PROF=2 ${secondary}, bad QC ${badQc}`);

  // The index: the GDAC's header lines and column format, rows sorted by file.
  const text = readFileSync(join(dir, demo.indexPath), 'utf8');
  const lines = text.trimEnd().split('\n');
  assert.deepEqual(lines.slice(0, 4), INDEX_HEADER.slice(0, 4));
  assert.match(lines[4], /^# Date of update : \d{14}$/);
  assert.equal(lines[8], 'file,date,latitude,longitude,ocean,profiler_type,institution,date_update');
  const rows = lines.slice(9);
  assert.equal(rows.length, demo.profiles.length);
  assert.deepEqual(rows, [...rows].sort());
  for (const row of rows) assert.match(row, /^[a-z]+\/\d{7}\/profiles\/[RD]\d{7}_\d{3}D?\.nc,(\d{14})?,(-?\d+\.\d{3})?,(-?\d+\.\d{3})?,[API]?,\d{3},[A-Z]{2},\d{14}$/);

  // The edge cases, once a month.
  for (const month of DEMO_MONTHS) {
    const end = Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 1);
    const boundary = demo.profiles.find((p) => p.timeMs === end - 400)!;
    assert.ok(boundary, `${month}: a profile at 23:59:59.6 on the last day`);
    assert.equal(boundary.indexDate, new Date(end).toISOString().replace(/[-:T]/g, '').slice(0, 14), 'the index rounds it into the next month');
    const inMonth = demo.profiles.filter((p) => new Date(p.timeMs!).toISOString().startsWith(month));
    assert.equal(inMonth.filter((p) => p.latitude === null).length, 1, `${month}: one profile without a position`);
    assert.equal(inMonth.filter((p) => p.indexDate === '').length, 1, `${month}: one row without a date`);
  }
});

test('a build of the demo places every profile by its JULD', async (t) => {
  const dir = await tempDir(t);
  const demo = await generateDemoGdac({ outDir: dir, profilesPerMonth: 40, seed: 4 });
  const { store } = await localStore(t);
  const outcome = await buildMonths({ store, gdac: testGdac(t, [dir]), months: [...DEMO_MONTHS], logger: silentLogger });
  const catalog = createMonthCatalog({ store, monthCacheBytes: 1 << 24, masterTtlMs: 0 });
  for (const month of DEMO_MONTHS) {
    const index = (await catalog.loadMonth(month))!;
    const expected = demo.profiles.filter((p) => p.latitude !== null && new Date(p.timeMs!).toISOString().startsWith(month));
    assert.deepEqual([...index.id].sort(), expected.map((p) => p.id).sort(), month);
    const boundary = expected.find((p) => p.timeMs! % 1000 === 600)!;
    assert.equal(index.time[index.id.indexOf(boundary.id)], boundary.timeMs, 'the boundary profile keeps its JULD time');
    assert.equal(index.time[index.count - 1], boundary.timeMs, 'and is the last of its month');
    assert.equal(index.excluded.length, 1);
  }
  assert.deepEqual((await catalog.loadMonth('2024-02'))!.outside?.map((o) => o.reason), ['2024-01'], "January's last-second profile, listed in February's index dates, belongs to January");
  assert.equal(outcome.undated.candidates, 3);
});
