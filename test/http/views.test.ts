/**
 * The API's shapes of months and build jobs: every member of each response schema is mapped from
 * the domain record (a member the mapping drops would otherwise go unnoticed: the schema marks it
 * optional and the body simply never carries it), with the right name and value, and the result
 * satisfies the schema.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildJobSchema } from '../../schemas/admin.js';
import { monthDetailResponse, monthSummarySchema } from '../../schemas/months.js';
import { buildJobView, monthDetailView, monthSummaryView } from '../../src/http/views.js';
import type { BuildJob, MonthDetail } from '../../src/month-index/types.js';

const keysOf = (o: object) => Object.keys(o).sort();

const detail: MonthDetail = {
  month: '2023-04',
  profiles: 13214,
  start: '2023-04-01T00:02:10.000Z',
  end: '2023-04-30T23:58:01.000Z',
  builtAt: '2023-05-02T03:10:44.512Z',
  failed: 1,
  key: 'months/2023/2023-04.a.json.zst',
  pack: { key: 'packs/2023/2023-04.a.parquet', bytes: 19_512_004, rows: 13214, footerBytes: 40_123 },
  failures: [{ id: 'aoml/5906072/profiles/R5906072_121.nc', reason: 'not found on the GDAC (404)', dateUpdate: '20230423223103' }],
  excluded: 3,
  source: 'GDAC directory /gdac',
};

const bgcDetail: MonthDetail = {
  ...detail,
  parameters: [{ name: 'DOXY', class: 'other', units: 'micromole/kg', longName: 'Dissolved oxygen', standardName: 'moles_of_oxygen_per_unit_mass_in_sea_water' }],
};

test('month summary and detail: every member, snake_case, the month index key kept private (the pack key is public)', () => {
  const summary = monthSummaryView(detail);
  assert.deepEqual(summary, {
    month: '2023-04',
    profiles: 13214,
    start: '2023-04-01T00:02:10.000Z',
    end: '2023-04-30T23:58:01.000Z',
    built_at: '2023-05-02T03:10:44.512Z',
    failed: 1,
    dataset: 'phy',
    pack: { key: 'packs/2023/2023-04.a.parquet', bytes: 19_512_004, rows: 13214 },
  });
  assert.deepEqual(keysOf(summary), keysOf(monthSummarySchema.shape));

  const view = monthDetailView(detail);
  assert.deepEqual(view, {
    ...summary,
    excluded: 3,
    source: 'GDAC directory /gdac',
    failures: [{ id: 'aoml/5906072/profiles/R5906072_121.nc', reason: 'not found on the GDAC (404)', date_update: '20230423223103' }],
  });
  // A BGC month adds its parameters, with units and names.
  const bgc = monthDetailView(bgcDetail, 'bgc');
  assert.equal(bgc.dataset, 'bgc');
  assert.deepEqual(bgc.parameters, [{ name: 'DOXY', class: 'other', units: 'micromole/kg', long_name: 'Dissolved oxygen', standard_name: 'moles_of_oxygen_per_unit_mass_in_sea_water' }]);
  assert.equal('parameters' in view, false);
  assert.deepEqual(keysOf(bgc), keysOf(monthDetailResponse.shape));
  assert.deepEqual(monthDetailResponse.parse(bgc), bgc);
  assert.deepEqual(keysOf(view.failures[0]), keysOf(monthDetailResponse.shape.failures.element.shape));
  assert.deepEqual(monthDetailResponse.parse(view), view);
});

test('a month built before packs: no pack member', () => {
  const { pack: _pack, ...old } = detail;
  assert.equal('pack' in monthSummaryView(old), false);
});

test('an empty month: null times', () => {
  const view = monthSummaryView({ ...detail, profiles: 0, start: null, end: null });
  assert.equal(view.start, null);
  assert.equal(view.end, null);
});

/** A job with every optional member set. */
const full: BuildJob = {
  id: '5d0c3c8e-6a8e-4c7e-9a4b-0d3c7f9f2b11',
  status: 'failed',
  months: ['2023-03', '2023-04'],
  progress: { done: 120, total: 130, failed: 2 },
  createdAt: '2023-05-02T03:00:00.000Z',
  startedAt: '2023-05-02T03:00:00.010Z',
  finishedAt: '2023-05-02T03:10:44.600Z',
  results: [
    { month: '2023-03', profiles: 60, key: 'months/2023/2023-03.a.json.zst', reused: 58, fetched: 2, failed: 0, dropped: 1, excluded: 0, unchanged: true },
    { month: '2023-04', profiles: 70, key: 'months/2023/2023-04.a.json.zst', reused: 10, fetched: 60, failed: 2, dropped: 0, excluded: 3, refused: 'would lose 40 of 110 profiles' },
    { month: '2023-04', dataset: 'bgc', profiles: 5, key: 'months/2023/2023-04.b.json.zst', reused: 0, fetched: 5, failed: 0, dropped: 0, excluded: 0 },
  ],
  error: 'Not rewritten, to protect the existing index: 2023-04 (would lose 40 of 110 profiles).',
  phase: 'done',
  monthsDone: 2,
  undated: { candidates: 4, fetched: 1, failures: [{ id: 'meds/4902/profiles/R4902_001.nc', reason: 'timeout', dateUpdate: '20230401000000' }] },
  joined: ['0c4d1a7e-2f36-4d6f-8c57-1f0b9a1e5d22'],
  datasets: ['phy', 'bgc'],
  skipped: { bgc: 'no synthetic profile index on the GDAC' },
};

test('a build job with every member set: each one appears, named and valued as the schema says', () => {
  const view = buildJobView(full);
  assert.deepEqual(view, {
    id: '5d0c3c8e-6a8e-4c7e-9a4b-0d3c7f9f2b11',
    status: 'failed',
    months: ['2023-03', '2023-04'],
    progress: { done: 120, total: 130, failed: 2 },
    phase: 'done',
    months_done: 2,
    created_at: '2023-05-02T03:00:00.000Z',
    started_at: '2023-05-02T03:00:00.010Z',
    finished_at: '2023-05-02T03:10:44.600Z',
    results: [
      { month: '2023-03', profiles: 60, reused: 58, fetched: 2, failed: 0, dropped: 1, excluded: 0, unchanged: true },
      { month: '2023-04', profiles: 70, reused: 10, fetched: 60, failed: 2, dropped: 0, excluded: 3, refused: 'would lose 40 of 110 profiles' },
      { month: '2023-04', dataset: 'bgc', profiles: 5, reused: 0, fetched: 5, failed: 0, dropped: 0, excluded: 0 },
    ],
    error: 'Not rewritten, to protect the existing index: 2023-04 (would lose 40 of 110 profiles).',
    joined: ['0c4d1a7e-2f36-4d6f-8c57-1f0b9a1e5d22'],
    datasets: ['phy', 'bgc'],
    skipped: { bgc: 'no synthetic profile index on the GDAC' },
    undated: { candidates: 4, fetched: 1, failures: [{ id: 'meds/4902/profiles/R4902_001.nc', reason: 'timeout', date_update: '20230401000000' }] },
  });
  // Every member the schema declares, optional ones included, is produced when the job has it.
  const shape = buildJobSchema.shape;
  assert.deepEqual(keysOf(view), keysOf(shape));
  assert.deepEqual(keysOf({ ...view.results[0], ...view.results[1], ...view.results[2] }), keysOf(shape.results.element.shape));
  assert.deepEqual(keysOf(view.undated!), keysOf(shape.undated.unwrap().shape));
  assert.deepEqual(buildJobSchema.parse(view), view);
});

test('a queued job: optional members left out, the phase and months done derived', () => {
  const view = buildJobView({ id: full.id, status: 'queued', months: ['2023-04'], progress: { done: 0, total: 0, failed: 0 }, createdAt: full.createdAt, results: [] });
  assert.deepEqual(view, {
    id: full.id,
    status: 'queued',
    months: ['2023-04'],
    progress: { done: 0, total: 0, failed: 0 },
    phase: 'queued',
    months_done: 0,
    created_at: full.createdAt,
    results: [],
  });
  assert.equal(buildJobView({ ...full, phase: undefined, status: 'running' }).phase, 'building');
  assert.equal(buildJobView({ ...full, phase: undefined, status: 'succeeded' }).phase, 'done');
  assert.equal(buildJobView({ ...full, monthsDone: undefined }).months_done, full.results.length);
  assert.equal('joined' in buildJobView({ ...full, joined: [] }), false);
});
