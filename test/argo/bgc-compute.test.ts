/**
 * BGC values per mode, per class and per level, on a synthetic profile file written with the
 * project's Argo profile writer: every row of the QC modes table, the level's pressure under the same
 * mode, fills and valid ranges, absent parameters and rows, interpolation and native levels.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bgcLevelVariablesToRead, computeBgcProfile, readBgcProfileFile, type BgcComputedProfile } from '../../src/argo/bgc/index.js';
import { levelColumns } from '../../src/argo/extract.js';
import { decodeBgcLevels } from '../../src/argo/bgc/index.js';
import { writeArgoProfile } from '../../fixtures/index.js';

const N = NaN;
const ID = 'coriolis/1900001/profiles/SD1900001_001.nc';

/** Six levels; flags chosen so that every rule of the table decides some level. */
const bytes = writeArgoProfile({
  kind: 'synthetic',
  // A blank entry in fourth place.
  parameters: ['PRES', 'TEMP', 'PSAL', '', 'DOXY', 'CHLA', 'BBP700', 'DOWN_IRRADIANCE490', 'CDOM', 'NITRATE'],
  omitVariables: ['NITRATE_ADJUSTED', 'NITRATE_ADJUSTED_QC'],
  profiles: [
    {
      platformNumber: '1900001',
      cycleNumber: 1,
      timeMs: Date.UTC(2023, 3, 1),
      latitude: 45,
      longitude: -30,
      dataMode: 'D',
      parameterDataModes: { '': ' ', PSAL: 'A', DOXY: 'R', CHLA: 'A', BBP700: 'R' },
      levels: {
        // Pressure in D: adjusted flag 2 at level 4 (standard only), error 25 dbar at level 5 (not research).
        PRES: [0, 10, 20, 30, 40, 50],
        PRES_ADJUSTED: [1, 11, 21, 31, 41, 51],
        PRES_ADJUSTED_QC: '111121',
        PRES_ADJUSTED_ERROR: [2, 2, 2, 2, 2, 25],
        TEMP: [10, 9, 8, 7, 6, 5],
        TEMP_ADJUSTED: [10.5, 9.5, 8.5, 7.5, 6.5, 5.5],
        TEMP_ADJUSTED_QC: '118111',
        PSAL: [35, 35, 35, 35, 35, 35],
        PSAL_ADJUSTED: [35.5, 35.5, 35.5, 35.5, 35.5, 35.5],
        // -10 is below DOXY's valid_min (-5).
        DOXY: [200, 201, 202, 203, -10, 205],
        CHLA: [5, 6, 7, 8, 9, 10],
        CHLA_ADJUSTED: [0.5, 0.75, 1, 1.25, 1.5, 1.75],
        CHLA_ADJUSTED_QC: '125834',
        BBP700: [0.25, 0.5, 0.75, 1, 1.25, 1.5],
        BBP700_QC: '125834',
        DOWN_IRRADIANCE490: [10, 20, 30, 40, 50, 60],
        DOWN_IRRADIANCE490_ADJUSTED: [1, 2, 3, 4, 5, 6],
        DOWN_IRRADIANCE490_ADJUSTED_QC: '125834',
        CDOM: [3, 3, 3, 3, 3, 3],
        CDOM_ADJUSTED: [2, 2, 2, 2, 2, 2],
        // NITRATE in D without its adjusted rows (omitVariables).
        NITRATE: [20, 21, 22, 23, 24, 25],
      },
    },
  ],
});

const VARIABLES = ['PRES', 'TEMP', 'PSAL', 'DOXY', 'CHLA', 'BBP700', 'DOWN_IRRADIANCE490', 'CDOM', 'NITRATE', 'PH_IN_SITU_TOTAL'];

/** Expected native values per mode (null: the variable is absent). */
const EXPECTED = {
  expert: {
    PRES: [0, 10, 20, 30, 40, 50],
    TEMP: [10, 9, 8, 7, 6, 5],
    PSAL: [35, 35, 35, 35, 35, 35],
    DOXY: [200, 201, 202, 203, N, 205], // -10 is below valid_min
    CHLA: [5, 6, 7, 8, 9, 10],
    BBP700: [0.25, 0.5, 0.75, 1, 1.25, 1.5],
    DOWN_IRRADIANCE490: [10, 20, 30, 40, 50, 60],
    CDOM: [3, 3, 3, 3, 3, 3],
    NITRATE: [20, 21, 22, 23, 24, 25],
    PH_IN_SITU_TOTAL: null,
  },
  standard: {
    PRES: [1, 11, 21, 31, 41, 51],
    TEMP: [10.5, 9.5, N, 7.5, 6.5, 5.5], // core: flag 8 is not good
    PSAL: [35.5, 35.5, 35.5, 35.5, 35.5, 35.5], // core in A: adjusted
    DOXY: [N, N, N, N, N, N], // other BGC in R: null
    CHLA: [0.5, 0.75, 1, 1.25, N, N], // other BGC in A: flags 1, 2, 5, 8
    BBP700: [0.25, 0.5, 0.75, 1, N, N], // radiometry in R: raw, flags 1, 2, 5, 8
    DOWN_IRRADIANCE490: [1, 2, 3, 4, N, N],
    CDOM: [N, N, N, N, N, N], // never
    NITRATE: null, // D, but the file has no NITRATE_ADJUSTED
    PH_IN_SITU_TOTAL: null,
  },
  research: {
    // Levels 4 (flag 2) and 5 (error 25 dbar) have no usable pressure: not native levels.
    PRES: [1, 11, 21, 31],
    TEMP: [10.5, 9.5, N, 7.5],
    PSAL: [N, N, N, N], // A: D only
    DOXY: [N, N, N, N],
    CHLA: [N, N, N, N],
    BBP700: [N, N, N, N],
    DOWN_IRRADIANCE490: [1, N, 3, 4], // flags 1, 5, 8
    CDOM: [N, N, N, N],
    NITRATE: null,
    PH_IN_SITU_TOTAL: null,
  },
} as const;

function near(actual: Float64Array | null | undefined, expected: readonly number[] | null, label: string): void {
  if (expected === null) {
    assert.equal(actual, null, `${label}: absent`);
    return;
  }
  assert.ok(actual, `${label}: an array`);
  assert.equal(actual.length, expected.length, `${label}: length`);
  expected.forEach((e, i) => {
    const a = actual[i];
    assert.ok(Number.isNaN(e) ? Number.isNaN(a) : Math.abs(a - e) < 1e-6, `${label}[${i}]: got ${a}, expected ${e}`);
  });
}

test('native values per mode and per class follow the QC modes table', () => {
  const file = readBgcProfileFile({ id: ID, bytes });
  for (const mode of ['expert', 'standard', 'research'] as const) {
    const computed = computeBgcProfile({ meta: file.meta, levels: file.levels, options: { mode, vertical: 'pressure', variables: VARIABLES } });
    assert.equal(computed.native, true);
    for (const v of VARIABLES) near(computed.values[v], EXPECTED[mode][v as keyof (typeof EXPECTED)[typeof mode]], `${mode} ${v}`);
    near(computed.levels, EXPECTED[mode].PRES, `${mode} levels`);
    near(computed.pressure, EXPECTED[mode].PRES, `${mode} pressure`);
    assert.equal(computed.depth!.length, EXPECTED[mode].PRES.length);
    assert.ok(computed.depth!.every((d, i) => d > 0 || EXPECTED[mode].PRES[i] === 0), `${mode}: depths from the pressures`);
  }
});

test('reading only the rows a mode needs gives the same values', () => {
  const file = readBgcProfileFile({ id: ID, bytes });
  for (const mode of ['expert', 'standard', 'research'] as const) {
    const names = new Set(bgcLevelVariablesToRead({ mode, parameters: file.meta.parameters, variables: VARIABLES }));
    const levels = decodeBgcLevels({
      nLevels: file.meta.nLevels,
      columns: levelColumns(
        file.slots.filter((s) => names.has(s.name)),
        (s) => bytes.subarray(s.offset, s.offset + s.length),
      ),
    });
    const options = { mode, vertical: 'pressure' as const, variables: VARIABLES };
    assert.deepEqual(computeBgcProfile({ meta: file.meta, levels, options }), computeBgcProfile({ meta: file.meta, levels: file.levels, options }), mode);
  }
});

test('interpolation onto pressure and depth levels, per variable over its usable levels', () => {
  const file = readBgcProfileFile({ id: ID, bytes });
  const targets = Float64Array.from([0, 1, 6, 16, 26, 36, 46, 60]);
  const run = (mode: 'standard' | 'research', vertical: 'pressure' | 'depth'): BgcComputedProfile =>
    computeBgcProfile({ meta: file.meta, levels: file.levels, options: { mode, vertical, variables: VARIABLES, targets } });

  const standard = run('standard', 'pressure');
  assert.deepEqual(Array.from(standard.levels), Array.from(targets));
  near(standard.values.PRES, [N, 1, 6, 16, 26, 36, 46, N], 'standard PRES');
  // TEMP skips level 2 (flag 8): 9.5 at 11 dbar → 7.5 at 31 dbar.
  near(standard.values.TEMP, [N, 10.5, 10, 9, 8, 7, 6, N], 'standard TEMP');
  // CHLA usable on levels 0–3 only: no extrapolation past 31 dbar.
  near(standard.values.CHLA, [N, 0.5, 0.625, 0.875, 1.125, N, N, N], 'standard CHLA');
  near(standard.values.DOXY, [N, N, N, N, N, N, N, N], 'standard DOXY');
  near(standard.values.CDOM, [N, N, N, N, N, N, N, N], 'standard CDOM');
  assert.equal(standard.values.NITRATE, null);
  assert.equal(standard.values.PH_IN_SITU_TOTAL, null);

  const research = run('research', 'pressure');
  near(research.values.DOWN_IRRADIANCE490, [N, 1, 1.5, 2.5, 3.5, N, N, N], 'research DOWN_IRRADIANCE490');

  // On depth levels the coordinate is TEOS-10 depth at the profile's latitude (45°): a little
  // less than the pressure in dbar, so a depth target sits a little deeper in pressure.
  const depth = run('standard', 'depth');
  const pres = depth.values.PRES!;
  assert.ok(pres[3] > 16 && pres[3] < 16.2, `PRES at 16 m: ${pres[3]}`);
});

test('values of variables asked twice, and a variable order, come back as asked', () => {
  const file = readBgcProfileFile({ id: ID, bytes });
  const computed = computeBgcProfile({ meta: file.meta, levels: file.levels, options: { mode: 'expert', vertical: 'depth', variables: ['DOXY', 'PRES', 'DOXY'] } });
  assert.deepEqual(Object.keys(computed.values), ['DOXY', 'PRES']);
});
