/**
 * Primary-profile extraction from byte ranges, on files made by the project's writer
 * (`writeArgoProfile` of the fixtures): metadata, level rows, fill and valid-range masking, missing PSAL,
 * and that nothing outside the named ranges is needed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ARGO_LEVEL_FILL,
  LEVEL_VARIABLES,
  META_VARIABLES,
  decodeLevels,
  extractMeta,
  juldToEpochMs,
  levelColumns,
  levelVariableSlots,
  metaVariableRanges,
  spanOf,
} from '../../src/argo/index.js';
import { ArgoFormatError } from '../../src/errors.js';
import { parseHeader, sliceRange } from '../../src/netcdf/index.js';
import { writeArgoProfile, writeNetcdf, type ArgoProfile } from '../../fixtures/index.js';

const TIME = Date.UTC(2023, 3, 23, 18, 43, 50, 2);

const primary: ArgoProfile = {
  platformNumber: '5906072',
  cycleNumber: 121,
  direction: 'A',
  dataMode: 'A',
  timeMs: TIME,
  latitude: -29.29,
  longitude: 170.5,
  positionQc: '1',
  juldQc: '2',
  levels: {
    PRES: [5, 10, NaN, 40],
    PRES_QC: '11 4',
    TEMP: [20, 19.5, 19, 12],
    PSAL: [35.1, 0, 35.3, 35.4], // 0 is below PSAL's valid_min (2): masked like a fill
    PSAL_QC: '1411',
  },
};
const secondary: ArgoProfile = {
  ...primary,
  dataMode: 'R',
  timeMs: TIME + 3600_000,
  latitude: 1,
  longitude: 2,
  levels: { PRES: [1, 2, 3, 4, 5, 6], TEMP: [1, 2, 3, 4, 5, 6], PSAL: [1, 2, 3, 4, 5, 6] },
};

/** A reader over the file that records which bytes were handed out. */
function trackedReader(file: Uint8Array) {
  const touched = new Uint8Array(file.length);
  return {
    touched,
    read(range: { offset: number; length: number }): Uint8Array {
      touched.fill(1, range.offset, range.offset + range.length);
      return sliceRange(file, range);
    },
  };
}

test('metadata of the primary profile, read from the metadata ranges only', () => {
  const file = writeArgoProfile({ profiles: [primary, secondary], history: [{}, {}, {}] });
  const header = parseHeader(file);
  assert.equal(header.numRecords, 3);
  const slots = metaVariableRanges(header);
  assert.deepEqual(
    slots.map((s) => s.name),
    [...META_VARIABLES],
  );
  const platform = slots.find((s) => s.name === 'PLATFORM_NUMBER')!;
  assert.equal(platform.length, 8, 'only the first of the N_PROF rows');
  const span = spanOf(slots);
  const firstLevelRow = header.variables.find((v) => v.name === 'PRES')!.offset;
  assert.ok(span.offset + span.length <= firstLevelRow, 'the metadata ranges end before the level data');
  assert.ok(span.length < 1024, `metadata span ${span.length} bytes: one small read`);

  const reader = trackedReader(file);
  const byName = new Map(slots.map((s) => [s.name, s]));
  const meta = extractMeta({ id: 'aoml/5906072/profiles/R5906072_121.nc', header, read: (name) => reader.read(byName.get(name)!) });
  assert.deepEqual(meta, {
    id: 'aoml/5906072/profiles/R5906072_121.nc',
    platformNumber: '5906072',
    cycleNumber: 121,
    direction: 'A',
    dataMode: 'A',
    timeMs: TIME,
    latitude: -29.29,
    longitude: 170.5,
    positionQc: '1',
    juldQc: '2',
    nProf: 2,
    nLevels: 6,
  });
  const touched = reader.touched.reduce((a, b) => a + b, 0);
  assert.equal(touched, slots.reduce((a, s) => a + s.length, 0));
});

test('invalid positions and times become null', () => {
  const cases: [Partial<ArgoProfile>, Partial<{ latitude: number | null; timeMs: number | null }>][] = [
    [{ latitude: null, longitude: null }, { latitude: null }],
    [{ latitude: -99.999, longitude: -999.999 }, { latitude: null }],
    [{ latitude: 45, longitude: 181 }, { latitude: null }],
    [{ latitude: 90, longitude: -180 }, { latitude: 90 }],
    [{ timeMs: null }, { timeMs: null }],
  ];
  for (const [change, expected] of cases) {
    const file = writeArgoProfile({ profiles: [{ ...primary, ...change }] });
    const header = parseHeader(file);
    const byName = new Map(metaVariableRanges(header).map((s) => [s.name, s]));
    const meta = extractMeta({ id: 'x', header, read: (name) => sliceRange(file, byName.get(name)!) });
    for (const [key, value] of Object.entries(expected)) assert.equal(meta[key as keyof typeof meta], value, JSON.stringify(change));
    if (meta.latitude === null) assert.equal(meta.longitude, null);
  }
});

test('JULD to epoch ms: rounded to the ms; fill and non-finite are null', () => {
  // R13857_001's JULD and the reference's time_ms for it.
  assert.equal(juldToEpochMs(17376.835416691552), 870206580002);
  assert.equal(juldToEpochMs(0), -631152000000);
  assert.equal(juldToEpochMs(999999), null);
  assert.equal(juldToEpochMs(NaN), null);
  assert.equal(juldToEpochMs(Infinity), null);
});

test('level rows: fill and out-of-valid-range → NaN, QC strings, secondary profile untouched', () => {
  const file = writeArgoProfile({ profiles: [primary, secondary] });
  const header = parseHeader(file);
  const slots = levelVariableSlots(header);
  assert.deepEqual(
    slots.map((s) => s.name),
    [...LEVEL_VARIABLES],
  );
  const pres = slots.find((s) => s.name === 'PRES')!;
  assert.deepEqual(
    { length: pres.length, fillValue: pres.fillValue, validMin: pres.validMin, validMax: pres.validMax },
    { length: 6 * 4, fillValue: 99999, validMin: 0, validMax: 12000 },
  );
  const reader = trackedReader(file);
  const levels = decodeLevels({ nLevels: 6, columns: levelColumns(slots, (s) => reader.read(s)) });
  assert.deepEqual(Array.from(levels.PRES!), [5, 10, NaN, 40, NaN, NaN]);
  assert.equal(levels.PRES_QC, '11 4  ');
  assert.deepEqual(Array.from(levels.PSAL!, (v) => Math.round(v * 1000) / 1000), [35.1, NaN, 35.3, 35.4, NaN, NaN]);
  // Data mode A: the adjusted values default to the raw ones in the synthetic file.
  assert.deepEqual(Array.from(levels.TEMP_ADJUSTED!), Array.from(levels.TEMP!));
  assert.equal(levels.nLevels, 6);
  // Only the primary profile's rows were read: the second row of PRES was never touched.
  const secondRow = pres.offset + pres.length;
  assert.equal(reader.touched.subarray(secondRow, secondRow + pres.length).reduce((a, b) => a + b, 0), 0);
});

test('a float without salinity: no PSAL slots, PSAL null', () => {
  const { PSAL: _psal, PSAL_QC: _qc, ...rest } = primary.levels;
  const file = writeArgoProfile({ profiles: [{ ...primary, levels: rest }] });
  const header = parseHeader(file);
  const slots = levelVariableSlots(header);
  assert.ok(!slots.some((s) => s.name.startsWith('PSAL')));
  const levels = decodeLevels({ nLevels: 4, columns: levelColumns(slots, (s) => sliceRange(file, s)) });
  assert.equal(levels.PSAL, null);
  assert.equal(levels.PSAL_QC, null);
  assert.equal(levels.PSAL_ADJUSTED, null);
  assert.deepEqual(Array.from(levels.TEMP!), [20, 19.5, 19, 12]);
});

test('decodeLevels defaults to the Argo fill and ignores other names', () => {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat32(0, ARGO_LEVEL_FILL);
  new DataView(bytes.buffer).setFloat32(4, 3.5);
  const levels = decodeLevels({
    nLevels: 2,
    columns: [
      { name: 'TEMP', type: 'float', bytes },
      { name: 'DOXY', type: 'float', bytes },
    ],
  });
  assert.deepEqual(Array.from(levels.TEMP!), [NaN, 3.5]);
  assert.equal((levels as Record<string, unknown>).DOXY, undefined);
  assert.throws(() => decodeLevels({ nLevels: 3, columns: [{ name: 'TEMP', type: 'float', bytes }] }), ArgoFormatError);
  assert.throws(() => decodeLevels({ nLevels: 2, columns: [{ name: 'TEMP_QC', type: 'float', bytes }] }), ArgoFormatError);
});

test('a NetCDF file that is not an Argo profile is an ArgoFormatError', () => {
  const notArgo = parseHeader(writeNetcdf({ dimensions: [{ name: 'N', size: 2 }], variables: [{ name: 'X', type: 'int', dimensions: ['N'] }] }));
  assert.throws(() => metaVariableRanges(notArgo), ArgoFormatError);
  assert.throws(() => levelVariableSlots(notArgo), ArgoFormatError);
  const noJuld = parseHeader(
    writeNetcdf({
      dimensions: [
        { name: 'N_PROF', size: 1 },
        { name: 'N_LEVELS', size: 2 },
      ],
      variables: [{ name: 'PRES', type: 'float', dimensions: ['N_PROF', 'N_LEVELS'] }],
    }),
  );
  assert.throws(() => metaVariableRanges(noJuld), /no PLATFORM_NUMBER/);
  assert.equal(levelVariableSlots(noJuld).length, 1);
});
