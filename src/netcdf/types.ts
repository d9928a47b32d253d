/**
 * NetCDF classic (CDF-1 / CDF-2) header model. Pure data: no I/O.
 */

export type NcType = 'byte' | 'char' | 'short' | 'int' | 'float' | 'double';

/** Bytes per element of each NetCDF classic type. */
export const NC_TYPE_SIZE: Readonly<Record<NcType, number>> = Object.freeze({
  byte: 1,
  char: 1,
  short: 2,
  int: 4,
  float: 4,
  double: 8,
});

/** NetCDF's default fill value per type (netcdf.h `NC_FILL_*`), used where `_FillValue` is absent. */
export const NC_DEFAULT_FILL: Readonly<Record<NcType, number>> = Object.freeze({
  byte: -127,
  char: 0,
  short: -32767,
  int: -2147483647,
  float: 9.969209968386869e36,
  double: 9.969209968386869e36,
});

export interface NcDimension {
  name: string;
  /** Length; for the record (unlimited) dimension, the current number of records. */
  size: number;
  isRecord: boolean;
}

export type NcAttributeValue = string | number[];

export interface NcVariable {
  name: string;
  dimensions: string[];
  /** Dimension lengths, the record dimension's current record count included. */
  shape: number[];
  type: NcType;
  attributes: Record<string, NcAttributeValue>;
  /** `begin` from the header: file offset of the data (of the first record, for record variables). */
  offset: number;
  /** `vsize` from the header (padded size per record for record variables). */
  vsize: number;
  /** True when the first dimension is the record (unlimited) dimension. */
  isRecord: boolean;
}

export interface NcHeader {
  version: 1 | 2;
  numRecords: number;
  /** Bytes of one record (sum of record variables' vsize). */
  recordSize: number;
  /** Size of the header in bytes (offset of the first byte after it). */
  headerSize: number;
  /**
   * True when the file's `numrecs` is the streaming marker 0xFFFFFFFF: `numRecords` was then
   * counted from the file size (when the parser was given it) or is 0.
   */
  streaming?: boolean;
  dimensions: NcDimension[];
  attributes: Record<string, NcAttributeValue>;
  variables: NcVariable[];
}

/** Decoded values: numbers as typed arrays, chars as one string (fixed-length, not trimmed). */
export type NcValues = Int8Array | Int16Array | Int32Array | Float32Array | Float64Array | string;
