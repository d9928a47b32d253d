import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ComputedProfile } from '../../src/argo/types.js';
import { roundArray, roundValue, toOutputProfile } from '../../src/query/output.js';
import { createPlanner } from '../../src/query/planner.js';
import { monthIndexFromRows } from './fixtures.js';

test('roundValue: 6 decimals, NaN → null, -0 → 0, huge values kept', () => {
  assert.equal(roundValue(21.928432464599609), 21.928432);
  assert.equal(roundValue(0.0000004), 0);
  assert.ok(Object.is(roundValue(-0.0000004), 0));
  assert.equal(roundValue(NaN), null);
  assert.equal(roundValue(Infinity), null);
  assert.equal(roundValue(1e300), 1e300);
  assert.deepEqual(roundArray(Float64Array.from([1.23456789, NaN, -2.0000004])), [1.234568, null, -2]);
});

test('rounding never moves a value by more than 5e-7', () => {
  for (let i = 0; i < 10_000; i++) {
    const v = (Math.random() - 0.5) * 10_000;
    assert.ok(Math.abs(roundValue(v)! - v) <= 5.000001e-7, String(v));
  }
});

const month = monthIndexFromRows('2018-10', [
  { time: Date.parse('2018-10-19T05:41:00.002Z'), platform: '6903247', cycle: 1, dataMode: 'R', lat: 34.19, lon: 26.0, id: 'coriolis/6903247/profiles/R6903247_001.nc' },
]);
const planner = createPlanner({ startMs: 0, endMs: Date.parse('2030-01-01'), mode: 'expert', maxProfiles: 10 });
planner.add('2018-10', month);
const [profile] = planner.result().selected;

test('target levels: the level array is named after the vertical coordinate; variables in query order', () => {
  const computed: ComputedProfile = {
    vertical: 'depth',
    native: false,
    levels: Float64Array.from([0, 10]),
    values: { PSAL: Float64Array.from([NaN, 38.9999999]), TEMP: Float64Array.from([22.5, 21.1234567]) },
  };
  const out = toOutputProfile(profile, computed, ['PSAL', 'TEMP']);
  assert.deepEqual(out, {
    id: 'coriolis/6903247/profiles/R6903247_001.nc',
    platform_number: '6903247',
    cycle_number: 1,
    direction: 'A',
    data_mode: 'R',
    time: '2018-10-19T05:41:00.002Z',
    latitude: 34.19,
    longitude: 26,
    depth: [0, 10],
    PSAL: [null, 39],
    TEMP: [22.5, 21.123457],
  });
  assert.deepEqual(Object.keys(out), ['id', 'platform_number', 'cycle_number', 'direction', 'data_mode', 'time', 'latitude', 'longitude', 'depth', 'PSAL', 'TEMP']);
});

test('pressure levels, a variable the file lacks is null', () => {
  const computed: ComputedProfile = { vertical: 'pressure', native: false, levels: Float64Array.from([5]), values: { TEMP: Float64Array.from([1]), PSAL: null } };
  const out = toOutputProfile(profile, computed, ['TEMP', 'PSAL']);
  assert.deepEqual(out.pressure, [5]);
  assert.equal(out.depth, undefined);
  assert.equal(out.PSAL, null);
});

test('native levels carry depth and pressure', () => {
  const computed: ComputedProfile = {
    vertical: 'depth',
    native: true,
    levels: Float64Array.from([9.944839123]),
    depth: Float64Array.from([9.944839123]),
    pressure: Float64Array.from([10.0000001]),
    values: { TEMP: Float64Array.from([3]) },
  };
  const out = toOutputProfile(profile, computed, ['TEMP']);
  assert.deepEqual([out.depth, out.pressure, out.TEMP], [[9.944839], [10], [3]]);
});

test('native levels: file float32 values as their shortest decimal, computed depth to 6 decimals', () => {
  const f = Math.fround;
  const computed: ComputedProfile = {
    vertical: 'depth',
    native: true,
    levels: Float64Array.from([9.944839123, 20.123456789]),
    depth: Float64Array.from([9.944839123, 20.123456789]),
    pressure: Float64Array.from([f(10.1), f(20.3)]),
    values: { TEMP: Float64Array.from([f(25.3), NaN]), PSAL: Float64Array.from([f(35.123), f(-0)]) },
  };
  const out = toOutputProfile(profile, computed, ['TEMP', 'PSAL']);
  // 6-decimal rounding would print f(25.3) as 25.299999; the shortest float32 decimal is 25.3.
  assert.equal(Math.round(f(25.3) * 1e6) / 1e6, 25.299999);
  assert.deepEqual(out.pressure, [10.1, 20.3]);
  assert.deepEqual(out.TEMP, [25.3, null]);
  assert.deepEqual(out.PSAL, [35.123, 0]);
  assert.deepEqual(out.depth, [9.944839, 20.123457]);
  assert.equal(JSON.stringify(out.TEMP), '[25.3,null]');
});

test('target levels: interpolated values keep 6 decimals, not the float32 form', () => {
  const computed: ComputedProfile = {
    vertical: 'depth',
    native: false,
    levels: Float64Array.from([10]),
    values: { TEMP: Float64Array.from([Math.fround(25.3)]) },
  };
  assert.deepEqual(toOutputProfile(profile, computed, ['TEMP']).TEMP, [25.299999]);
});
