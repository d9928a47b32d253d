/**
 * A demo GDAC tree, generated: realistic Argo core profile files (format 3.1, written with the
 * project's NetCDF classic writer) and their `ar_index_global_prof.txt`, so the service runs on a
 * machine with no network (`npm run demo`), and the benchmark can make a month of any size.
 *
 *     const demo = await generateDemoGdac({ outDir: '.cache/demo-gdac' });
 *     // months 2024-01..2024-03, 150 profiles each, seed 42: deterministic bytes
 *     await generateDemoGdac({ outDir, months: ['2024-05'], profilesPerMonth: 13000, seed: 7 });
 *
 * What the files hold (the real variable names, dimensions, types, fill values and QC characters
 * of the Argo user manual 3.1): the N_HISTORY record dimension with a few HISTORY_* variables,
 * PLATFORM_NUMBER (N_PROF, STRING8), JULD/JULD_QC/JULD_LOCATION, LATITUDE/LONGITUDE/POSITION_QC,
 * PRES/TEMP/PSAL with _QC, _ADJUSTED, _ADJUSTED_QC and _ADJUSTED_ERROR, calibration variables.
 * Profiles are plausible: a warm mixed layer (temperature by latitude), a thermocline, cold deep
 * water, a salinity minimum at intermediate depth; R, A and D data modes (adjusted values and
 * errors where the mode has them), some descending profiles, some files with a second (N_PROF=2)
 * profile, a few bad QC flags, floats drifting in open-ocean boxes (one of them across the
 * antimeridian). Edge cases, on by default: a profile at 23:59:59.6 on a month's last day (the
 * index rounds it into the next month), one profile per month with no position (fill 99999,
 * POSITION_QC 9, empty index latitude/longitude), and one with a bad JULD_QC and an empty index
 * date (placed by its JULD, as the builder must).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeNetcdf, type WriteVariable } from '../netcdf/writer.js';

export const DEMO_MONTHS = ['2024-01', '2024-02', '2024-03'] as const;
export const DEMO_PROFILES_PER_MONTH = 150;
export const DEMO_SEED = 42;

const FILL = 99999;
const JULD_FILL = 999999;
const MS_PER_DAY = 86_400_000;
const JULD_EPOCH_MS = Date.UTC(1950, 0, 1);

/** A float's home: where it is deployed, and who runs it. */
export interface DemoFloatTemplate {
  dac: string;
  /** Two-letter institution code of the index (AO, IF, ...). */
  institution: string;
  /** Deployment box: [lonMin, latMin, lonMax, latMax] (lonMin > lonMax crosses the antimeridian). */
  box: [number, number, number, number];
  /** Ocean code of the index: A, P or I. */
  ocean: 'A' | 'P' | 'I';
  /** Argo profiler type code (index column profiler_type). */
  profilerType?: number;
}

/** Open-ocean boxes, far from land, one per DAC-ish region. */
export const DEFAULT_TEMPLATES: readonly DemoFloatTemplate[] = Object.freeze([
  { dac: 'aoml', institution: 'AO', box: [-60, 25, -35, 40], ocean: 'A', profilerType: 846 },
  { dac: 'coriolis', institution: 'IF', box: [-30, 40, -15, 55], ocean: 'A', profilerType: 836 },
  { dac: 'aoml', institution: 'AO', box: [-140, -8, -95, 8], ocean: 'P', profilerType: 846 },
  { dac: 'jma', institution: 'JA', box: [165, 30, -165, 42], ocean: 'P', profilerType: 863 },
  { dac: 'csiro', institution: 'CS', box: [60, -35, 95, -15], ocean: 'I', profilerType: 841 },
  { dac: 'incois', institution: 'IN', box: [62, 5, 85, 15], ocean: 'I', profilerType: 844 },
  { dac: 'bodc', institution: 'BO', box: [-40, -55, 10, -45], ocean: 'A', profilerType: 844 },
  { dac: 'meds', institution: 'ME', box: [-150, 40, -135, 50], ocean: 'P', profilerType: 846 },
] as const);

export interface GenerateDemoGdacOptions {
  /** Where to write the tree (`dac/...` and `ar_index_global_prof.txt`). */
  outDir: string;
  /** Months to fill (YYYY-MM). Default 2024-01..2024-03. */
  months?: readonly string[];
  /** Core profile files per month (approximately: edge cases included). Default 150. */
  profilesPerMonth?: number;
  /** PRNG seed: the same options give the same bytes. Default 42. */
  seed?: number;
  /** Float homes; default DEFAULT_TEMPLATES. */
  templates?: readonly DemoFloatTemplate[];
  /** Add the edge cases (boundary second, no position, undated). Default true. */
  edgeCases?: boolean;
  /** Files written at once (default 32). */
  writeConcurrency?: number;
}

/** What the generator made, per profile file (for tests and the benchmark). */
export interface DemoProfileInfo {
  /** `<dac>/<wmo>/profiles/<file>.nc` */
  id: string;
  platform: string;
  cycle: number;
  direction: 'A' | 'D';
  dataMode: 'R' | 'A' | 'D';
  /** JULD as epoch ms (null: no valid time). */
  timeMs: number | null;
  latitude: number | null;
  longitude: number | null;
  positionQc: string;
  juldQc: string;
  nLevels: number;
  /** The index `date` column ('' when left empty). */
  indexDate: string;
  dateUpdate: string;
  size: number;
}

export interface DemoGdac {
  outDir: string;
  /** Path of the index file, relative to outDir. */
  indexPath: string;
  profiles: DemoProfileInfo[];
  bytes: number;
}

/** mulberry32: small, fast, good enough for synthetic data, and stable across Node versions. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pad(s: string, n: number): string {
  return s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length);
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

function wrapLon(lon: number): number {
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}

function monthStart(month: string): number {
  return Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1, 1);
}

function monthEnd(month: string): number {
  return Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 1);
}

/** Standard pressure levels of a float's sampling scheme, down to `maxPres`. */
function pressureLevels(scheme: number, maxPres: number, random: () => number): number[] {
  const out: number[] = [];
  let p = 3 + random() * 3;
  // Three schemes like real floats: 2 dbar / 5 dbar / 10 dbar near the surface, coarser below.
  const top = [2, 5, 10][scheme];
  while (p <= maxPres) {
    out.push(Math.round(p * 10) / 10);
    p += p < 200 ? top : p < 1000 ? 25 : 50;
  }
  return out;
}

interface ProfileSpec {
  info: DemoProfileInfo;
  dac: string;
  nProf: number;
  /** Pressures per N_PROF profile (the first is the primary). */
  pres: number[][];
  temp: number[][];
  psal: number[][];
  tempQc: string[];
  psalQc: string[];
  juld: number;
  lat: number;
  lon: number;
  dateCreation: string;
}

/** Temperature and salinity of a plausible profile at this latitude, with a little noise. */
function physics(pres: number[], lat: number, random: () => number): { temp: number[]; psal: number[] } {
  const surface = Math.max(1, 29 - 0.42 * Math.abs(lat) + (random() - 0.5) * 1.5);
  const deep = 1.8 + random() * 0.8;
  const mld = 20 + random() * 60;
  const scale = 250 + random() * 250;
  const sSurface = 34.2 + random() * 1.6 + (Math.abs(lat) < 30 ? 0.6 : 0);
  const temp = pres.map((p) => {
    const t = p <= mld ? surface : deep + (surface - deep) * Math.exp(-(p - mld) / scale);
    return Math.round((t + (random() - 0.5) * 0.02) * 1000) / 1000;
  });
  const psal = pres.map((p) => {
    // Salinity minimum (intermediate water) near 800 dbar, relaxing to 34.7 at depth.
    const s = 34.7 + (sSurface - 34.7) * Math.exp(-p / 300) - 0.25 * Math.exp(-(((p - 800) / 300) ** 2));
    return Math.round((s + (random() - 0.5) * 0.004) * 1000) / 1000;
  });
  return { temp, psal };
}

function qcString(n: number, random: () => number, badRate: number, badFlag: string): string {
  let s = '';
  for (let i = 0; i < n; i++) s += random() < badRate ? badFlag : '1';
  return s;
}

/** The bytes of one Argo core profile file (format 3.1). Pure. */
export function demoProfileFile(spec: ProfileSpec): Uint8Array {
  const { info, nProf } = spec;
  const nLevels = Math.max(...spec.pres.map((p) => p.length));
  const nParam = 3;
  const nCalib = 1;
  const mode = info.dataMode;
  const adjusted = mode !== 'R';
  const nHistory = mode === 'D' ? 3 : 2;
  const dc = pad(info.platform, 8);

  const grid = (rows: number[][], f: (v: number, prof: number) => number): number[] => {
    const out: number[] = [];
    for (let k = 0; k < nProf; k++) for (let i = 0; i < nLevels; i++) out.push(i < rows[k].length ? f(rows[k][i], k) : FILL);
    return out;
  };
  const qcGrid = (rows: number[][], qc: (k: number) => string): string => {
    let s = '';
    for (let k = 0; k < nProf; k++) s += pad(qc(k), nLevels);
    return s;
  };
  const perProf = (value: string, n: number): string => Array.from({ length: nProf }, () => pad(value, n)).join('');

  const pres = grid(spec.pres, (v) => v);
  const temp = grid(spec.temp, (v) => v);
  const psal = grid(spec.psal, (v) => v);
  const presQc = qcGrid(spec.pres, (k) => '1'.repeat(spec.pres[k].length));
  const tempQc = qcGrid(spec.pres, (k) => (k === 0 ? spec.tempQc[0] : '1'.repeat(spec.pres[k].length)));
  const psalQc = qcGrid(spec.pres, (k) => (k === 0 ? spec.psalQc[0] : '1'.repeat(spec.pres[k].length)));
  // Delayed mode: a small pressure offset corrected; adjusted values close to raw.
  const presAdj = adjusted ? grid(spec.pres, (v) => Math.round((v - (mode === 'D' ? 0.3 : 0)) * 10) / 10) : [];
  const tempAdj = adjusted ? grid(spec.temp, (v) => v) : [];
  const psalAdj = adjusted ? grid(spec.psal, (v) => Math.round((v + (mode === 'D' ? 0.005 : 0)) * 1000) / 1000) : [];
  const presAdjQc = adjusted ? presQc : '';
  const tempAdjQc = adjusted ? tempQc : '';
  const psalAdjQc = adjusted ? psalQc : '';
  const err = (value: number) => (mode === 'D' ? grid(spec.pres, () => value) : []);

  const levelAttrs = (longName: string, standardName: string | undefined, units: string, min: number | undefined, max: number | undefined, cFormat: string, resolution: number) => ({
    long_name: longName,
    ...(standardName ? { standard_name: standardName } : {}),
    _FillValue: FILL,
    units,
    ...(min !== undefined ? { valid_min: min } : {}),
    ...(max !== undefined ? { valid_max: max } : {}),
    C_format: cFormat,
    FORTRAN_format: cFormat.replace('%', 'F').replace('f', ''),
    resolution,
  });
  const qcAttrs = { long_name: 'quality flag', conventions: 'Argo reference table 2', _FillValue: ' ' };
  const errAttrs = (units: string, cFormat: string, resolution: number) => ({
    long_name: 'Contains the error on the adjusted values as determined by the delayed mode QC process',
    _FillValue: FILL,
    units,
    C_format: cFormat,
    FORTRAN_format: cFormat.replace('%', 'F').replace('f', ''),
    resolution,
  });
  const charVar = (name: string, dims: string[], data: string, attrs: Record<string, string>): WriteVariable => ({
    name,
    type: 'char',
    dimensions: dims,
    attributes: { ...attrs, _FillValue: ' ' },
    data,
  });
  const PL = ['N_PROF', 'N_LEVELS'];
  const f32 = (name: string, data: number[], attributes: WriteVariable['attributes']): WriteVariable => ({
    name,
    type: 'float',
    dimensions: PL,
    attributes,
    data: new Float32Array(data),
  });

  const historyInstitution = ['IF  ', 'IF  ', 'IF  '].slice(0, nHistory);
  const historyStep = ['ARFM', 'ARGQ', 'ARSQ'].slice(0, nHistory);
  const historyAction = ['    ', 'QCP$', 'QCF$'].slice(0, nHistory);
  const rec = (values: string[], n: number): string => values.map((v) => perProf(v, n)).join('');

  const variables: WriteVariable[] = [
    charVar('DATA_TYPE', ['STRING16'], pad('Argo profile', 16), { long_name: 'Data type', conventions: 'Argo reference table 1' }),
    charVar('FORMAT_VERSION', ['STRING4'], pad('3.1', 4), { long_name: 'File format version' }),
    charVar('HANDBOOK_VERSION', ['STRING4'], pad('1.2', 4), { long_name: 'Data handbook version' }),
    charVar('REFERENCE_DATE_TIME', ['DATE_TIME'], '19500101000000', { long_name: 'Date of reference for Julian days', conventions: 'YYYYMMDDHHMISS' }),
    charVar('DATE_CREATION', ['DATE_TIME'], spec.dateCreation, { long_name: 'Date of file creation', conventions: 'YYYYMMDDHHMISS' }),
    charVar('DATE_UPDATE', ['DATE_TIME'], info.dateUpdate, { long_name: 'Date of update of this file', conventions: 'YYYYMMDDHHMISS' }),
    charVar('PLATFORM_NUMBER', ['N_PROF', 'STRING8'], perProf(dc, 8), { long_name: 'Float unique identifier', conventions: 'WMO float identifier : A9IIIII' }),
    charVar('PROJECT_NAME', ['N_PROF', 'STRING64'], perProf('ARGO DEMO', 64), { long_name: 'Name of the project' }),
    charVar('PI_NAME', ['N_PROF', 'STRING64'], perProf('DEMO PI', 64), { long_name: 'Name of the principal investigator' }),
    charVar('STATION_PARAMETERS', ['N_PROF', 'N_PARAM', 'STRING16'], perProf(pad('PRES', 16) + pad('TEMP', 16) + pad('PSAL', 16), 48), {
      long_name: 'List of available parameters for the station',
      conventions: 'Argo reference table 3',
    }),
    {
      name: 'CYCLE_NUMBER',
      type: 'int',
      dimensions: ['N_PROF'],
      attributes: { long_name: 'Float cycle number', conventions: '0...N, 0 : launch cycle (if exists), 1 : first complete cycle', _FillValue: FILL },
      data: new Int32Array(nProf).fill(info.cycle),
    },
    charVar('DIRECTION', ['N_PROF'], info.direction.repeat(nProf), { long_name: 'Direction of the station profiles', conventions: 'A: ascending profiles, D: descending profiles' }),
    charVar('DATA_CENTRE', ['N_PROF', 'STRING2'], perProf('IF', 2), { long_name: 'Data centre in charge of float data processing', conventions: 'Argo reference table 4' }),
    charVar('DC_REFERENCE', ['N_PROF', 'STRING32'], perProf(`${info.platform}_${info.cycle}`, 32), { long_name: 'Station unique identifier in data centre', conventions: 'Data centre convention' }),
    charVar('DATA_STATE_INDICATOR', ['N_PROF', 'STRING4'], perProf(mode === 'D' ? '2C' : '2B', 4), { long_name: 'Degree of processing the data have passed through', conventions: 'Argo reference table 6' }),
    charVar('DATA_MODE', ['N_PROF'], mode + (nProf > 1 ? 'R'.repeat(nProf - 1) : ''), { long_name: 'Delayed mode or real time data', conventions: 'R : real time; D : delayed mode; A : real time with adjustment' }),
    charVar('PLATFORM_TYPE', ['N_PROF', 'STRING32'], perProf('ARVOR', 32), { long_name: 'Type of float', conventions: 'Argo reference table 23' }),
    charVar('FLOAT_SERIAL_NO', ['N_PROF', 'STRING32'], perProf(`AI${info.platform.slice(-4)}`, 32), { long_name: 'Serial number of the float' }),
    charVar('FIRMWARE_VERSION', ['N_PROF', 'STRING32'], perProf('5900A04', 32), { long_name: 'Instrument firmware version' }),
    charVar('WMO_INST_TYPE', ['N_PROF', 'STRING4'], perProf('844', 4), { long_name: 'Coded instrument type', conventions: 'Argo reference table 8' }),
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
      data: new Float64Array(nProf).fill(spec.juld),
    },
    charVar('JULD_QC', ['N_PROF'], info.juldQc.repeat(nProf), { long_name: 'Quality on date and time', conventions: 'Argo reference table 2' }),
    {
      name: 'JULD_LOCATION',
      type: 'double',
      dimensions: ['N_PROF'],
      attributes: {
        long_name: 'Julian day (UTC) of the location relative to REFERENCE_DATE_TIME',
        units: 'days since 1950-01-01 00:00:00 UTC',
        conventions: 'Relative julian days with decimal part (as parts of day)',
        resolution: 1 / 86400,
        _FillValue: JULD_FILL,
      },
      data: new Float64Array(nProf).fill(spec.juld),
    },
    {
      name: 'LATITUDE',
      type: 'double',
      dimensions: ['N_PROF'],
      attributes: { long_name: 'Latitude of the station, best estimate', standard_name: 'latitude', units: 'degree_north', _FillValue: FILL, valid_min: -90, valid_max: 90, axis: 'Y' },
      data: new Float64Array(nProf).fill(spec.lat),
    },
    {
      name: 'LONGITUDE',
      type: 'double',
      dimensions: ['N_PROF'],
      attributes: { long_name: 'Longitude of the station, best estimate', standard_name: 'longitude', units: 'degree_east', _FillValue: FILL, valid_min: -180, valid_max: 180, axis: 'X' },
      data: new Float64Array(nProf).fill(spec.lon),
    },
    charVar('POSITION_QC', ['N_PROF'], info.positionQc.repeat(nProf), { long_name: 'Quality on position (latitude and longitude)', conventions: 'Argo reference table 2' }),
    charVar('POSITIONING_SYSTEM', ['N_PROF', 'STRING8'], perProf('GPS', 8), { long_name: 'Positioning system' }),
    charVar('PROFILE_PRES_QC', ['N_PROF'], 'A'.repeat(nProf), { long_name: 'Global quality flag of PRES profile', conventions: 'Argo reference table 2a' }),
    charVar('PROFILE_TEMP_QC', ['N_PROF'], 'A'.repeat(nProf), { long_name: 'Global quality flag of TEMP profile', conventions: 'Argo reference table 2a' }),
    charVar('PROFILE_PSAL_QC', ['N_PROF'], 'A'.repeat(nProf), { long_name: 'Global quality flag of PSAL profile', conventions: 'Argo reference table 2a' }),
    charVar('VERTICAL_SAMPLING_SCHEME', ['N_PROF', 'STRING256'], perProf('Primary sampling: averaged [10 sec sampling, 25 dbar average from bottom to 10 dbar]', 256), {
      long_name: 'Vertical sampling scheme',
      conventions: 'Argo reference table 16',
    }),
    {
      name: 'CONFIG_MISSION_NUMBER',
      type: 'int',
      dimensions: ['N_PROF'],
      attributes: { long_name: 'Unique number denoting the missions performed by the float', conventions: '1...N, 1 : first complete mission', _FillValue: FILL },
      data: new Int32Array(nProf).fill(1),
    },
    f32('PRES', pres, { ...levelAttrs('Sea water pressure, equals 0 at sea-level', 'sea_water_pressure', 'decibar', 0, 12000, '%7.1f', 0.1), axis: 'Z' }),
    charVar('PRES_QC', PL, presQc, qcAttrs),
    f32('PRES_ADJUSTED', presAdj, { ...levelAttrs('Sea water pressure, equals 0 at sea-level', 'sea_water_pressure', 'decibar', 0, 12000, '%7.1f', 0.1), axis: 'Z' }),
    charVar('PRES_ADJUSTED_QC', PL, presAdjQc, qcAttrs),
    f32('PRES_ADJUSTED_ERROR', err(2.4), errAttrs('decibar', '%7.1f', 0.1)),
    f32('TEMP', temp, levelAttrs('Sea temperature in-situ ITS-90 scale', 'sea_water_temperature', 'degree_Celsius', -2.5, 40, '%9.3f', 0.001)),
    charVar('TEMP_QC', PL, tempQc, qcAttrs),
    f32('TEMP_ADJUSTED', tempAdj, levelAttrs('Sea temperature in-situ ITS-90 scale', 'sea_water_temperature', 'degree_Celsius', -2.5, 40, '%9.3f', 0.001)),
    charVar('TEMP_ADJUSTED_QC', PL, tempAdjQc, qcAttrs),
    f32('TEMP_ADJUSTED_ERROR', err(0.002), errAttrs('degree_Celsius', '%9.3f', 0.001)),
    f32('PSAL', psal, levelAttrs('Practical salinity', 'sea_water_salinity', 'psu', 2, 41, '%9.3f', 0.001)),
    charVar('PSAL_QC', PL, psalQc, qcAttrs),
    f32('PSAL_ADJUSTED', psalAdj, levelAttrs('Practical salinity', 'sea_water_salinity', 'psu', 2, 41, '%9.3f', 0.001)),
    charVar('PSAL_ADJUSTED_QC', PL, psalAdjQc, qcAttrs),
    f32('PSAL_ADJUSTED_ERROR', err(0.01), errAttrs('psu', '%9.3f', 0.001)),
    charVar('HISTORY_INSTITUTION', ['N_HISTORY', 'N_PROF', 'STRING4'], rec(historyInstitution, 4), { long_name: 'Institution which performed action', conventions: 'Argo reference table 4' }),
    charVar('HISTORY_STEP', ['N_HISTORY', 'N_PROF', 'STRING4'], rec(historyStep, 4), { long_name: 'Step in data processing', conventions: 'Argo reference table 12' }),
    charVar('HISTORY_SOFTWARE', ['N_HISTORY', 'N_PROF', 'STRING4'], rec(['CODA', 'COQC', 'OW  '].slice(0, nHistory), 4), {
      long_name: 'Name of software which performed action',
      conventions: 'Institution dependent',
    }),
    charVar('HISTORY_SOFTWARE_RELEASE', ['N_HISTORY', 'N_PROF', 'STRING4'], rec(['035h', '2.8 ', '1.1 '].slice(0, nHistory), 4), {
      long_name: 'Version/release of software which performed action',
      conventions: 'Institution dependent',
    }),
    charVar('HISTORY_REFERENCE', ['N_HISTORY', 'N_PROF', 'STRING64'], rec(Array(nHistory).fill(''), 64), { long_name: 'Reference of database', conventions: 'Institution dependent' }),
    charVar('HISTORY_DATE', ['N_HISTORY', 'N_PROF', 'DATE_TIME'], rec(Array(nHistory).fill(spec.dateCreation), 14), {
      long_name: 'Date the history record was created',
      conventions: 'YYYYMMDDHHMISS',
    }),
    charVar('HISTORY_ACTION', ['N_HISTORY', 'N_PROF', 'STRING4'], rec(historyAction, 4), { long_name: 'Action performed on data', conventions: 'Argo reference table 7' }),
    charVar('HISTORY_PARAMETER', ['N_HISTORY', 'N_PROF', 'STRING16'], rec(Array(nHistory).fill(''), 16), { long_name: 'Station parameter action is performed on', conventions: 'Argo reference table 3' }),
    {
      name: 'HISTORY_START_PRES',
      type: 'float',
      dimensions: ['N_HISTORY', 'N_PROF'],
      attributes: { long_name: 'Start pressure action applied on', _FillValue: FILL, units: 'decibar' },
      data: new Float32Array(nHistory * nProf).fill(FILL),
    },
    {
      name: 'HISTORY_STOP_PRES',
      type: 'float',
      dimensions: ['N_HISTORY', 'N_PROF'],
      attributes: { long_name: 'Stop pressure action applied on', _FillValue: FILL, units: 'decibar' },
      data: new Float32Array(nHistory * nProf).fill(FILL),
    },
    {
      name: 'HISTORY_PREVIOUS_VALUE',
      type: 'float',
      dimensions: ['N_HISTORY', 'N_PROF'],
      attributes: { long_name: 'Parameter/Flag previous value before action', _FillValue: FILL },
      data: new Float32Array(nHistory * nProf).fill(FILL),
    },
    charVar('HISTORY_QCTEST', ['N_HISTORY', 'N_PROF', 'STRING16'], rec(['', '0007FFFE', '00000000'].slice(0, nHistory), 16), {
      long_name: 'Documentation of tests performed, tests failed (in hex form)',
      conventions: 'Write tests performed when ACTION=QCP$; tests failed when ACTION=QCF$',
    }),
    charVar('PARAMETER', ['N_PROF', 'N_CALIB', 'N_PARAM', 'STRING16'], perProf(pad('PRES', 16) + pad('TEMP', 16) + pad('PSAL', 16), 48), {
      long_name: 'List of parameters with calibration information',
      conventions: 'Argo reference table 3',
    }),
    charVar('SCIENTIFIC_CALIB_EQUATION', ['N_PROF', 'N_CALIB', 'N_PARAM', 'STRING256'], perProf(mode === 'D' ? pad('PRES_ADJUSTED = PRES - dP', 256) + pad('none', 256) + pad('PSAL_ADJUSTED = PSAL', 256) : '', 768), {
      long_name: 'Calibration equation for this parameter',
    }),
    charVar('SCIENTIFIC_CALIB_COEFFICIENT', ['N_PROF', 'N_CALIB', 'N_PARAM', 'STRING256'], perProf(mode === 'D' ? pad('dP = 0.3 dbar', 256) + pad('none', 256) + pad('r = 1.0001', 256) : '', 768), {
      long_name: 'Calibration coefficients for this equation',
    }),
    charVar('SCIENTIFIC_CALIB_COMMENT', ['N_PROF', 'N_CALIB', 'N_PARAM', 'STRING256'], perProf(mode === 'D' ? pad('Demo delayed-mode adjustment', 768) : '', 768), {
      long_name: 'Comment applying to this parameter calibration',
    }),
    charVar('SCIENTIFIC_CALIB_DATE', ['N_PROF', 'N_CALIB', 'N_PARAM', 'DATE_TIME'], perProf(mode === 'D' ? info.dateUpdate.repeat(3) : '', 42), { long_name: 'Date of calibration', conventions: 'YYYYMMDDHHMISS' }),
  ];

  return writeNetcdf({
    version: 1,
    dimensions: [
      { name: 'DATE_TIME', size: 14 },
      { name: 'STRING256', size: 256 },
      { name: 'STRING64', size: 64 },
      { name: 'STRING32', size: 32 },
      { name: 'STRING16', size: 16 },
      { name: 'STRING8', size: 8 },
      { name: 'STRING4', size: 4 },
      { name: 'STRING2', size: 2 },
      { name: 'N_PROF', size: nProf },
      { name: 'N_PARAM', size: nParam },
      { name: 'N_LEVELS', size: nLevels },
      { name: 'N_HISTORY', size: 0, isRecord: true },
      { name: 'N_CALIB', size: nCalib },
    ],
    attributes: {
      title: 'Argo float vertical profile',
      institution: 'ARGO DEMO',
      source: 'Argo float',
      history: `${new Date(spec.juld * MS_PER_DAY + JULD_EPOCH_MS).toISOString().slice(0, 19)}Z creation (synthetic demo data)`,
      references: 'http://www.argodatamgt.org/Documentation',
      user_manual_version: '3.1',
      Conventions: 'Argo-3.1 CF-1.6',
      featureType: 'trajectoryProfile',
      comment: 'Synthetic profile generated by argo-profiles-service (src/demo/generate-gdac.ts); not real data.',
    },
    variables,
    numRecords: nHistory,
  });
}

interface FloatState {
  template: DemoFloatTemplate;
  wmo: string;
  lat: number;
  lon: number;
  scheme: number;
  mode: 'R' | 'A' | 'D';
  cycle: number;
}

export const INDEX_HEADER = [
  '# Title : Profile directory file of the Argo Global Data Assembly Center',
  '# Description : The directory file describes all individual profile files of the argo GDAC ftp site.',
  '# Project : ARGO',
  '# Format version : 2.0',
  '# Date of update : {DATE}',
  '# FTP root number 1 : ftp://ftp.ifremer.fr/ifremer/argo/dac',
  '# FTP root number 2 : ftp://usgodae.org/pub/outgoing/argo/dac',
  '# GDAC node : CORIOLIS',
  'file,date,latitude,longitude,ocean,profiler_type,institution,date_update',
] as const;

interface PlannedFile {
  spec: ProfileSpec;
  template: DemoFloatTemplate;
}

/** The profiles to make (pure: no I/O). */
export function planDemoProfiles(options: Omit<GenerateDemoGdacOptions, 'outDir' | 'writeConcurrency'> = {}): PlannedFile[] {
  const months = [...(options.months ?? DEMO_MONTHS)].sort();
  const perMonth = Math.max(1, Math.floor(options.profilesPerMonth ?? DEMO_PROFILES_PER_MONTH));
  const random = prng(options.seed ?? DEMO_SEED);
  const templates = options.templates?.length ? options.templates : DEFAULT_TEMPLATES;
  const edgeCases = options.edgeCases ?? true;
  // A float profiles every 10 days: ~3 per month.
  const perFloat = 3;
  const nFloats = Math.max(1, Math.ceil(perMonth / perFloat));
  const floats: FloatState[] = Array.from({ length: nFloats }, (_, i) => {
    const template = templates[i % templates.length];
    const [lonMin, latMin, lonMax, latMax] = template.box;
    const width = lonMax >= lonMin ? lonMax - lonMin : lonMax + 360 - lonMin;
    const u = random();
    return {
      template,
      // 7-digit WMO numbers: 19xxxxx / 29xxxxx / 39xxxxx ... by template, unique per float.
      wmo: String(1_900_000 + (i % templates.length) * 1_000_000 + 10_000 + Math.floor(i / templates.length)).slice(0, 7),
      lat: latMin + random() * (latMax - latMin),
      lon: wrapLon(lonMin + u * width),
      scheme: Math.floor(random() * 3),
      mode: (() => {
        const r = random();
        return r < 0.4 ? 'D' : r < 0.55 ? 'A' : 'R';
      })(),
      cycle: 1 + Math.floor(random() * 150),
    };
  });

  const planned: PlannedFile[] = [];
  for (const month of months) {
    const start = monthStart(month);
    const end = monthEnd(month);
    for (let k = 0; k < perMonth; k++) {
      const float = floats[k % nFloats];
      const slot = Math.floor(k / nFloats);
      const slots = Math.ceil(perMonth / nFloats);
      // Spread over the month, on whole minutes (JULD resolution is usually a minute).
      let timeMs = start + Math.floor(((slot + random() * 0.9) / slots) * (end - start - 120_000) / 60_000) * 60_000;
      // One of each edge case a month, at fixed places (distinct even for small months).
      const variant = !edgeCases
        ? 'normal'
        : k === perMonth - 1
          ? 'boundary'
          : k === Math.min(7, perMonth - 2)
            ? 'no-position'
            : k === Math.min(11, perMonth - 3)
              ? 'undated'
              : 'normal';
      // The last second of the month, 0.6 s before midnight: the index rounds it into next month.
      if (variant === 'boundary') timeMs = end - 400;
      float.cycle++;
      // Drift ~0.1–0.2° per cycle.
      float.lat = Math.max(-70, Math.min(70, float.lat + (random() - 0.5) * 0.3));
      float.lon = wrapLon(float.lon + (random() - 0.3) * 0.3);
      const descending = random() < 0.06;
      const secondary = random() < 0.05;
      const maxPres = random() < 0.8 ? 1900 + random() * 150 : 800 + random() * 600;
      const primary = pressureLevels(float.scheme, maxPres, random);
      const { temp, psal } = physics(primary, float.lat, random);
      const pres = [primary];
      const temps = [temp];
      const psals = [psal];
      if (secondary) {
        // A near-surface secondary profile (N_PROF = 2), as unpumped CTD samples are stored.
        const near = pressureLevels(0, 8 + random() * 4, random);
        const phys = physics(near, float.lat, random);
        pres.push(near);
        temps.push(phys.temp);
        psals.push(phys.psal);
      }
      const badTemp = random() < 0.08;
      const badPsal = random() < 0.1;
      const tempQc = qcString(primary.length, random, badTemp ? 0.08 : 0, '4');
      const psalQc = qcString(primary.length, random, badPsal ? 0.1 : 0, '3');
      const noPosition = variant === 'no-position';
      const undated = variant === 'undated';
      const lat = Math.round(float.lat * 1000) / 1000;
      const lon = Math.round(float.lon * 1000) / 1000;
      const mode = float.mode;
      const prefix = mode === 'D' ? 'D' : 'R';
      const file = `${prefix}${float.wmo}_${String(float.cycle).padStart(3, '0')}${descending ? 'D' : ''}.nc`;
      const id = `${float.template.dac}/${float.wmo}/profiles/${file}`;
      const juld = (timeMs - JULD_EPOCH_MS) / MS_PER_DAY;
      const updateMs = timeMs + (mode === 'D' ? 200 * MS_PER_DAY : mode === 'A' ? MS_PER_DAY : 6 * 3_600_000) + Math.floor(random() * 3_600_000);
      const positionQc = noPosition ? '9' : random() < 0.02 ? '4' : random() < 0.05 ? '2' : '1';
      const info: DemoProfileInfo = {
        id,
        platform: float.wmo,
        cycle: float.cycle,
        direction: descending ? 'D' : 'A',
        dataMode: mode,
        timeMs: Math.round(juld * MS_PER_DAY) + JULD_EPOCH_MS,
        latitude: noPosition ? null : lat,
        longitude: noPosition ? null : lon,
        positionQc,
        juldQc: undated ? '4' : '1',
        nLevels: Math.max(...pres.map((p) => p.length)),
        indexDate: undated ? '' : stamp(Math.round(timeMs / 1000) * 1000),
        dateUpdate: stamp(updateMs),
        size: 0,
      };
      planned.push({
        template: float.template,
        spec: {
          info,
          dac: float.template.dac,
          nProf: pres.length,
          pres,
          temp: temps,
          psal: psals,
          tempQc: [tempQc],
          psalQc: [psalQc],
          juld,
          lat: noPosition ? FILL : lat,
          lon: noPosition ? FILL : lon,
          dateCreation: stamp(timeMs + 3_600_000),
        },
      });
    }
  }
  return planned;
}

function fixed3(x: number | null): string {
  return x === null ? '' : x.toFixed(3);
}

/** The index text for the given profiles (rows sorted by file, as on the GDAC). */
export function demoIndexText(profiles: readonly { info: DemoProfileInfo; template: DemoFloatTemplate }[]): string {
  const rows = [...profiles].sort((a, b) => (a.info.id < b.info.id ? -1 : a.info.id > b.info.id ? 1 : 0));
  const latest = rows.reduce((m, r) => (r.info.dateUpdate > m ? r.info.dateUpdate : m), '19700101000000');
  const lines: string[] = INDEX_HEADER.map((l) => l.replace('{DATE}', latest));
  for (const { info, template } of rows) {
    const ocean = info.latitude === null ? '' : template.ocean;
    lines.push(
      [info.id, info.indexDate, fixed3(info.latitude), fixed3(info.longitude), ocean, template.profilerType ?? 846, template.institution, info.dateUpdate].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

/** Writes the demo GDAC tree under `outDir`. Deterministic for the same options. */
export async function generateDemoGdac(options: GenerateDemoGdacOptions): Promise<DemoGdac> {
  const planned = planDemoProfiles(options);
  const concurrency = Math.max(1, options.writeConcurrency ?? 32);
  let bytes = 0;
  let next = 0;
  const dirs = new Set(planned.map((p) => dirname(join(options.outDir, 'dac', p.spec.info.id))));
  for (const dir of dirs) await mkdir(dir, { recursive: true });
  const worker = async (): Promise<void> => {
    while (next < planned.length) {
      const p = planned[next++];
      const body = demoProfileFile(p.spec);
      p.spec.info.size = body.length;
      bytes += body.length;
      await writeFile(join(options.outDir, 'dac', p.spec.info.id), body);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const indexPath = 'ar_index_global_prof.txt';
  const index = demoIndexText(planned.map((p) => ({ info: p.spec.info, template: p.template })));
  await writeFile(join(options.outDir, indexPath), index);
  return { outDir: options.outDir, indexPath, profiles: planned.map((p) => p.spec.info), bytes };
}
