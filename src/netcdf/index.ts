/** NetCDF classic (CDF-1 / CDF-2): header parsing, decoding, byte ranges. Pure: no I/O. */
export * from './types.js';
export {
  DEFAULT_HEADER_PREFIX_BYTES,
  MAX_HEADER_BYTES,
  STREAMING_NUMRECS,
  isTruncatedHeaderError,
  parseHeader,
  readHeader,
  variableByteLength,
  type ParseHeaderOptions,
  type ReadHeaderOptions,
} from './parse-header.js';
export {
  decodeToFloat64,
  decodeValues,
  findVariable,
  maskOf,
  readVariable,
  recordRanges,
  rowElements,
  sliceRange,
  variableRange,
  type ByteRange,
  type DecodeValuesOptions,
  type MaskOptions,
  type NcValuesOf,
  type VariableRangeOptions,
} from './decode.js';
