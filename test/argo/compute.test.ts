/** computeProfile: QC mode → usable levels → depth or pressure → targets or native levels. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  computeProfile,
  decodeLevels,
  levelColumns,
  levelVariableSlots,
  zFromP,
  type ComputeOptions,
  type ProfileLevels,
} from '../../src/argo/index.js';
import { writeArgoProfile, type ArgoProfile } from '../../fixtures/index.js';
import { parseHeader, sliceRange } from '../../src/netcdf/index.js';

function levelsOf(profile: ArgoProfile): ProfileLevels {
  const file = writeArgoProfile({ profiles: [profile] });
  const slots = levelVariableSlots(parseHeader(file));
  return decodeLevels({ nLevels: profile.levels.PRES.length, columns: levelColumns(slots, (s) => sliceRange(file, s)) });
}

const profile: ArgoProfile = {
  platformNumber: '1',
  cycleNumber: 1,
  dataMode: 'R',
  timeMs: 0,
  latitude: 30,
  longitude: 0,
  levels: {
    PRES: [0, 100, 200, 300, 1000],
    PRES_QC: '11141',
    TEMP: [20, 10, 8, 6, 4],
    TEMP_QC: '11411',
  },
};
const meta = { dataMode: 'R', latitude: 30 };
const depth = (p: number) => -zFromP(p, 30);
const close = (actual: Float64Array | null | undefined, expected: number[]) => {
  assert.ok(actual, 'expected an array');
  assert.equal(actual.length, expected.length);
  expected.forEach((e, i) => {
    if (Number.isNaN(e)) assert.ok(Number.isNaN(actual[i]), `[${i}] ${actual[i]} should be NaN`);
    else assert.ok(Math.abs(actual[i] - e) < 1e-9, `[${i}] ${actual[i]} vs ${e}`);
  });
};

test('native levels: usable pressures in file order, both coordinates, NaN where not usable', () => {
  const levels = levelsOf(profile);
  const options: ComputeOptions = { mode: 'standard', vertical: 'depth', variables: ['TEMP', 'PSAL', 'PRES'] };
  const out = computeProfile({ meta, levels, options });
  assert.equal(out.native, true);
  close(out.pressure, [0, 100, 200, 1000]);
  close(out.depth, [0, depth(100), depth(200), depth(1000)]);
  close(out.levels, Array.from(out.depth!));
  close(out.values.TEMP, [20, 10, NaN, 4]);
  close(out.values.PRES, [0, 100, 200, 1000]);
  assert.equal(out.values.PSAL, null, 'the file has no PSAL');
  const onPressure = computeProfile({ meta, levels, options: { ...options, vertical: 'pressure' } });
  close(onPressure.levels, [0, 100, 200, 1000]);
  close(onPressure.depth, Array.from(out.depth!));
});

test('depth targets: interpolation in depth; PRES is the interpolated pressure', () => {
  const levels = levelsOf(profile);
  const targets = Float64Array.from([0, 50, depth(100), 500, 990, 2000]);
  const out = computeProfile({ meta, levels, options: { mode: 'standard', vertical: 'depth', variables: ['TEMP', 'PRES'], targets } });
  assert.equal(out.native, false);
  assert.equal(out.depth, undefined);
  close(out.levels, Array.from(targets));
  const lerp = (x: number, x0: number, x1: number, y0: number, y1: number) => y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
  // TEMP's usable points: p = 0, 100, 1000 (200 has a bad TEMP flag, 300 a bad pressure).
  close(out.values.TEMP, [
    20,
    lerp(50, 0, depth(100), 20, 10),
    10,
    lerp(500, depth(100), depth(1000), 10, 4),
    lerp(990, depth(100), depth(1000), 10, 4),
    NaN,
  ]);
  // PRES's usable points: p = 0, 100, 200, 1000.
  close(out.values.PRES, [0, lerp(50, 0, depth(100), 0, 100), 100, lerp(500, depth(200), depth(1000), 200, 1000), lerp(990, depth(200), depth(1000), 200, 1000), NaN]);
});

test('pressure targets: no depth conversion; PRES equals the target inside the data', () => {
  const levels = levelsOf(profile);
  const targets = Float64Array.from([0, 150, 1000, 1500]);
  const out = computeProfile({ meta, levels, options: { mode: 'expert', vertical: 'pressure', variables: ['TEMP', 'PRES'], targets } });
  // Expert: no QC, all five levels usable.
  close(out.values.TEMP, [20, 9, 4, NaN]);
  close(out.values.PRES, [0, 150, 1000, NaN]);
});

test('a profile whose levels are all bad still computes, to NaN', () => {
  const levels = levelsOf({ ...profile, levels: { ...profile.levels, PRES_QC: '44444' } });
  const out = computeProfile({ meta, levels, options: { mode: 'standard', vertical: 'depth', variables: ['TEMP'], targets: Float64Array.from([0, 10]) } });
  close(out.values.TEMP, [NaN, NaN]);
  const native = computeProfile({ meta, levels, options: { mode: 'standard', vertical: 'depth', variables: ['TEMP'] } });
  assert.equal(native.levels.length, 0);
  assert.equal(native.values.TEMP!.length, 0);
});
