/**
 * Decoding NetCDF classic variable data (big-endian) into typed arrays, with the variable's fill
 * and valid-range masking, and slicing a variable's bytes out of what was read. Pure: no I/O.
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

/** Elements per row along the first dimension (the product of the other dimensions). */
export function rowElements(v: NcVariable): number {
  let n = 1;
  for (let d = 1; d < v.shape.length; d++) n *= v.shape[d];
  return n;
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
