/**
 * Synthetic Argo core profile files, laid out like real ones (Argo user manual 3.1: dimensions,
 * variable order, `_FillValue` / valid ranges, N_HISTORY as the record dimension), written with the
 * project's NetCDF classic writer. For test fixtures and the demo GDAC: never hand-edited binaries.
 * Pure: returns bytes.
 */
import { writeNetcdf, type WriteVariable } from '../netcdf/writer.js';
import type { LevelVariable } from './types.js';

const FILL = 99999;
const JULD_FILL = 999999;
const MS_PER_DAY = 86400000;
/** 1950-01-01T00:00:00Z, JULD's reference, in Unix ms. */
const JULD_EPOCH_MS = -631152000000;

/** Level values of one profile: raw values are required for PRES; NaN or missing → fill. */
export type SyntheticLevels = Partial<Record<Exclude<LevelVariable, `${string}_QC`>, ArrayLike<number>>> &
  Partial<Record<Extract<LevelVariable, `${string}_QC`>, string>> & { PRES: ArrayLike<number> };

export interface SyntheticProfile {
  platformNumber: string;
  cycleNumber: number;
  /** 'A' (default) or 'D'. */
  direction?: string;
  /** 'R' (default), 'A' or 'D'. */
  dataMode?: string;
  /** Epoch ms; null → JULD fill. */
  timeMs: number | null;
  /** null → 99999 (the Argo fill). */
  latitude: number | null;
  longitude: number | null;
  /** Default '1'. */
  positionQc?: string;
  juldQc?: string;
  /**
   * Level data. Missing QC strings default to '1' where a value is given and ' ' where not.
   * Missing `_ADJUSTED` values: a copy of the raw ones when the data mode is A or D, fill for R.
   * Missing PRES_ADJUSTED_ERROR: 2.4 dbar (a typical value) for A/D, fill for R.
   */
  levels: SyntheticLevels;
}

export interface WriteArgoProfileOptions {
  /** Index 0 is the primary profile; others are written as further N_PROF entries. */
  profiles: SyntheticProfile[];
  /** N_LEVELS; default: the longest profile's PRES. */
  nLevels?: number;
  /** Write PSAL* (default: when any profile gives PSAL). Old floats have no salinity. */
  withPsal?: boolean;
  /** DATE_UPDATE (YYYYMMDDHHMMSS); default 20230101000000. */
  dateUpdate?: string;
  /** Records of the N_HISTORY record dimension (default 1). */
  historyRecords?: number;
  /** NetCDF version (default 1: CDF-1, as every GDAC file). */
  version?: 1 | 2;
}

const DIMS = {
  DATE_TIME: 14,
  STRING256: 256,
  STRING64: 64,
  STRING32: 32,
  STRING16: 16,
  STRING8: 8,
  STRING4: 4,
  STRING2: 2,
} as const;

function padded(s: string, width: number): string {
  return s.length >= width ? s.slice(0, width) : s + ' '.repeat(width - s.length);
}

export function juldFromEpochMs(ms: number): number {
  return (ms - JULD_EPOCH_MS) / MS_PER_DAY;
}

/** Write an Argo core profile file (`R<wmo>_<cycle>.nc` / `D…` layout) holding `profiles`. */
export function writeArgoProfile(options: WriteArgoProfileOptions): Uint8Array {
  const profiles = options.profiles;
  if (profiles.length === 0) throw new RangeError('writeArgoProfile needs at least one profile');
  const nProf = profiles.length;
  const nLevels = options.nLevels ?? Math.max(...profiles.map((p) => p.levels.PRES.length));
  const withPsal = options.withPsal ?? profiles.some((p) => p.levels.PSAL !== undefined);
  const params = withPsal ? ['PRES', 'TEMP', 'PSAL'] : ['PRES', 'TEMP'];
  const historyRecords = options.historyRecords ?? 1;

  const perProfChars = (width: number, value: (p: SyntheticProfile) => string) =>
    profiles.map((p) => padded(value(p), width)).join('');
  const charVar = (name: string, dims: string[], data: string, long: string): WriteVariable => ({
    name,
    type: 'char',
    dimensions: dims,
    attributes: { long_name: long, _FillValue: ' ' },
    data,
  });

  const variables: WriteVariable[] = [
    charVar('DATA_TYPE', ['STRING16'], padded('Argo profile', 16), 'Data type'),
    charVar('FORMAT_VERSION', ['STRING4'], padded('3.1', 4), 'File format version'),
    charVar('HANDBOOK_VERSION', ['STRING4'], padded('1.2', 4), 'Data handbook version'),
    charVar('REFERENCE_DATE_TIME', ['DATE_TIME'], '19500101000000', 'Date of reference for Julian days'),
    charVar('DATE_CREATION', ['DATE_TIME'], options.dateUpdate ?? '20230101000000', 'Date of file creation'),
    charVar('DATE_UPDATE', ['DATE_TIME'], options.dateUpdate ?? '20230101000000', 'Date of update of this file'),
    charVar('PLATFORM_NUMBER', ['N_PROF', 'STRING8'], perProfChars(8, (p) => p.platformNumber), 'Float unique identifier'),
    charVar('PROJECT_NAME', ['N_PROF', 'STRING64'], perProfChars(64, () => 'SYNTHETIC'), 'Name of the project'),
    charVar('PI_NAME', ['N_PROF', 'STRING64'], perProfChars(64, () => 'NOBODY'), 'Name of the principal investigator'),
    charVar(
      'STATION_PARAMETERS',
      ['N_PROF', 'N_PARAM', 'STRING16'],
      profiles.map(() => params.map((p) => padded(p, 16)).join('')).join(''),
      'List of available parameters for the station',
    ),
    {
      name: 'CYCLE_NUMBER',
      type: 'int',
      dimensions: ['N_PROF'],
      attributes: { long_name: 'Float cycle number', conventions: '0...N, 0 : launch cycle (if exists), 1 : first complete cycle', _FillValue: FILL },
      data: profiles.map((p) => p.cycleNumber),
    },
    charVar('DIRECTION', ['N_PROF'], profiles.map((p) => p.direction ?? 'A').join(''), 'Direction of the station profiles'),
    charVar('DATA_CENTRE', ['N_PROF', 'STRING2'], perProfChars(2, () => 'XX'), 'Data centre in charge of float data processing'),
    charVar('DATA_MODE', ['N_PROF'], profiles.map((p) => p.dataMode ?? 'R').join(''), 'Delayed mode or real time data'),
    {
      name: 'JULD',
      type: 'double',
      dimensions: ['N_PROF'],
      attributes: {
        long_name: 'Julian day (UTC) of the station relative to REFERENCE_DATE_TIME',
        standard_name: 'time',
        units: 'days since 1950-01-01 00:00:00 UTC',
        conventions: 'Relative julian days with decimal part (as parts of day)',
        resolution: 1 / 86400,
        _FillValue: JULD_FILL,
        axis: 'T',
      },
      data: profiles.map((p) => (p.timeMs === null ? JULD_FILL : juldFromEpochMs(p.timeMs))),
    },
    charVar('JULD_QC', ['N_PROF'], profiles.map((p) => p.juldQc ?? '1').join(''), 'Quality on date and time'),
    {
      name: 'LATITUDE',
      type: 'double',
      dimensions: ['N_PROF'],
      attributes: { long_name: 'Latitude of the station, best estimate', units: 'degree_north', _FillValue: FILL, valid_min: -90, valid_max: 90, axis: 'Y' },
      data: profiles.map((p) => p.latitude ?? FILL),
    },
    {
      name: 'LONGITUDE',
      type: 'double',
      dimensions: ['N_PROF'],
      attributes: { long_name: 'Longitude of the station, best estimate', units: 'degree_east', _FillValue: FILL, valid_min: -180, valid_max: 180, axis: 'X' },
      data: profiles.map((p) => p.longitude ?? FILL),
    },
    charVar('POSITION_QC', ['N_PROF'], profiles.map((p) => p.positionQc ?? '1').join(''), 'Quality on position (latitude and longitude)'),
  ];

  // valid_min / valid_max as in real core files (readers mask values outside them).
  const ranges: Record<string, [number, number]> = { PRES: [0, 12000], TEMP: [-2.5, 40], PSAL: [2, 41] };
  for (const param of params) {
    for (const suffix of ['', '_ADJUSTED']) {
      const name = `${param}${suffix}` as Exclude<LevelVariable, `${string}_QC`>;
      const qcName = `${name}_QC` as Extract<LevelVariable, `${string}_QC`>;
      const values = new Float32Array(nProf * nLevels).fill(FILL);
      let qc = '';
      profiles.forEach((p, k) => {
        const adjusted = suffix !== '' && (p.dataMode === 'A' || p.dataMode === 'D');
        const given = p.levels[name] ?? (adjusted ? p.levels[param as 'PRES' | 'TEMP' | 'PSAL'] : undefined);
        const flags = p.levels[qcName];
        for (let i = 0; i < nLevels; i++) {
          const v = given !== undefined && i < given.length ? given[i] : NaN;
          if (!Number.isNaN(v)) values[k * nLevels + i] = v;
          qc += flags !== undefined && i < flags.length ? flags[i] : Number.isNaN(v) ? ' ' : '1';
        }
      });
      const [validMin, validMax] = ranges[param];
      variables.push({
        name,
        type: 'float',
        dimensions: ['N_PROF', 'N_LEVELS'],
        attributes: { long_name: name, _FillValue: FILL, valid_min: validMin, valid_max: validMax, resolution: 0.001 },
        data: values,
      });
      variables.push(charVar(qcName, ['N_PROF', 'N_LEVELS'], qc, 'quality flag'));
      if (suffix === '_ADJUSTED') {
        const errors = new Float32Array(nProf * nLevels).fill(FILL);
        profiles.forEach((p, k) => {
          const given = param === 'PRES' ? p.levels.PRES_ADJUSTED_ERROR : undefined;
          const adjusted = p.dataMode === 'A' || p.dataMode === 'D';
          for (let i = 0; i < nLevels; i++) {
            const v = given !== undefined ? (i < given.length ? given[i] : NaN) : adjusted && i < p.levels.PRES.length ? 2.4 : NaN;
            if (!Number.isNaN(v)) errors[k * nLevels + i] = v;
          }
        });
        variables.push({
          name: `${param}_ADJUSTED_ERROR`,
          type: 'float',
          dimensions: ['N_PROF', 'N_LEVELS'],
          attributes: { long_name: 'Contains the error on the adjusted values as determined by the delayed mode QC process', _FillValue: FILL },
          data: errors,
        });
      }
    }
  }

  variables.push(
    charVar('HISTORY_INSTITUTION', ['N_HISTORY', 'N_PROF', 'STRING4'], padded('XX', 4).repeat(nProf * historyRecords), 'Institution which performed action'),
    charVar('HISTORY_DATE', ['N_HISTORY', 'N_PROF', 'DATE_TIME'], (options.dateUpdate ?? '20230101000000').repeat(nProf * historyRecords), 'Date the history record was created'),
    {
      name: 'HISTORY_START_PRES',
      type: 'float',
      dimensions: ['N_HISTORY', 'N_PROF'],
      attributes: { long_name: 'Start pressure action applied on', _FillValue: FILL },
    },
  );

  return writeNetcdf({
    version: options.version ?? 1,
    dimensions: [
      ...Object.entries(DIMS).map(([name, size]) => ({ name, size })),
      { name: 'N_PROF', size: nProf },
      { name: 'N_PARAM', size: params.length },
      { name: 'N_LEVELS', size: nLevels },
      { name: 'N_CALIB', size: 1 },
      { name: 'N_HISTORY', size: 0, isRecord: true },
    ],
    attributes: {
      title: 'Argo float vertical profile',
      institution: 'SYNTHETIC',
      source: 'Argo float (synthetic test data written by the project)',
      history: `${options.dateUpdate ?? '20230101000000'} creation`,
      references: 'http://www.argodatamgt.org/Documentation',
      user_manual_version: '3.1',
      Conventions: 'Argo-3.1 CF-1.6',
      featureType: 'trajectoryProfile',
    },
    variables,
    numRecords: historyRecords,
  });
}
