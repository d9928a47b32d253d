/** NetCDF classic (CDF-1 / CDF-2): header parsing, decoding, byte ranges. Pure: no I/O. */
export * from './types.js';
export { STREAMING_NUMRECS, parseHeader, variableByteLength, type ParseHeaderOptions } from './parse-header.js';
export {
  decodeToFloat64,
  decodeValues,
  findVariable,
  maskOf,
  rowElements,
  sliceRange,
  type ByteRange,
  type DecodeValuesOptions,
  type MaskOptions,
  type NcValuesOf,
} from './decode.js';
