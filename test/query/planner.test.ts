import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createPlanner, inBbox, lowerBound, monthsOfWindow, timeRange, type Plan, type PlanQuery } from '../../src/query/planner.js';
import type { MonthIndex } from '../../src/month-index/types.js';
import { monthIndexFromRows } from './fixtures.js';

const ms = (iso: string) => Date.parse(iso);

/** The whole plan of months already loaded, added in calendar order as the query service does. */
function planMonths(q: PlanQuery, months: readonly { month: string; index: MonthIndex | undefined }[]): Plan {
  const planner = createPlanner(q);
  for (const m of months) planner.add(m.month, m.index);
  return planner.result();
}

function query(overrides: Partial<PlanQuery> = {}): PlanQuery {
  return { startMs: ms('2023-01-01T00:00:00Z'), endMs: ms('2024-01-01T00:00:00Z'), mode: 'expert', maxProfiles: 1000, ...overrides };
}

describe('monthsOfWindow', () => {
  test('months intersecting [start, end), end exclusive', () => {
    assert.deepEqual(monthsOfWindow(ms('2023-01-15T00:00:00Z'), ms('2023-03-01T00:00:00Z')), ['2023-01', '2023-02']);
    assert.deepEqual(monthsOfWindow(ms('2023-01-15T00:00:00Z'), ms('2023-03-01T00:00:00.001Z')), ['2023-01', '2023-02', '2023-03']);
    assert.deepEqual(monthsOfWindow(ms('2023-01-31T23:59:59.999Z'), ms('2023-02-01T00:00:00Z')), ['2023-01']);
  });
  test('across a year boundary, and a full year is 12 or 13 months', () => {
    assert.deepEqual(monthsOfWindow(ms('2022-11-30T00:00:00Z'), ms('2023-02-01T00:00:00Z')), ['2022-11', '2022-12', '2023-01']);
    assert.equal(monthsOfWindow(ms('2023-01-01T00:00:00Z'), ms('2024-01-01T00:00:00Z')).length, 12);
    assert.equal(monthsOfWindow(ms('2023-01-15T00:00:00Z'), ms('2024-01-15T00:00:00Z')).length, 13);
  });
  test('empty window → no months', () => {
    assert.deepEqual(monthsOfWindow(ms('2023-01-01T00:00:00Z'), ms('2023-01-01T00:00:00Z')), []);
  });
});

describe('lowerBound', () => {
  const a = Float64Array.from([1, 2, 2, 2, 5, 9]);
  test('first index ≥ value', () => {
    assert.equal(lowerBound(a, 0), 0);
    assert.equal(lowerBound(a, 1), 0);
    assert.equal(lowerBound(a, 2), 1);
    assert.equal(lowerBound(a, 3), 4);
    assert.equal(lowerBound(a, 9), 5);
    assert.equal(lowerBound(a, 10), 6);
  });
  test('empty array and sub-ranges', () => {
    assert.equal(lowerBound(new Float64Array(0), 5), 0);
    assert.equal(lowerBound(a, 2, 2), 2);
    assert.equal(lowerBound(a, 9, 0, 4), 4);
  });
  test('agrees with a linear scan on random sorted data', () => {
    const values = Float64Array.from({ length: 200 }, () => Math.floor(Math.random() * 50)).sort();
    for (let v = -1; v <= 51; v++) {
      const linear = values.findIndex((x) => x >= v);
      assert.equal(lowerBound(values, v), linear === -1 ? values.length : linear, `value ${v}`);
    }
  });
});

describe('timeRange', () => {
  const month = monthIndexFromRows('2023-04', [
    { time: '2023-04-01T00:00:00Z' },
    { time: '2023-04-10T00:00:00Z' },
    { time: '2023-04-10T00:00:00Z' },
    { time: '2023-04-30T23:59:59.999Z' },
  ]);
  test('start inclusive, end exclusive, ties kept together', () => {
    assert.deepEqual(timeRange(month, ms('2023-04-01T00:00:00Z'), ms('2023-05-01T00:00:00Z')), [0, 4]);
    assert.deepEqual(timeRange(month, ms('2023-04-10T00:00:00Z'), ms('2023-04-30T23:59:59.999Z')), [1, 3]);
    assert.deepEqual(timeRange(month, ms('2023-04-01T00:00:00.001Z'), ms('2023-04-10T00:00:00Z')), [1, 1]);
    assert.deepEqual(timeRange(month, ms('2023-03-01T00:00:00Z'), ms('2023-04-01T00:00:00Z')), [0, 0]);
  });
});

describe('inBbox', () => {
  test('ordinary box, edges included', () => {
    assert.equal(inBbox(10, 20, [10, 0, 30, 20]), true);
    assert.equal(inBbox(0, 10, [10, 0, 30, 20]), true);
    assert.equal(inBbox(20, 30, [10, 0, 30, 20]), true);
    assert.equal(inBbox(21, 20, [10, 0, 30, 20]), false);
    assert.equal(inBbox(10, 9.999, [10, 0, 30, 20]), false);
  });
  test('across the antimeridian', () => {
    const box: [number, number, number, number] = [170, -10, -170, 10];
    assert.equal(inBbox(0, 175, box), true);
    assert.equal(inBbox(0, -175, box), true);
    assert.equal(inBbox(0, 180, box), true);
    assert.equal(inBbox(0, -180, box), true);
    assert.equal(inBbox(0, 0, box), false);
    assert.equal(inBbox(0, 169, box), false);
    assert.equal(inBbox(0, -169, box), false);
    assert.equal(inBbox(11, 175, box), false);
  });
  test('-180 and 180 are the same meridian', () => {
    assert.equal(inBbox(0, -180, [170, -10, 180, 10]), true);
    assert.equal(inBbox(0, 180, [-180, -10, -170, 10]), true);
  });
});

describe('createPlanner', () => {
  const jan = monthIndexFromRows('2023-01', [
    { time: '2023-01-05T00:00:00Z', platform: '111', cycle: 1, lat: 10, lon: 175 },
    { time: '2023-01-05T00:00:00Z', platform: '222', cycle: 1, direction: 'A', lat: 10, lon: -175 },
    { time: '2023-01-05T00:00:00Z', platform: '222', cycle: 1, direction: 'D', lat: 10, lon: 0 },
    { time: '2023-01-20T00:00:00Z', platform: '111', cycle: 2, positionQc: '4', lat: -5, lon: 10 },
  ]);
  const mar = monthIndexFromRows('2023-03', [
    { time: '2023-03-01T00:00:00Z', platform: '111', cycle: 3, dataMode: 'D', lat: 0, lon: 179 },
    { time: '2023-03-31T23:59:59Z', platform: '333', cycle: 1, dataMode: 'D', juldQc: '2', lat: 0, lon: 20 },
  ]);
  const months = [
    { month: '2023-01', index: jan },
    { month: '2023-02', index: undefined },
    { month: '2023-03', index: mar },
  ];
  const ids = (p: ReturnType<typeof planMonths>) => p.selected.map((s) => `${s.platformNumber}/${s.cycleNumber}${s.direction}`);

  test('months concatenated in order, month order kept, missing months reported', () => {
    const plan = planMonths(query(), months);
    assert.deepEqual(ids(plan), ['111/1A', '222/1A', '222/1D', '111/2A', '111/3A', '333/1A']);
    assert.equal(plan.matched, 6);
    assert.equal(plan.truncated, false);
    assert.deepEqual(plan.monthsMissing, ['2023-02']);
  });

  test('the cap keeps the first N across months and counts every match', () => {
    const plan = planMonths(query({ maxProfiles: 5 }), months);
    assert.deepEqual(ids(plan), ['111/1A', '222/1A', '222/1D', '111/2A', '111/3A']);
    assert.equal(plan.matched, 6);
    assert.equal(plan.truncated, true);
    const exact = planMonths(query({ maxProfiles: 6 }), months);
    assert.equal(exact.truncated, false);
    const one = planMonths(query({ maxProfiles: 1 }), months);
    assert.deepEqual(ids(one), ['111/1A']);
  });

  test('time window cuts inside months', () => {
    const plan = planMonths(query({ startMs: ms('2023-01-05T00:00:00.001Z'), endMs: ms('2023-03-31T23:59:59Z') }), months);
    assert.deepEqual(ids(plan), ['111/2A', '111/3A']);
  });

  test('QC modes use the month columns (standard: QC 1/2; research: D and QC 1)', () => {
    assert.deepEqual(ids(planMonths(query({ mode: 'standard' }), months)), ['111/1A', '222/1A', '222/1D', '111/3A', '333/1A']);
    assert.deepEqual(ids(planMonths(query({ mode: 'research' }), months)), ['111/3A']);
  });

  test('bbox across the antimeridian', () => {
    const plan = planMonths(query({ bbox: [170, -10, -170, 20] }), months);
    assert.deepEqual(ids(plan), ['111/1A', '222/1A', '111/3A']);
  });

  test('platform set', () => {
    assert.deepEqual(ids(planMonths(query({ platforms: ['222', '333'] }), months)), ['222/1A', '222/1D', '333/1A']);
    assert.deepEqual(ids(planMonths(query({ platforms: ['999'] }), months)), []);
  });

  test('the plan so far after each month', () => {
    const planner = createPlanner(query({ maxProfiles: 4 }));
    planner.add('2023-01', jan);
    assert.deepEqual(ids(planner.result()), ['111/1A', '222/1A', '222/1D', '111/2A']);
    assert.equal(planner.result().truncated, false);
    planner.add('2023-02', undefined);
    assert.deepEqual(planner.result().monthsMissing, ['2023-02']);
    planner.add('2023-03', mar);
    const plan = planner.result();
    assert.deepEqual(ids(plan), ['111/1A', '222/1A', '222/1D', '111/2A']);
    assert.deepEqual([plan.matched, plan.truncated], [6, true]);
  });

  test('the selected profiles carry what the reader needs', () => {
    const [first] = planMonths(query(), months).selected;
    assert.equal(first.id, jan.id[0]);
    assert.equal(first.timeMs, ms('2023-01-05T00:00:00Z'));
    assert.equal(first.layout, jan.layouts[0]);
    assert.equal(first.dateUpdate, '20230101000000');
  });
});
