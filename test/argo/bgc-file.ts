/**
 * Small Argo synthetic profile files for tests, laid out as the GDAC's S-files are (one N_PROF,
 * STATION_PARAMETERS / PARAMETER_DATA_MODE, per parameter `<P>`, `<P>_QC`, `<P>_ADJUSTED`,
 * `<P>_ADJUSTED_QC`, `<P>_ADJUSTED_ERROR`), written with the project's NetCDF writer.
 */
import { juldFromEpochMs } from '../../fixtures/index.js';
import { writeNetcdf, type WriteVariable } from '../../fixtures/index.js';

const FILL = 99999;
const JULD_FILL = 999999;

export interface TestParameter {
  name: string;
  /** PARAMETER_DATA_MODE character. */
  mode: string;
  /** Raw values (NaN → fill) and flags (default '1' per value, ' ' for fill). */
  raw?: number[];
  rawQc?: string;
  adjusted?: number[];
  adjustedQc?: string;
  /** Written for every parameter; the default is fill. */
  adjustedError?: number[];
  /** Variables to leave out of the file, e.g. ['_ADJUSTED', '_ADJUSTED_QC']. */
  omit?: string[];
  units?: string;
  longName?: string;
  validMin?: number;
  validMax?: number;
}

export interface TestSyntheticFile {
  platformNumber?: string;
  cycleNumber?: number;
  direction?: string;
  timeMs?: number | null;
  latitude?: number | null;
  longitude?: number | null;
  positionQc?: string;
  juldQc?: string;
  nLevels: number;
  /** STATION_PARAMETERS order; null is a blank entry (its data-mode position is kept). */
  parameters: (TestParameter | null)[];
  /** Written as the data-mode character of blank entries (default ' '). */
  blankMode?: string;
}

const padded = (s: string, width: number): string => (s.length >= width ? s.slice(0, width) : s + ' '.repeat(width - s.length));

function charVar(name: string, dimensions: string[], data: string): WriteVariable {
  return { name, type: 'char', dimensions, attributes: { long_name: name, _FillValue: ' ' }, data };
}

function floatRow(name: string, values: number[] | undefined, nLevels: number, attributes: Record<string, string | number>): WriteVariable {
  const data = new Float32Array(nLevels).fill(FILL);
  values?.forEach((v, i) => {
    if (!Number.isNaN(v)) data[i] = v;
  });
  return { name, type: 'float', dimensions: ['N_PROF', 'N_LEVELS'], attributes: { _FillValue: FILL, ...attributes }, data };
}

function flagsRow(name: string, values: number[] | undefined, flags: string | undefined, nLevels: number): WriteVariable {
  let qc = '';
  for (let i = 0; i < nLevels; i++) {
    const v = values && i < values.length ? values[i] : NaN;
    qc += flags !== undefined && i < flags.length ? flags[i] : Number.isNaN(v) ? ' ' : '1';
  }
  return charVar(name, ['N_PROF', 'N_LEVELS'], qc);
}

export function writeTestSyntheticFile(file: TestSyntheticFile): Uint8Array {
  const { nLevels, parameters } = file;
  const variables: WriteVariable[] = [
    charVar('DATA_TYPE', ['STRING32'], padded('B-Argo synthetic profile', 32)),
    charVar('PLATFORM_NUMBER', ['N_PROF', 'STRING8'], padded(file.platformNumber ?? '1900001', 8)),
    charVar('STATION_PARAMETERS', ['N_PROF', 'N_PARAM', 'STRING64'], parameters.map((p) => padded(p?.name ?? '', 64)).join('')),
    { name: 'CYCLE_NUMBER', type: 'int', dimensions: ['N_PROF'], attributes: { _FillValue: FILL }, data: [file.cycleNumber ?? 1] },
    charVar('DIRECTION', ['N_PROF'], file.direction ?? 'A'),
    charVar('PARAMETER_DATA_MODE', ['N_PROF', 'N_PARAM'], parameters.map((p) => p?.mode ?? file.blankMode ?? ' ').join('')),
    {
      name: 'JULD',
      type: 'double',
      dimensions: ['N_PROF'],
      attributes: { units: 'days since 1950-01-01 00:00:00 UTC', _FillValue: JULD_FILL },
      data: [file.timeMs === null ? JULD_FILL : juldFromEpochMs(file.timeMs ?? Date.UTC(2023, 3, 1))],
    },
    charVar('JULD_QC', ['N_PROF'], file.juldQc ?? '1'),
    { name: 'LATITUDE', type: 'double', dimensions: ['N_PROF'], attributes: { _FillValue: FILL, valid_min: -90, valid_max: 90 }, data: [file.latitude === null ? FILL : (file.latitude ?? 45)] },
    { name: 'LONGITUDE', type: 'double', dimensions: ['N_PROF'], attributes: { _FillValue: FILL, valid_min: -180, valid_max: 180 }, data: [file.longitude === null ? FILL : (file.longitude ?? -30)] },
    charVar('POSITION_QC', ['N_PROF'], file.positionQc ?? '1'),
  ];
  for (const p of parameters) {
    if (p === null) continue;
    const attributes: Record<string, string | number> = { long_name: p.longName ?? p.name, units: p.units ?? '1' };
    if (p.validMin !== undefined) attributes.valid_min = p.validMin;
    if (p.validMax !== undefined) attributes.valid_max = p.validMax;
    const rows = [
      floatRow(p.name, p.raw, nLevels, attributes),
      flagsRow(`${p.name}_QC`, p.raw, p.rawQc, nLevels),
      floatRow(`${p.name}_ADJUSTED`, p.adjusted, nLevels, attributes),
      flagsRow(`${p.name}_ADJUSTED_QC`, p.adjusted, p.adjustedQc, nLevels),
      floatRow(`${p.name}_ADJUSTED_ERROR`, p.adjustedError, nLevels, { units: p.units ?? '1' }),
    ];
    variables.push(...rows.filter((v) => !(p.omit ?? []).includes(v.name.slice(p.name.length))));
  }
  return writeNetcdf({
    version: 1,
    dimensions: [
      { name: 'STRING64', size: 64 },
      { name: 'STRING32', size: 32 },
      { name: 'STRING8', size: 8 },
      { name: 'N_PROF', size: 1 },
      { name: 'N_PARAM', size: parameters.length },
      { name: 'N_LEVELS', size: nLevels },
    ],
    attributes: { title: 'Argo float vertical profile', user_manual_version: '1.0', Conventions: 'Argo-3.1 CF-1.6' },
    variables,
  });
}
