/**
 * Reading a synthetic profile file's primary profile: parameters and their data modes from
 * STATION_PARAMETERS / PARAMETER_DATA_MODE, metadata from the file, the level rows' byte ranges,
 * units and names from the attributes, and clear errors for files that are not synthetic ones.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bgcLevelVariableSlots,
  bgcMetaVariableRanges,
  parseParameterModes,
  readBgcProfileFile,
} from '../../src/argo/bgc/index.js';
import { writeArgoProfile, type ArgoProfile, type WriteArgoProfileOptions } from '../../fixtures/index.js';
import { ArgoFormatError } from '../../src/errors.js';
import { parseHeader } from '../../src/netcdf/index.js';

const ID = 'coriolis/1900001/profiles/SR1900001_007D.nc';

/** STATION_PARAMETERS with a blank entry in third place. */
const PARAMETERS = ['PRES', 'TEMP', '', 'PSAL', 'CHLA', 'BBP700'];

const PROFILE: ArgoProfile = {
  platformNumber: '1900001',
  cycleNumber: 7,
  direction: 'D',
  timeMs: Date.UTC(2023, 3, 26, 9, 32, 0, 250),
  latitude: -12.5,
  longitude: 170.25,
  positionQc: '2',
  juldQc: '1',
  dataMode: 'R',
  // The blank entry's data mode is D, CHLA's own is A.
  parameterDataModes: { CHLA: 'A', '': 'D' },
  levels: {
    PRES: [5, 10, 15],
    TEMP: [20, 19, 18],
    PSAL: [35, 35, 35],
    CHLA: [0.1, 0.2, 0.3],
    CHLA_ADJUSTED: [0.05, 0.1, 0.15],
    BBP700: [1e-4, 2e-4, 3e-4],
  },
};

/** A synthetic file of PROFILE (with `profile`'s fields over it); BBP700 has no adjusted rows. */
function syntheticFile(profile: Partial<ArgoProfile> = {}, options: Partial<WriteArgoProfileOptions> = {}): Uint8Array {
  return writeArgoProfile({
    kind: 'synthetic',
    parameters: PARAMETERS,
    // Long names other than the table's, to see that they come from the file.
    parameterAttributes: { TEMP: { longName: 'TEMP' }, PSAL: { longName: 'PSAL' } },
    omitVariables: ['BBP700_ADJUSTED', 'BBP700_ADJUSTED_QC', 'BBP700_ADJUSTED_ERROR'],
    ...options,
    profiles: [{ ...PROFILE, ...profile }],
  });
}

test('metadata and parameters of the primary profile, from the file', () => {
  const { meta, parameters, slots, levels } = readBgcProfileFile({ id: ID, bytes: syntheticFile() });
  assert.deepEqual(
    { ...meta, parameters: Object.entries(meta.parameters) },
    {
      id: ID,
      platformNumber: '1900001',
      cycleNumber: 7,
      direction: 'D',
      timeMs: Date.UTC(2023, 3, 26, 9, 32, 0, 250),
      latitude: -12.5,
      longitude: 170.25,
      positionQc: '2',
      juldQc: '1',
      nProf: 1,
      nLevels: 3,
      // The blank entry is skipped; CHLA keeps the data mode at its own position (not the blank's D).
      parameters: [
        ['PRES', 'R'],
        ['TEMP', 'R'],
        ['PSAL', 'R'],
        ['CHLA', 'A'],
        ['BBP700', 'R'],
      ],
    },
  );
  assert.deepEqual(
    parameters.map((p) => [p.name, p.class, p.units, p.longName]),
    [
      ['PRES', 'core', 'decibar', 'Sea water pressure, equals 0 at sea-level'],
      ['TEMP', 'core', 'degree_Celsius', 'TEMP'],
      ['PSAL', 'core', 'psu', 'PSAL'],
      ['CHLA', 'other', 'mg/m3', 'Chlorophyll-A'],
      ['BBP700', 'radiometry', 'm-1', 'Particle backscattering at 700 nanometers'],
    ],
  );
  // The rows the modes use, in file order; no *_dPRES, no *_ADJUSTED_ERROR but pressure's.
  assert.deepEqual(
    slots.map((s) => s.name),
    [
      'PRES', 'PRES_QC', 'PRES_ADJUSTED', 'PRES_ADJUSTED_QC', 'PRES_ADJUSTED_ERROR',
      'TEMP', 'TEMP_QC', 'TEMP_ADJUSTED', 'TEMP_ADJUSTED_QC',
      'PSAL', 'PSAL_QC', 'PSAL_ADJUSTED', 'PSAL_ADJUSTED_QC',
      'CHLA', 'CHLA_QC', 'CHLA_ADJUSTED', 'CHLA_ADJUSTED_QC',
      'BBP700', 'BBP700_QC',
    ],
  );
  for (const s of slots) {
    assert.equal(s.length, s.name.endsWith('_QC') ? 3 : 12, `${s.name}: one row of N_LEVELS`);
    if (s.type !== 'char') assert.equal(s.fillValue, 99999, `${s.name}: _FillValue`);
  }
  assert.deepEqual(Array.from(levels.values.get('PRES')!), [5, 10, 15]);
  assert.deepEqual(Array.from(levels.values.get('PRES_ADJUSTED')!), [NaN, NaN, NaN], 'fill → NaN');
  assert.equal(levels.flags.get('PRES_ADJUSTED_QC'), '   ');
  assert.equal(levels.values.has('BBP700_ADJUSTED'), false, 'a row the file lacks is absent');
});

test('a position or time that is not valid is null', () => {
  const { meta } = readBgcProfileFile({ id: ID, bytes: syntheticFile({ latitude: null, longitude: null, timeMs: null }) });
  assert.equal(meta.latitude, null);
  assert.equal(meta.longitude, null);
  assert.equal(meta.timeMs, null);
  const odd = readBgcProfileFile({ id: ID, bytes: syntheticFile({ latitude: -99.999, longitude: -999.999 }) });
  assert.equal(odd.meta.latitude, null);
});

test('the metadata sits in one small span, as for core files', () => {
  const header = parseHeader(syntheticFile());
  const slots = bgcMetaVariableRanges(header, { id: ID });
  const start = Math.min(...slots.map((s) => s.offset));
  const end = Math.max(...slots.map((s) => s.offset + s.length));
  assert.ok(end - start < 2048, `span ${end - start} bytes`);
  assert.deepEqual(slots.find((s) => s.name === 'STATION_PARAMETERS')?.length, 6 * 64);
});

test('parameter positions: blanks keep their place, repeats keep the first, NULs are blank', () => {
  const names = ['PRES', '', 'DOXY', 'DOXY', 'NITRATE'].map((n) => n.padEnd(16, ' ')).join('');
  assert.deepEqual(parseParameterModes({ stationParameters: names, dataModes: 'DRAR\0', nParam: 5 }), { PRES: 'D', DOXY: 'A', NITRATE: ' ' });
  // Fixed-length fields may be NUL-padded.
  assert.deepEqual(parseParameterModes({ stationParameters: 'PRES\0\0\0\0TEMP    ', dataModes: 'DD', nParam: 2 }), { PRES: 'D', TEMP: 'D' });
  // A short data-mode row: the missing modes are blank.
  assert.deepEqual(parseParameterModes({ stationParameters: 'PRES    TEMP    ', dataModes: 'D', nParam: 2 }), { PRES: 'D', TEMP: ' ' });
});

test('files that are not synthetic profiles are refused clearly', () => {
  const core = writeArgoProfile({ profiles: [{ platformNumber: '1900001', cycleNumber: 1, timeMs: 0, latitude: 0, longitude: 0, levels: { PRES: [1, 2] } }] });
  assert.throws(() => readBgcProfileFile({ id: ID, bytes: core }), (e: unknown) => e instanceof ArgoFormatError && /not an Argo synthetic profile file: no PARAMETER_DATA_MODE/.test(e.message));

  const lower = syntheticFile({}, { parameters: [...PARAMETERS, 'doxy'] });
  assert.throws(() => readBgcProfileFile({ id: ID, bytes: lower }), (e: unknown) => e instanceof ArgoFormatError && /"doxy" is not a parameter name/.test(e.message));
  const proto = syntheticFile({}, { parameters: [...PARAMETERS, '__proto__'] });
  assert.throws(() => readBgcProfileFile({ id: ID, bytes: proto }), ArgoFormatError);

  const noPres = syntheticFile({}, { parameters: PARAMETERS.slice(1) });
  assert.throws(() => readBgcProfileFile({ id: ID, bytes: noPres }), /PRES is not among STATION_PARAMETERS/);

  const full = syntheticFile();
  assert.throws(() => readBgcProfileFile({ id: ID, bytes: full.subarray(0, full.length - 40) }), (e: unknown) => e instanceof Error && /truncated|too short|past the end/.test(e.message));

  const header = parseHeader(full);
  assert.throws(() => bgcLevelVariableSlots(header, { id: ID, parameters: ['TEMP'] }), /no PRES/);
});
