/**
 * Decoding NetCDF classic variable data (big-endian) into typed arrays, and the byte ranges that
 * hold a variable, so a caller can fetch only those bytes. Pure: no I/O.
 */
import { NetcdfFormatError } from '../errors.js';
import { latin1 } from './parse-header.js';
import { NC_DEFAULT_FILL, NC_TYPE_SIZE, type NcAttributeValue, type NcHeader, type NcType, type NcValues, type NcVariable } from './types.js';

export interface DecodeValuesOptions {
  type: NcType;
  bytes: Uint8Array;
  /** Elements to decode; default: as many as the bytes hold. */
  count?: number;
}

/** Values decoded per type: what `decodeValues` returns for each `type`. */
export type NcValuesOf<T extends NcType> = T extends 'byte'
  ? Int8Array
  : T extends 'short'
    ? Int16Array
    : T extends 'int'
      ? Int32Array
      : T extends 'float'
        ? Float32Array
        : T extends 'double'
          ? Float64Array
          : string;

/**
 * Big-endian bytes → typed array (byte → Int8Array, short → Int16Array, int → Int32Array,
 * float → Float32Array, double → Float64Array) or, for char, one ISO-8859-1 string (not trimmed).
 */
export function decodeValues<T extends NcType>(options: DecodeValuesOptions & { type: T }): NcValuesOf<T>;
export function decodeValues(options: DecodeValuesOptions): NcValues;
export function decodeValues({ type, bytes, count }: DecodeValuesOptions): NcValues {
  const size = NC_TYPE_SIZE[type];
  const n = count ?? Math.floor(bytes.length / size);
  if (n * size > bytes.length) {
    throw new NetcdfFormatError({
      message: `not enough bytes to decode ${n} ${type} values (${bytes.length} bytes)`,
      context: { type, count: n, bytes: bytes.length },
    });
  }
  if (type === 'char') return latin1(bytes.subarray(0, n));
  const view = new DataView(bytes.buffer, bytes.byteOffset, n * size);
  switch (type) {
    case 'byte':
      return new Int8Array(bytes.slice(0, n).buffer);
    case 'short': {
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2);
      return out;
    }
    case 'int': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4);
      return out;
    }
    case 'float': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4);
      return out;
    }
    case 'double': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8);
      return out;
    }
  }
}

/**
 * Numeric big-endian bytes straight into a Float64Array (one pass, no intermediate array), with
 * `fill` values (and NaN) written as NaN. For level data that goes on to interpolation.
 */
export interface MaskOptions {
  /** Values equal to it become NaN. */
  fillValue?: number | null;
  /** Values below / above become NaN (CF `valid_min` / `valid_max` / `valid_range`). */
  validMin?: number | null;
  validMax?: number | null;
}

export function decodeToFloat64({
  type,
  bytes,
  count,
  fillValue,
  validMin,
  validMax,
}: DecodeValuesOptions & MaskOptions): Float64Array {
  if (type === 'char') {
    throw new NetcdfFormatError({ message: 'cannot decode char data as numbers', context: { type } });
  }
  const size = NC_TYPE_SIZE[type];
  const n = count ?? Math.floor(bytes.length / size);
  if (n * size > bytes.length) {
    throw new NetcdfFormatError({
      message: `not enough bytes to decode ${n} ${type} values (${bytes.length} bytes)`,
      context: { type, count: n, bytes: bytes.length },
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, n * size);
  const out = new Float64Array(n);
  switch (type) {
    case 'byte':
      for (let i = 0; i < n; i++) out[i] = view.getInt8(i);
      break;
    case 'short':
      for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2);
      break;
    case 'int':
      for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4);
      break;
    case 'float':
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4);
      break;
    case 'double':
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8);
      break;
  }
  const fill = fillValue ?? NaN;
  const lo = validMin ?? -Infinity;
  const hi = validMax ?? Infinity;
  if (!Number.isNaN(fill) || lo !== -Infinity || hi !== Infinity) {
    for (let i = 0; i < n; i++) {
      const x = out[i];
      if (x === fill || x < lo || x > hi) out[i] = NaN;
    }
  }
  return out;
}

/** The type's default fill as the decoded value compares to it (float fill rounded to float32). */
function defaultFill(type: NcType): number {
  return type === 'float' ? Math.fround(NC_DEFAULT_FILL.float) : NC_DEFAULT_FILL[type];
}

function firstNumber(value: NcAttributeValue | undefined): number | undefined {
  return Array.isArray(value) && typeof value[0] === 'number' ? value[0] : undefined;
}

/**
 * A variable's masking attributes as netCDF4-python's default auto mask applies them (the
 * reference implementation reads files with it): `_FillValue` (or, without one, the type's
 * default fill, except for bytes), and `valid_range`, or else `valid_min` / `valid_max`. Unlike
 * the NetCDF attribute conventions, no valid range is implied by the fill value's sign
 * (netCDF4-python dropped that, issues #748/#761).
 */
export function maskOf(v: NcVariable): MaskOptions {
  const a = v.attributes;
  let fillValue = firstNumber(a._FillValue);
  if (fillValue === undefined && v.type !== 'byte' && v.type !== 'char') fillValue = defaultFill(v.type);
  let validMin: number | undefined;
  let validMax: number | undefined;
  const range = a.valid_range;
  if (Array.isArray(range) && range.length === 2) {
    validMin = range[0];
    validMax = range[1];
  } else {
    validMin = firstNumber(a.valid_min);
    validMax = firstNumber(a.valid_max);
  }
  const out: MaskOptions = {};
  if (fillValue !== undefined) out.fillValue = fillValue;
  if (validMin !== undefined) out.validMin = validMin;
  if (validMax !== undefined) out.validMax = validMax;
  return out;
}

export interface ByteRange {
  offset: number;
  length: number;
}

export function findVariable(header: NcHeader, name: string): NcVariable | undefined {
  return header.variables.find((v) => v.name === name);
}

function requireVariable(header: NcHeader, name: string): NcVariable {
  const v = findVariable(header, name);
  if (!v) throw new NetcdfFormatError({ message: `NetCDF variable ${name} not found`, context: { variable: name } });
  return v;
}

/** Elements per row along the first dimension (the product of the other dimensions). */
export function rowElements(v: NcVariable): number {
  let n = 1;
  for (let d = 1; d < v.shape.length; d++) n *= v.shape[d];
  return n;
}

export interface VariableRangeOptions {
  /** Only the first row along dimension 0 (for `[N_PROF, N_LEVELS]`: the primary profile). */
  firstRowOnly?: boolean;
}

/**
 * Where a variable's data sits in the file. For a non-record variable: its whole data, or its
 * first row. For a record variable only `firstRowOnly` is possible (record 0; the records are not
 * contiguous); use `recordRanges` for the others.
 */
export function variableRange(header: NcHeader, name: string, options: VariableRangeOptions = {}): ByteRange {
  const v = requireVariable(header, name);
  const size = NC_TYPE_SIZE[v.type];
  if (v.isRecord) {
    if (!options.firstRowOnly) {
      throw new NetcdfFormatError({
        message: `NetCDF variable ${name} is a record variable: its records are not one byte range`,
        context: { variable: name },
      });
    }
    return { offset: v.offset, length: rowElements(v) * size };
  }
  if (v.shape.length === 0) return { offset: v.offset, length: size };
  const rowBytes = rowElements(v) * size;
  return { offset: v.offset, length: options.firstRowOnly ? rowBytes : rowBytes * v.shape[0] };
}

/** One range per record of a record variable (record `r` at `begin + r × recordSize`). */
export function recordRanges(header: NcHeader, name: string): ByteRange[] {
  const v = requireVariable(header, name);
  if (!v.isRecord) return [variableRange(header, name)];
  const length = rowElements(v) * NC_TYPE_SIZE[v.type];
  const out: ByteRange[] = [];
  for (let r = 0; r < header.numRecords; r++) out.push({ offset: v.offset + r * header.recordSize, length });
  return out;
}

/** Slice `range` out of a buffer that holds the file from `bufferOffset` on, or fail clearly. */
export function sliceRange(buffer: Uint8Array, range: ByteRange, bufferOffset = 0): Uint8Array {
  const start = range.offset - bufferOffset;
  if (start < 0 || start + range.length > buffer.length) {
    throw new NetcdfFormatError({
      message: `NetCDF file too short: bytes ${range.offset}..${range.offset + range.length} not available`,
      context: { ...range, bufferOffset, bufferLength: buffer.length },
    });
  }
  return buffer.subarray(start, start + range.length);
}

/**
 * Decode a whole variable from the whole file's bytes (record variables gathered record by
 * record). Values are in row-major order over `variable.shape`.
 */
export function readVariable(header: NcHeader, file: Uint8Array, name: string): NcValues {
  const v = requireVariable(header, name);
  if (!v.isRecord) return decodeValues({ type: v.type, bytes: sliceRange(file, variableRange(header, name)) });
  const ranges = recordRanges(header, name);
  const recordBytes = rowElements(v) * NC_TYPE_SIZE[v.type];
  const gathered = new Uint8Array(recordBytes * ranges.length);
  ranges.forEach((r, i) => gathered.set(sliceRange(file, r), i * recordBytes));
  return decodeValues({ type: v.type, bytes: gathered });
}
