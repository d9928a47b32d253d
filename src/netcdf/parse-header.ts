/**
 * NetCDF classic header parser (CDF-1 and CDF-2 / 64-bit offsets). Pure: bytes in, header out.
 *
 * The header is the only variable-length part of a classic file, so a caller that fetches byte
 * ranges reads a prefix, parses it, and retries with a longer prefix when the parser reports
 * `truncated` (the error's context then says how many bytes it needs). Format reference: the NetCDF classic format specification
 * (Unidata, "File Format Specifications", BNF grammar).
 */
import { NetcdfFormatError } from '../errors.js';
import {
  NC_TYPE_SIZE,
  type NcAttributeValue,
  type NcDimension,
  type NcHeader,
  type NcType,
  type NcVariable,
} from './types.js';

/** Header tags from the format grammar. */
const NC_DIMENSION = 0x0a;
const NC_VARIABLE = 0x0b;
const NC_ATTRIBUTE = 0x0c;
/** `numrecs` value that means "streaming: count the records from the file size". */
export const STREAMING_NUMRECS = 0xffffffff;

const TYPE_BY_CODE: Readonly<Record<number, NcType>> = {
  1: 'byte',
  2: 'char',
  3: 'short',
  4: 'int',
  5: 'float',
  6: 'double',
};

/** The first bytes of an HDF5 file (NetCDF-4 files are HDF5). */
const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46]; // \x89 H D F

export interface ParseHeaderOptions {
  /**
   * Total size of the file, when known. Needed to count records when `numrecs` is the streaming
   * marker; also lets the parser check that variables fit inside the file.
   */
  fileSize?: number;
}

class Cursor {
  pos = 0;
  private readonly view: DataView;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: false });

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  need(n: number, what: string): void {
    if (this.pos + n > this.bytes.length) {
      throw new NetcdfFormatError({
        message: `NetCDF header truncated: ${what} needs bytes up to ${this.pos + n}, have ${this.bytes.length}`,
        context: { truncated: true, needBytes: this.pos + n, haveBytes: this.bytes.length, at: what },
      });
    }
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  /** A non-negative count; the classic format stores them as signed 32-bit. */
  count(what: string): number {
    const v = this.u32(what);
    if (v > 0x7fffffff) {
      throw new NetcdfFormatError({ message: `NetCDF header: negative ${what} (${v | 0})`, context: { at: what, pos: this.pos - 4 } });
    }
    return v;
  }

  offset(version: 1 | 2, what: string): number {
    if (version === 1) return this.u32(what);
    this.need(8, what);
    const hi = this.view.getUint32(this.pos);
    const lo = this.view.getUint32(this.pos + 4);
    this.pos += 8;
    if (hi > 0x1fffff) {
      throw new NetcdfFormatError({ message: `NetCDF header: ${what} beyond 2^53`, context: { at: what } });
    }
    return hi * 0x100000000 + lo;
  }

  name(what: string): string {
    const n = this.count(`${what} name length`);
    const padded = pad4(n);
    this.need(padded, `${what} name`);
    const start = this.pos;
    this.pos += padded;
    // Names are almost always ASCII, where UTF-8 and ISO-8859-1 agree: skip the decoder's fixed cost.
    const bytes = this.bytes;
    for (let i = start; i < start + n; i++) if (bytes[i] >= 0x80) return this.utf8.decode(bytes.subarray(start, start + n));
    return latin1Range(bytes, start, start + n);
  }

  /** `nelems` values of `type`, padded to 4 bytes: a string for char, numbers otherwise. */
  values(type: NcType, nelems: number, what: string): NcAttributeValue {
    const size = NC_TYPE_SIZE[type];
    const byteLength = nelems * size;
    const padded = pad4(byteLength);
    this.need(padded, what);
    const start = this.pos;
    this.pos += padded;
    if (type === 'char') {
      // Trailing NULs dropped before decoding (as the former `.replace(/\0+$/, '')` did after).
      let end = start + nelems;
      while (end > start && this.bytes[end - 1] === 0) end--;
      return latin1Range(this.bytes, start, end);
    }
    const out = new Array<number>(nelems);
    const v = this.view;
    for (let i = 0, p = start; i < nelems; i++, p += size) {
      switch (type) {
        case 'byte':
          out[i] = v.getInt8(p);
          break;
        case 'short':
          out[i] = v.getInt16(p);
          break;
        case 'int':
          out[i] = v.getInt32(p);
          break;
        case 'float':
          out[i] = v.getFloat32(p);
          break;
        case 'double':
          out[i] = v.getFloat64(p);
          break;
      }
    }
    return out;
  }

  type(what: string): NcType {
    const code = this.u32(what);
    const type = TYPE_BY_CODE[code];
    if (!type) {
      throw new NetcdfFormatError({ message: `NetCDF header: unknown type code ${code} for ${what}`, context: { at: what, code } });
    }
    return type;
  }
}

/** `n` rounded up to a multiple of 4 (classic format alignment); safe past 2^31. */
export function pad4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/**
 * Node's native ISO-8859-1 decoder (what `Buffer#toString('latin1')` uses), called on the bytes
 * as they are: one copy into a flat one-byte string, no argument list, no intermediate Buffer.
 */
const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;

/** Bytes as ISO-8859-1 (one char per byte). */
export function latin1(bytes: Uint8Array): string {
  return latin1Slice.call(bytes, 0, bytes.length);
}

/**
 * Up to this many bytes, a char-by-char build beats the native call's fixed cost (measured on
 * the bench month's headers: attribute names and short values are mostly this short).
 */
const SHORT_LATIN1_BYTES = 16;

/** `bytes[start, end)` as ISO-8859-1, with no subarray. */
export function latin1Range(bytes: Uint8Array, start: number, end: number): string {
  if (end - start > SHORT_LATIN1_BYTES) return latin1Slice.call(bytes, start, end);
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

function isPrefixOf(bytes: Uint8Array, magic: readonly number[]): boolean {
  const n = Math.min(bytes.length, magic.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== magic[i]) return false;
  return true;
}

function checkMagic(bytes: Uint8Array): 1 | 2 {
  if (bytes.length >= 4 && isPrefixOf(bytes, HDF5_MAGIC)) {
    throw new NetcdfFormatError({
      message: 'NetCDF-4/HDF5 file: not supported (only NetCDF classic, CDF-1 and CDF-2, can be read by byte range)',
      context: { format: 'hdf5' },
    });
  }
  const CDF = [0x43, 0x44, 0x46];
  if (bytes.length < 4 && isPrefixOf(bytes, CDF)) {
    throw new NetcdfFormatError({
      message: `NetCDF header truncated: ${bytes.length} bytes`,
      context: { truncated: true, needBytes: 4, haveBytes: bytes.length, at: 'magic' },
    });
  }
  if (!isPrefixOf(bytes, CDF) || bytes.length < 4) {
    throw new NetcdfFormatError({ message: 'not a NetCDF file (bad magic number)', context: { magic: hex(bytes.subarray(0, 4)) } });
  }
  const version = bytes[3];
  if (version === 1 || version === 2) return version;
  if (version === 5) {
    throw new NetcdfFormatError({ message: 'NetCDF CDF-5 (64-bit data) file: not supported', context: { format: 'cdf5' } });
  }
  throw new NetcdfFormatError({ message: `not a NetCDF classic file (version byte ${version})`, context: { magic: hex(bytes.subarray(0, 4)) } });
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function attributes(c: Cursor, owner: string): Record<string, NcAttributeValue> {
  const tag = c.u32(`${owner} attribute tag`);
  const n = c.count(`${owner} attribute count`);
  if (tag === 0 && n === 0) return {};
  if (tag !== NC_ATTRIBUTE) {
    throw new NetcdfFormatError({ message: `NetCDF header: expected attribute list for ${owner}, got tag ${tag}`, context: { at: owner, tag } });
  }
  const out: Record<string, NcAttributeValue> = {};
  for (let i = 0; i < n; i++) {
    const name = c.name(`${owner} attribute`);
    const type = c.type(`${owner}:${name} type`);
    const nelems = c.count(`${owner}:${name} length`);
    out[name] = c.values(type, nelems, `${owner}:${name} values`);
  }
  return out;
}

/**
 * Parse a NetCDF classic header from the start of a file (the whole file or any prefix holding the
 * header). Throws `NetcdfFormatError`: for HDF5 / NetCDF-4, bad magic, corrupt structure, and for
 * a prefix that ends inside the header, with `context.truncated = true` and `context.needBytes`,
 * a lower bound on the prefix length that gets further.
 */
export function parseHeader(bytes: Uint8Array, options: ParseHeaderOptions = {}): NcHeader {
  const version = checkMagic(bytes);
  const c = new Cursor(bytes);
  c.pos = 4;
  const rawNumrecs = c.u32('numrecs');
  const streaming = rawNumrecs === STREAMING_NUMRECS;
  if (!streaming && rawNumrecs > 0x7fffffff) {
    throw new NetcdfFormatError({ message: `NetCDF header: bad numrecs ${rawNumrecs}`, context: { numrecs: rawNumrecs } });
  }

  // Dimensions.
  const dimTag = c.u32('dimension tag');
  const nDims = c.count('dimension count');
  if (!(dimTag === NC_DIMENSION || (dimTag === 0 && nDims === 0))) {
    throw new NetcdfFormatError({ message: `NetCDF header: expected dimension list, got tag ${dimTag}`, context: { tag: dimTag } });
  }
  const dimensions: NcDimension[] = [];
  let recordDim = -1;
  for (let i = 0; i < nDims; i++) {
    const name = c.name('dimension');
    const size = c.count(`dimension ${name} length`);
    if (size === 0) {
      if (recordDim >= 0) {
        throw new NetcdfFormatError({ message: 'NetCDF header: more than one record dimension', context: { dimension: name } });
      }
      recordDim = i;
    }
    dimensions.push({ name, size, isRecord: size === 0 });
  }

  const globals = attributes(c, 'global');

  // Variables.
  const varTag = c.u32('variable tag');
  const nVars = c.count('variable count');
  if (!(varTag === NC_VARIABLE || (varTag === 0 && nVars === 0))) {
    throw new NetcdfFormatError({ message: `NetCDF header: expected variable list, got tag ${varTag}`, context: { tag: varTag } });
  }
  const variables: NcVariable[] = [];
  const dimIdsByVar: number[][] = [];
  for (let i = 0; i < nVars; i++) {
    const name = c.name('variable');
    const rank = c.count(`variable ${name} rank`);
    const dimIds: number[] = [];
    for (let d = 0; d < rank; d++) {
      const id = c.count(`variable ${name} dimension id`);
      if (id >= dimensions.length) {
        throw new NetcdfFormatError({ message: `NetCDF header: variable ${name} uses unknown dimension id ${id}`, context: { variable: name, id } });
      }
      if (id === recordDim && d !== 0) {
        throw new NetcdfFormatError({ message: `NetCDF header: variable ${name} uses the record dimension not first`, context: { variable: name } });
      }
      dimIds.push(id);
    }
    const attrs = attributes(c, name);
    const type = c.type(`variable ${name} type`);
    const vsize = c.count(`variable ${name} vsize`);
    const offset = c.offset(version, `variable ${name} begin`);
    const isRecord = rank > 0 && dimIds[0] === recordDim;
    dimIdsByVar.push(dimIds);
    variables.push({
      name,
      dimensions: dimIds.map((id) => dimensions[id].name),
      shape: [], // filled in once the record count is known
      type,
      attributes: attrs,
      offset,
      vsize,
      isRecord,
    });
  }
  const headerSize = c.pos;

  // Record size: the sum of the record variables' vsize, except that a lone record variable is not
  // padded (format spec: "the record size ... is not rounded up" for the single-variable case).
  const recordVars = variables.filter((v) => v.isRecord);
  let recordSize = 0;
  if (recordVars.length === 1) {
    recordSize = unpaddedRecordBytes(recordVars[0], dimIdsByVar[variables.indexOf(recordVars[0])], dimensions);
  } else {
    for (const v of recordVars) recordSize += v.vsize;
  }

  let numRecords = streaming ? 0 : rawNumrecs;
  if (streaming && options.fileSize !== undefined && recordVars.length > 0 && recordSize > 0) {
    const firstRecord = Math.min(...recordVars.map((v) => v.offset));
    numRecords = Math.max(0, Math.floor((options.fileSize - firstRecord) / recordSize));
  }
  if (recordDim >= 0) dimensions[recordDim].size = numRecords;
  variables.forEach((v, i) => {
    v.shape = dimIdsByVar[i].map((id) => dimensions[id].size);
  });

  if (options.fileSize !== undefined) {
    for (const v of variables) {
      const end = v.isRecord ? v.offset : v.offset + variableByteLength(v);
      if (end > options.fileSize) {
        throw new NetcdfFormatError({
          message: `NetCDF file too short: variable ${v.name} ends at ${end}, file has ${options.fileSize} bytes`,
          context: { variable: v.name, end, fileSize: options.fileSize },
        });
      }
    }
  }

  const header: NcHeader = { version, numRecords, recordSize, headerSize, dimensions, attributes: globals, variables };
  if (streaming) header.streaming = true;
  return header;
}

function unpaddedRecordBytes(v: NcVariable, dimIds: number[], dims: NcDimension[]): number {
  let n = NC_TYPE_SIZE[v.type];
  for (let d = 1; d < dimIds.length; d++) n *= dims[dimIds[d]].size;
  return n;
}

/** Bytes of a non-record variable's data (unpadded), or of one record of a record variable. */
export function variableByteLength(v: NcVariable): number {
  let n = NC_TYPE_SIZE[v.type];
  for (let d = v.isRecord ? 1 : 0; d < v.shape.length; d++) n *= v.shape[d];
  return n;
}
