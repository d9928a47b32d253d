/**
 * The primary profile (N_PROF index 0) of an Argo synthetic profile file, from its header and the
 * bytes of a few small ranges, as `../extract.ts` does for core files: the caller fetches the
 * ranges these functions name (from a whole file in memory, or by HTTP Range). Pure.
 */
import { ArgoFormatError } from '../../errors.js';
import { decodeToFloat64, decodeValues, findVariable } from '../../netcdf/decode.js';
import type { NcAttributeValue, NcHeader } from '../../netcdf/types.js';
import {
  decodeLevelColumn,
  firstChar,
  firstRowSlot,
  isValidPosition,
  juldToEpochMs,
  requireProfileDims,
  trimField,
  type LevelColumn,
  type ProfileSlot,
} from '../extract.js';
import { isParameterName, parameterClass, PRES_ERROR_VARIABLE } from './rules.js';
import type { BgcLevels, BgcProfileMeta, ParameterInfo, ParameterModes } from './types.js';

/**
 * The metadata variables read for each synthetic profile, in Argo file order (they sit within
 * ~1 KB). Unlike core files: no DATA_MODE; STATION_PARAMETERS and PARAMETER_DATA_MODE instead.
 */
export const BGC_META_VARIABLES = [
  'PLATFORM_NUMBER',
  'STATION_PARAMETERS',
  'CYCLE_NUMBER',
  'DIRECTION',
  'PARAMETER_DATA_MODE',
  'JULD',
  'JULD_QC',
  'LATITUDE',
  'LONGITUDE',
  'POSITION_QC',
] as const;
export type BgcMetaVariable = (typeof BGC_META_VARIABLES)[number];

/** The suffixes of a parameter's level variables that the QC modes use, in Argo file order. */
const PARAMETER_ROWS = ['', '_QC', '_ADJUSTED', '_ADJUSTED_QC'] as const;

function notSynthetic(message: string, context: Record<string, unknown>): ArgoFormatError {
  return new ArgoFormatError({ message: `not an Argo synthetic profile file: ${message}`, context });
}

/**
 * The small ranges `extractBgcMeta` reads: the primary profile's row of each metadata variable.
 * Throws `ArgoFormatError` when one is missing or not dimensioned by N_PROF.
 */
export function bgcMetaVariableRanges(header: NcHeader, options: { id?: string } = {}): ProfileSlot[] {
  requireProfileDims(header, options.id);
  return BGC_META_VARIABLES.map((name) => {
    const v = findVariable(header, name);
    if (!v) throw notSynthetic(`no ${name}`, { id: options.id, variable: name });
    if (v.dimensions[0] !== 'N_PROF' || v.isRecord) {
      throw new ArgoFormatError({ message: `Argo variable ${name} is not dimensioned by N_PROF`, context: { id: options.id, variable: name } });
    }
    return firstRowSlot(v);
  });
}

/**
 * The parameters of the primary profile: the non-blank entries of STATION_PARAMETERS[0], each
 * with the character of PARAMETER_DATA_MODE[0] at its position `j` (blank entries keep their
 * position). A repeated name keeps its first position.
 */
export function parseParameterModes({
  stationParameters,
  dataModes,
  nParam,
  id,
}: {
  /** STATION_PARAMETERS[0]: N_PARAM fixed-length names, one after the other. */
  stationParameters: string;
  /** PARAMETER_DATA_MODE[0]: N_PARAM characters. */
  dataModes: string;
  nParam: number;
  id?: string;
}): ParameterModes {
  const width = nParam > 0 ? Math.floor(stationParameters.length / nParam) : 0;
  const out: Record<string, string> = {};
  for (let j = 0; j < nParam; j++) {
    const name = trimField(stationParameters.slice(j * width, (j + 1) * width));
    if (name === '') continue;
    // Names become object keys and variable names: anything but an Argo name is a corrupt file.
    if (!isParameterName(name)) throw notSynthetic(`STATION_PARAMETERS entry ${JSON.stringify(name)} is not a parameter name`, { id, position: j });
    if (Object.hasOwn(out, name)) continue;
    const mode = dataModes.charAt(j);
    out[name] = mode === '' || mode === '\0' ? ' ' : mode;
  }
  return out;
}

export interface ExtractBgcMetaOptions {
  /** The profile's id: `<dac>/<wmo>/profiles/<file>.nc`. */
  id: string;
  header: NcHeader;
  /** The bytes of the named slot from `bgcMetaVariableRanges` (exactly that range). */
  read: (name: BgcMetaVariable) => Uint8Array;
}

/** The primary profile's metadata and parameters. Throws `ArgoFormatError` for a file that is not one. */
export function extractBgcMeta({ id, header, read }: ExtractBgcMetaOptions): BgcProfileMeta {
  const { nProf, nLevels } = requireProfileDims(header, id);
  const slots = new Map(bgcMetaVariableRanges(header, { id }).map((s) => [s.name, s]));
  const bytesOf = (name: BgcMetaVariable): Uint8Array => {
    const slot = slots.get(name)!;
    const bytes = read(name);
    if (bytes.length < slot.length) {
      throw new ArgoFormatError({ message: `Argo variable ${name}: ${bytes.length} bytes, need ${slot.length}`, context: { id, variable: name } });
    }
    return bytes;
  };
  const text = (name: BgcMetaVariable): string => {
    const slot = slots.get(name)!;
    if (slot.type !== 'char') throw new ArgoFormatError({ message: `Argo variable ${name} is not char`, context: { id, variable: name } });
    return decodeValues({ type: 'char', bytes: bytesOf(name), count: slot.length });
  };
  const number = (name: BgcMetaVariable): number => {
    const slot = slots.get(name)!;
    if (slot.type === 'char') throw new ArgoFormatError({ message: `Argo variable ${name} is not numeric`, context: { id, variable: name } });
    return decodeToFloat64({ type: slot.type, bytes: bytesOf(name), count: 1 })[0];
  };

  const stationParameters = findVariable(header, 'STATION_PARAMETERS')!;
  const dataModes = findVariable(header, 'PARAMETER_DATA_MODE')!;
  const nParam = stationParameters.shape[1];
  if (stationParameters.shape.length !== 3 || dataModes.shape.length !== 2 || dataModes.shape[1] !== nParam) {
    throw notSynthetic('STATION_PARAMETERS and PARAMETER_DATA_MODE are not [N_PROF, N_PARAM(, STRING)]', {
      id,
      stationParameters: stationParameters.dimensions,
      parameterDataMode: dataModes.dimensions,
    });
  }
  const parameters = parseParameterModes({ stationParameters: text('STATION_PARAMETERS'), dataModes: text('PARAMETER_DATA_MODE'), nParam, id });
  if (!Object.hasOwn(parameters, 'PRES')) throw notSynthetic('PRES is not among STATION_PARAMETERS', { id });

  const latitude = number('LATITUDE');
  const longitude = number('LONGITUDE');
  const valid = isValidPosition(latitude, longitude);
  return {
    id,
    platformNumber: trimField(text('PLATFORM_NUMBER')),
    cycleNumber: number('CYCLE_NUMBER'),
    direction: firstChar(text('DIRECTION')),
    timeMs: juldToEpochMs(number('JULD'), slots.get('JULD')!.fillValue),
    latitude: valid ? latitude : null,
    longitude: valid ? longitude : null,
    positionQc: firstChar(text('POSITION_QC')),
    juldQc: firstChar(text('JULD_QC')),
    nProf,
    nLevels,
    parameters,
  };
}

/** The level variables of the given parameters that the QC modes may read, by name, in file-order convention. */
export function bgcLevelVariableNames(parameters: Iterable<string>): string[] {
  const names: string[] = [];
  for (const p of parameters) {
    for (const suffix of PARAMETER_ROWS) names.push(`${p}${suffix}`);
    if (p === 'PRES') names.push(PRES_ERROR_VARIABLE);
  }
  return names;
}

/**
 * The primary profile's row of every level variable of the profile's parameters that the file
 * has (`<P>`, `<P>_QC`, `<P>_ADJUSTED`, `<P>_ADJUSTED_QC`, and PRES_ADJUSTED_ERROR), each
 * `[N_PROF, N_LEVELS]`, in file order. What the month index records for the GDAC-range query path.
 */
export function bgcLevelVariableSlots(header: NcHeader, options: { id?: string; parameters: Iterable<string> }): ProfileSlot[] {
  requireProfileDims(header, options.id);
  const out: ProfileSlot[] = [];
  for (const name of bgcLevelVariableNames(options.parameters)) {
    const v = findVariable(header, name);
    if (!v) continue;
    if (v.isRecord || v.dimensions.length !== 2 || v.dimensions[0] !== 'N_PROF' || v.dimensions[1] !== 'N_LEVELS') {
      throw new ArgoFormatError({
        message: `Argo variable ${name} is not dimensioned [N_PROF, N_LEVELS]`,
        context: { id: options.id, variable: name, dimensions: v.dimensions },
      });
    }
    if ((v.type === 'char') !== name.endsWith('_QC')) {
      throw new ArgoFormatError({ message: `Argo variable ${name} has unexpected type ${v.type}`, context: { id: options.id, variable: name } });
    }
    out.push(firstRowSlot(v));
  }
  if (!out.some((s) => s.name === 'PRES')) throw notSynthetic('no PRES', { id: options.id });
  return out.sort((a, b) => a.offset - b.offset);
}

function textAttribute(value: NcAttributeValue | undefined): string | null {
  if (typeof value !== 'string') return null;
  const text = trimField(value);
  return text === '' ? null : text;
}

/**
 * Units, long name and standard name of each parameter, from its variable's attributes (`<P>`,
 * else `<P>_ADJUSTED`): what the API and the clients show. In parameter order.
 */
export function bgcParameterInfo(header: NcHeader, parameters: Iterable<string>): ParameterInfo[] {
  const out: ParameterInfo[] = [];
  for (const name of parameters) {
    const attributes = [findVariable(header, name), findVariable(header, `${name}_ADJUSTED`)].map((v) => v?.attributes ?? {});
    const first = (key: string): string | null => {
      for (const a of attributes) {
        const text = textAttribute(a[key]);
        if (text !== null) return text;
      }
      return null;
    };
    out.push({ name, class: parameterClass(name), units: first('units'), longName: first('long_name'), standardName: first('standard_name') });
  }
  return out;
}

/**
 * Decode fetched primary-profile rows (any names: core or BGC) into `BgcLevels`: numbers with
 * fill and out-of-range values NaN, QC rows as strings. The same checks as for core rows.
 */
export function decodeBgcLevels({ nLevels, columns }: { nLevels: number; columns: Iterable<LevelColumn> }): BgcLevels {
  const values = new Map<string, Float64Array>();
  const flags = new Map<string, string>();
  for (const c of columns) {
    const decoded = decodeLevelColumn(c, nLevels);
    if (typeof decoded === 'string') flags.set(c.name, decoded);
    else values.set(c.name, decoded);
  }
  return { nLevels, values, flags };
}
