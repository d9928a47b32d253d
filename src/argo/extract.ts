/**
 * The primary profile (N_PROF index 0) of an Argo core profile file, from its header and the bytes
 * of a few small ranges. Pure: the caller fetches the ranges these functions name (from a whole
 * file in memory, or by HTTP Range), so a query reads only the primary profile's rows.
 */
import { ArgoFormatError } from '../errors.js';
import { decodeToFloat64, decodeValues, findVariable, maskOf, rowElements } from '../netcdf/decode.js';
import { NC_TYPE_SIZE, type NcHeader, type NcType, type NcVariable } from '../netcdf/types.js';
import { LEVEL_VARIABLES, type ProfileLevels, type ProfileMeta } from './types.js';

/** Where the primary profile's part of one variable sits in the file. */
export interface ProfileSlot {
  name: string;
  type: NcType;
  offset: number;
  length: number;
  /** Masking (numeric variables): `_FillValue` (or the type's default fill), valid range. */
  fillValue?: number;
  validMin?: number;
  validMax?: number;
}

/** The metadata variables read for each profile, in Argo file order (they sit within ~500 bytes). */
export const META_VARIABLES = [
  'PLATFORM_NUMBER',
  'CYCLE_NUMBER',
  'DIRECTION',
  'DATA_MODE',
  'JULD',
  'JULD_QC',
  'LATITUDE',
  'LONGITUDE',
  'POSITION_QC',
] as const;
export type MetaVariable = (typeof META_VARIABLES)[number];

/** The Argo format's `_FillValue` for every level variable (used when a slot carries none). */
export const ARGO_LEVEL_FILL = 99999;
/** JULD's `_FillValue` in the Argo format. */
export const JULD_FILL = 999999;
/**
 * JULD's reference instant, 1950-01-01T00:00:00Z, in Unix epoch ms (`Date.UTC(1950, 0, 1)`): the
 * one definition; writers of Argo files (fixtures, the demo) convert with it too.
 */
export const JULD_EPOCH_MS = -631152000000;
const MS_PER_DAY = 86400000;

function dimensionSize(header: NcHeader, name: string): number | undefined {
  return header.dimensions.find((d) => d.name === name)?.size;
}

/** The slot of a variable's first row along its first dimension (N_PROF): the primary profile. */
export function firstRowSlot(v: NcVariable): ProfileSlot {
  const slot: ProfileSlot = { name: v.name, type: v.type, offset: v.offset, length: rowElements(v) * NC_TYPE_SIZE[v.type] };
  if (v.type !== 'char') Object.assign(slot, maskOf(v));
  return slot;
}

/** N_PROF and N_LEVELS, or `ArgoFormatError` when the file has neither or no profile. */
export function requireProfileDims(header: NcHeader, id: string | undefined): { nProf: number; nLevels: number } {
  const nProf = dimensionSize(header, 'N_PROF');
  const nLevels = dimensionSize(header, 'N_LEVELS');
  if (nProf === undefined || nLevels === undefined) {
    throw new ArgoFormatError({ message: 'not an Argo profile file: no N_PROF or N_LEVELS dimension', context: { id } });
  }
  if (nProf < 1) throw new ArgoFormatError({ message: 'Argo profile file with N_PROF = 0', context: { id } });
  return { nProf, nLevels };
}

/**
 * The small ranges `extractMeta` reads: the primary profile's element (or row, for
 * PLATFORM_NUMBER) of each metadata variable. Throws `ArgoFormatError` when one is missing or not
 * dimensioned by N_PROF.
 */
export function metaVariableRanges(header: NcHeader, options: { id?: string } = {}): ProfileSlot[] {
  requireProfileDims(header, options.id);
  return META_VARIABLES.map((name) => {
    const v = findVariable(header, name);
    if (!v) throw new ArgoFormatError({ message: `not an Argo core profile file: no ${name}`, context: { id: options.id, variable: name } });
    if (v.dimensions[0] !== 'N_PROF' || v.isRecord) {
      throw new ArgoFormatError({ message: `Argo variable ${name} is not dimensioned by N_PROF`, context: { id: options.id, variable: name } });
    }
    return firstRowSlot(v);
  });
}

/**
 * The primary profile's row of each level variable the file has (`LEVEL_VARIABLES`, in that
 * order; old floats have no PSAL*), each `[N_PROF, N_LEVELS]`.
 */
export function levelVariableSlots(header: NcHeader, options: { id?: string } = {}): ProfileSlot[] {
  requireProfileDims(header, options.id);
  const out: ProfileSlot[] = [];
  for (const name of LEVEL_VARIABLES) {
    const v = findVariable(header, name);
    if (!v) continue;
    if (v.isRecord || v.dimensions.length !== 2 || v.dimensions[0] !== 'N_PROF' || v.dimensions[1] !== 'N_LEVELS') {
      throw new ArgoFormatError({
        message: `Argo variable ${name} is not dimensioned [N_PROF, N_LEVELS]`,
        context: { id: options.id, variable: name, dimensions: v.dimensions },
      });
    }
    out.push(firstRowSlot(v));
  }
  if (!out.some((s) => s.name === 'PRES')) {
    throw new ArgoFormatError({ message: 'not an Argo core profile file: no PRES', context: { id: options.id } });
  }
  return out;
}

/** One range covering all the slots (they are near each other: one request instead of many). */
export function spanOf(slots: readonly { offset: number; length: number }[]): { offset: number; length: number } {
  if (slots.length === 0) return { offset: 0, length: 0 };
  let start = Infinity;
  let end = -Infinity;
  for (const s of slots) {
    start = Math.min(start, s.offset);
    end = Math.max(end, s.offset + s.length);
  }
  return { offset: start, length: end - start };
}

/** JULD (days since 1950-01-01Z) → epoch ms rounded to the ms, or null when fill / not finite. */
export function juldToEpochMs(juld: number, fillValue: number = JULD_FILL): number | null {
  if (!Number.isFinite(juld) || juld === fillValue || Math.abs(juld) >= JULD_FILL) return null;
  return Math.round(juld * MS_PER_DAY) + JULD_EPOCH_MS;
}

/** A position is valid when both are finite and within ±90 / ±180 (99999, -999.999 are not). */
export function isValidPosition(latitude: number, longitude: number): boolean {
  return Number.isFinite(latitude) && Number.isFinite(longitude) && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180;
}

/** The first character of a fixed-length char field, ' ' when empty. */
export function firstChar(s: string): string {
  return s.length > 0 ? s[0] : ' ';
}

/** Trim blanks and NULs (fixed-length char fields are padded with either). */
export function trimField(s: string): string {
  return s.replace(/^[\s\0]+|[\s\0]+$/g, '');
}

export interface ExtractMetaOptions {
  /** The profile's id: `<dac>/<wmo>/profiles/<file>.nc`. */
  id: string;
  header: NcHeader;
  /** The bytes of the named slot from `metaVariableRanges` (exactly that range). */
  read: (name: MetaVariable) => Uint8Array;
}

/** The primary profile's metadata. Throws `ArgoFormatError` for a file that is not Argo core. */
export function extractMeta({ id, header, read }: ExtractMetaOptions): ProfileMeta {
  const { nProf, nLevels } = requireProfileDims(header, id);
  const slots = new Map(metaVariableRanges(header, { id }).map((s) => [s.name, s]));
  const bytesOf = (name: MetaVariable): Uint8Array => {
    const slot = slots.get(name)!;
    const bytes = read(name);
    if (bytes.length < slot.length) {
      throw new ArgoFormatError({ message: `Argo variable ${name}: ${bytes.length} bytes, need ${slot.length}`, context: { id, variable: name } });
    }
    return bytes;
  };
  const text = (name: MetaVariable): string => {
    const slot = slots.get(name)!;
    if (slot.type !== 'char') throw new ArgoFormatError({ message: `Argo variable ${name} is not char`, context: { id, variable: name } });
    return decodeValues({ type: 'char', bytes: bytesOf(name), count: slot.length });
  };
  const number = (name: MetaVariable): number => {
    const slot = slots.get(name)!;
    if (slot.type === 'char') throw new ArgoFormatError({ message: `Argo variable ${name} is not numeric`, context: { id, variable: name } });
    return decodeToFloat64({ type: slot.type, bytes: bytesOf(name), count: 1 })[0];
  };

  const latitude = number('LATITUDE');
  const longitude = number('LONGITUDE');
  const valid = isValidPosition(latitude, longitude);
  return {
    id,
    platformNumber: trimField(text('PLATFORM_NUMBER')),
    cycleNumber: number('CYCLE_NUMBER'),
    direction: firstChar(text('DIRECTION')),
    dataMode: firstChar(text('DATA_MODE')),
    timeMs: juldToEpochMs(number('JULD'), slots.get('JULD')!.fillValue),
    latitude: valid ? latitude : null,
    longitude: valid ? longitude : null,
    positionQc: firstChar(text('POSITION_QC')),
    juldQc: firstChar(text('JULD_QC')),
    nProf,
    nLevels,
  };
}

/** One level variable's primary-profile row, as fetched. */
export interface LevelColumn {
  name: string;
  type: NcType;
  bytes: Uint8Array;
  /** Default: `ARGO_LEVEL_FILL`. */
  fillValue?: number;
  /**
   * Values outside `[validMin, validMax]` are NaN too, as netCDF readers (and the reference) mask
   * them: e.g. PSAL stored as 0 where `valid_min` is 2. Pass the slot's values.
   */
  validMin?: number;
  validMax?: number;
}

const LEVEL_NAMES: ReadonlySet<string> = new Set(LEVEL_VARIABLES);

/**
 * Decode one primary-profile row: a QC row (`*_QC`, char) to a string of one character per level,
 * a numeric row to a Float64Array with fill and out-of-range values NaN. Throws `ArgoFormatError`
 * when the type does not fit the name or the bytes are short.
 */
export function decodeLevelColumn(c: LevelColumn, nLevels: number): Float64Array | string {
  const isQc = c.name.endsWith('_QC');
  if (isQc !== (c.type === 'char')) {
    throw new ArgoFormatError({ message: `Argo variable ${c.name} has unexpected type ${c.type}`, context: { variable: c.name } });
  }
  const need = nLevels * NC_TYPE_SIZE[c.type];
  if (c.bytes.length < need) {
    throw new ArgoFormatError({ message: `Argo variable ${c.name}: ${c.bytes.length} bytes, need ${need}`, context: { variable: c.name } });
  }
  return isQc
    ? decodeValues({ type: 'char', bytes: c.bytes, count: nLevels })
    : decodeToFloat64({
        type: c.type,
        bytes: c.bytes,
        count: nLevels,
        fillValue: c.fillValue ?? ARGO_LEVEL_FILL,
        validMin: c.validMin,
        validMax: c.validMax,
      });
}

/**
 * Decode the primary profile's level rows: numbers to Float64Array with fill → NaN, QC to strings
 * of one character per level; a variable not given (the file lacks it) is null. Other names are
 * ignored.
 */
export function decodeLevels({ nLevels, columns }: { nLevels: number; columns: Iterable<LevelColumn> }): ProfileLevels {
  const levels: Record<string, unknown> = { nLevels };
  for (const name of LEVEL_VARIABLES) levels[name] = null;
  for (const c of columns) {
    if (!LEVEL_NAMES.has(c.name)) continue;
    levels[c.name] = decodeLevelColumn(c, nLevels);
  }
  return levels as ProfileLevels;
}

/** Convenience for callers holding slots and a reader by name (e.g. slices of a whole file). */
export function levelColumns(slots: readonly ProfileSlot[], read: (slot: ProfileSlot) => Uint8Array): LevelColumn[] {
  return slots.map((s) => ({
    name: s.name,
    type: s.type,
    bytes: read(s),
    fillValue: s.fillValue,
    validMin: s.validMin,
    validMax: s.validMax,
  }));
}

