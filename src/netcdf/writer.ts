/**
 * NetCDF classic writer (CDF-1, or CDF-2 with 64-bit offsets), record dimension included.
 *
 * The project's fixtures and demo GDAC files are made with it (never hand-edited binaries), so it
 * follows the format specification the way netCDF-C lays files out: header, then the non-record
 * variables in definition order (each padded to 4 bytes), then the records, each holding one row
 * of every record variable (each padded to 4 bytes, except when there is a single record variable).
 * Pure: returns bytes.
 */
import { NetcdfFormatError } from '../errors.js';
import { pad4 } from './parse-header.js';
import { NC_DEFAULT_FILL, NC_TYPE_SIZE, type NcType } from './types.js';

export interface WriteDimension {
  name: string;
  /** Length; ignored for the record dimension (its length is the record count). */
  size: number;
  /** The unlimited dimension (at most one; a record variable's first dimension). */
  isRecord?: boolean;
}

/**
 * An attribute value: a string (char), numbers, or an explicit `{ type, value }`. Plain numbers on
 * a numeric variable take the variable's type (what `_FillValue`, `valid_min`… must have); on a
 * char variable or as global attributes they are doubles. Typed arrays keep their own type.
 */
export type WriteAttributeValue =
  | string
  | number
  | ArrayLike<number>
  | { type: NcType; value: string | number | ArrayLike<number> };

export interface WriteVariable {
  name: string;
  type: NcType;
  dimensions: string[];
  attributes?: Record<string, WriteAttributeValue>;
  /**
   * Row-major values (for a record variable: all records, one after the other). Shorter data,
   * or none, is completed with the `_FillValue` attribute, or the NetCDF default fill (`NC_DEFAULT_FILL`).
   */
  data?: string | ArrayLike<number>;
}

export interface WriteNetcdfOptions {
  /** 1: CDF-1 (classic, 32-bit offsets, the Argo format); 2: CDF-2 (64-bit offsets). */
  version?: 1 | 2;
  dimensions: WriteDimension[];
  attributes?: Record<string, WriteAttributeValue>;
  variables: WriteVariable[];
  /** Records to write; default: enough for the longest record variable's data. */
  numRecords?: number;
  /** Write `numrecs` as the streaming marker 0xFFFFFFFF (readers count records from the size). */
  streaming?: boolean;
}

const TYPE_CODE: Readonly<Record<NcType, number>> = { byte: 1, char: 2, short: 3, int: 4, float: 5, double: 6 };

class ByteWriter {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v >>> 0);
    this.pos += 4;
  }
  u64(v: number): void {
    this.ensure(8);
    this.view.setUint32(this.pos, Math.floor(v / 0x100000000));
    this.view.setUint32(this.pos + 4, v >>> 0);
    this.pos += 8;
  }
  bytes(b: Uint8Array): void {
    this.ensure(pad4(b.length));
    this.buf.set(b, this.pos);
    this.pos += pad4(b.length); // padding bytes are already zero
  }
  name(s: string): void {
    const b = new TextEncoder().encode(s.normalize('NFC'));
    this.u32(b.length);
    this.bytes(b);
  }
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0);
  }
  patchU64(at: number, v: number): void {
    this.view.setUint32(at, Math.floor(v / 0x100000000));
    this.view.setUint32(at + 4, v >>> 0);
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

function typeOfTypedArray(value: ArrayLike<number>): NcType | undefined {
  if (value instanceof Int8Array) return 'byte';
  if (value instanceof Int16Array) return 'short';
  if (value instanceof Int32Array) return 'int';
  if (value instanceof Float32Array) return 'float';
  if (value instanceof Float64Array) return 'double';
  return undefined;
}

function normalizeAttribute(value: WriteAttributeValue, numericDefault: NcType): { type: NcType; value: string | ArrayLike<number> } {
  if (typeof value === 'string') return { type: 'char', value };
  if (typeof value === 'number') return { type: numericDefault, value: [value] };
  if ('type' in value && !ArrayBuffer.isView(value)) {
    const v = value.value;
    return { type: value.type, value: typeof v === 'number' ? [v] : v };
  }
  const arr = value as ArrayLike<number>;
  return { type: typeOfTypedArray(arr) ?? numericDefault, value: arr };
}

/** Encode `count` values big-endian; `data` may be shorter (completed with `fill`). */
function encode(type: NcType, data: string | ArrayLike<number> | undefined, count: number, fill: number | string): Uint8Array {
  const size = NC_TYPE_SIZE[type];
  if (data !== undefined && data.length > count) {
    throw new NetcdfFormatError({ message: `${data.length} values given where ${count} fit`, context: { type, count, given: data.length } });
  }
  const out = new Uint8Array(count * size);
  const view = new DataView(out.buffer);
  if (type === 'char') {
    const s = typeof data === 'string' ? data : data === undefined ? '' : String.fromCharCode(...Array.from(data));
    const fillCode = typeof fill === 'string' ? (fill.length > 0 ? fill.charCodeAt(0) : 0) : fill;
    for (let i = 0; i < count; i++) {
      const code = i < s.length ? s.charCodeAt(i) : fillCode;
      if (code > 0xff) throw new NetcdfFormatError({ message: `char data must be ISO-8859-1 (got U+${code.toString(16)})`, context: {} });
      out[i] = code;
    }
    return out;
  }
  if (typeof data === 'string') {
    throw new NetcdfFormatError({ message: `string data given for a ${type} variable`, context: { type } });
  }
  const n = data?.length ?? 0;
  const fillNum = typeof fill === 'number' ? fill : NC_DEFAULT_FILL[type];
  for (let i = 0; i < count; i++) {
    const x = i < n ? data![i] : fillNum;
    switch (type) {
      case 'byte':
        view.setInt8(i, x);
        break;
      case 'short':
        view.setInt16(i * 2, x);
        break;
      case 'int':
        view.setInt32(i * 4, x);
        break;
      case 'float':
        view.setFloat32(i * 4, x);
        break;
      case 'double':
        view.setFloat64(i * 8, x);
        break;
    }
  }
  return out;
}

function writeAttributes(w: ByteWriter, attrs: Record<string, WriteAttributeValue> | undefined, numericDefault: NcType): void {
  const entries = Object.entries(attrs ?? {});
  if (entries.length === 0) {
    w.u32(0);
    w.u32(0);
    return;
  }
  w.u32(0x0c);
  w.u32(entries.length);
  for (const [name, raw] of entries) {
    const { type, value } = normalizeAttribute(raw, numericDefault);
    const count = typeof value === 'string' ? value.length : value.length;
    w.name(name);
    w.u32(TYPE_CODE[type]);
    w.u32(count);
    w.bytes(encode(type, value, count, 0));
  }
}

/** The `_FillValue` attribute's value, for completing short data. */
function fillOf(v: WriteVariable): number | string {
  const raw = v.attributes?._FillValue;
  if (raw === undefined) return NC_DEFAULT_FILL[v.type];
  const { value } = normalizeAttribute(raw, v.type);
  return typeof value === 'string' ? value : value[0];
}

/** Write a NetCDF classic file. Throws `NetcdfFormatError` for an inconsistent description. */
export function writeNetcdf(options: WriteNetcdfOptions): Uint8Array {
  const version = options.version ?? 1;
  const dims = options.dimensions;
  const dimIndex = new Map(dims.map((d, i) => [d.name, i]));
  const recordDims = dims.filter((d) => d.isRecord);
  if (recordDims.length > 1) throw new NetcdfFormatError({ message: 'at most one record dimension', context: {} });
  for (const d of dims) {
    if (!d.isRecord && !(Number.isInteger(d.size) && d.size > 0)) {
      throw new NetcdfFormatError({ message: `dimension ${d.name} needs a positive size`, context: { dimension: d.name } });
    }
  }

  const layout = options.variables.map((v) => {
    const ids = v.dimensions.map((name) => {
      const id = dimIndex.get(name);
      if (id === undefined) throw new NetcdfFormatError({ message: `variable ${v.name}: unknown dimension ${name}`, context: { variable: v.name } });
      return id;
    });
    ids.forEach((id, i) => {
      if (dims[id].isRecord && i !== 0) {
        throw new NetcdfFormatError({ message: `variable ${v.name}: the record dimension must come first`, context: { variable: v.name } });
      }
    });
    const isRecord = ids.length > 0 && dims[ids[0]].isRecord === true;
    let rowCount = 1;
    for (let i = isRecord ? 1 : 0; i < ids.length; i++) rowCount *= dims[ids[i]].size;
    return { v, ids, isRecord, rowCount, rowBytes: rowCount * NC_TYPE_SIZE[v.type] };
  });

  let numRecords = options.numRecords;
  if (numRecords === undefined) {
    numRecords = 0;
    for (const l of layout) {
      if (l.isRecord && l.v.data !== undefined && l.rowCount > 0) numRecords = Math.max(numRecords, Math.ceil(l.v.data.length / l.rowCount));
    }
  }
  const recordVars = layout.filter((l) => l.isRecord);

  // Header, with begin fields patched once the header size is known.
  const w = new ByteWriter();
  w.bytes(new Uint8Array([0x43, 0x44, 0x46, version]));
  w.u32(options.streaming ? 0xffffffff : numRecords);
  if (dims.length === 0) {
    w.u32(0);
    w.u32(0);
  } else {
    w.u32(0x0a);
    w.u32(dims.length);
    for (const d of dims) {
      w.name(d.name);
      w.u32(d.isRecord ? 0 : d.size);
    }
  }
  writeAttributes(w, options.attributes, 'double');
  const beginAt: number[] = [];
  if (layout.length === 0) {
    w.u32(0);
    w.u32(0);
  } else {
    w.u32(0x0b);
    w.u32(layout.length);
    for (const l of layout) {
      w.name(l.v.name);
      w.u32(l.ids.length);
      for (const id of l.ids) w.u32(id);
      writeAttributes(w, l.v.attributes, l.v.type === 'char' ? 'double' : l.v.type);
      w.u32(TYPE_CODE[l.v.type]);
      w.u32(Math.min(pad4(l.rowBytes), 0xffffffff));
      beginAt.push(w.pos);
      if (version === 1) w.u32(0);
      else w.u64(0);
    }
  }

  // Data layout.
  let cursor = w.pos;
  const begins: number[] = new Array(layout.length);
  layout.forEach((l, i) => {
    if (l.isRecord) return;
    begins[i] = cursor;
    cursor += pad4(l.rowBytes);
  });
  const recordStart = cursor;
  let recordSize = 0;
  layout.forEach((l, i) => {
    if (!l.isRecord) return;
    begins[i] = recordStart + recordSize;
    recordSize += pad4(l.rowBytes);
  });
  if (recordVars.length === 1) recordSize = recordVars[0].rowBytes;
  const total = recordStart + numRecords * recordSize;
  if (version === 1 && Math.max(...begins.filter((b) => b !== undefined), 0) > 0x7fffffff) {
    throw new NetcdfFormatError({ message: 'data beyond 2 GiB: write CDF-2 (version 2)', context: {} });
  }
  layout.forEach((_, i) => (version === 1 ? w.patchU32(beginAt[i], begins[i]) : w.patchU64(beginAt[i], begins[i])));

  const out = new Uint8Array(total);
  out.set(w.result());
  layout.forEach((l, i) => {
    const fill = fillOf(l.v);
    if (!l.isRecord) {
      out.set(encode(l.v.type, l.v.data, l.rowCount, fill), begins[i]);
      return;
    }
    const all = encode(l.v.type, l.v.data, l.rowCount * numRecords!, fill);
    for (let r = 0; r < numRecords!; r++) {
      out.set(all.subarray(r * l.rowBytes, (r + 1) * l.rowBytes), begins[i] + r * recordSize);
    }
  });
  return out;
}
