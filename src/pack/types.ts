/**
 * Data pack types: what the writer takes (a profile's metadata as the builder holds it, plus its
 * level arrays) and what the reader gives back (the same metadata, and the level arrays in the
 * query path's `ProfileLevels` shape).
 */
import type { FileMetaData } from 'hyparquet';
import type { ProfileLevels } from '../argo/types.js';
import type { PackDescription } from './schema.js';

/**
 * A profile's level arrays as the writer takes them: numbers (float32 exactly: NetCDF `float`)
 * with NaN for a missing value, QC as one character per level, null when the file lacks the
 * variable. `ProfileLevels` is one; `compactLevels` gives the float32 form a builder can hold for
 * a whole month at half the memory.
 */
export type PackLevels = { readonly nLevels: number } & {
  readonly [name: string]: Float32Array | Float64Array | string | number | null | undefined;
};

/**
 * One profile to pack: the fields of the month index's profile entry (so the builder passes
 * `{ ...entry, levels }`) and its level arrays.
 */
export interface PackProfile {
  /** `<dac>/<wmo>/profiles/<file>.nc`. */
  id: string;
  platform: string;
  cycle: number;
  direction: string;
  dataMode: string;
  /** JULD as epoch milliseconds. */
  timeMs: number;
  latitude: number;
  longitude: number;
  positionQc: string;
  juldQc: string;
  /** GDAC `date_update` (YYYYMMDDHHMMSS). */
  dateUpdate: string;
  /** File size in bytes. */
  size: number;
  levels: PackLevels;
}

/** One row group: its rows, its time range (from the footer's statistics) and its bytes. */
export interface PackRowGroup {
  index: number;
  /** Index of its first row in the pack. */
  firstRow: number;
  rows: number;
  /** Min and max `time` (epoch ms); undefined when the writer left no statistics (then it is always read). */
  timeMin?: number;
  timeMax?: number;
  /** Byte span of its column chunks in the file. */
  start: number;
  end: number;
}

/**
 * Reads `length` bytes from `offset` of the pack (fewer only at its end). A store's `getRange`
 * bound to the pack's key is one.
 */
export type ReadRange = (range: { offset: number; length: number; signal?: AbortSignal }) => Promise<Uint8Array>;

/** An open pack: its footer, decoded, and how to read more of it. */
export interface Pack {
  /** File size in bytes. */
  size: number;
  rows: number;
  description: PackDescription;
  rowGroups: PackRowGroup[];
  /** Bytes of the footer (Thrift metadata + 8): what a caller can store to make the next open one exact read. */
  footerBytes: number;
  /** The Parquet footer as hyparquet decodes it. */
  metadata: FileMetaData;
  readRange: ReadRange;
}

/**
 * A row's metadata as read. `id`, `timeMs` and `nLevels` are always there; the rest only when the
 * reader was asked for metadata (`metadata: true`, the default).
 */
export interface PackRowMeta {
  id: string;
  timeMs: number;
  nLevels: number;
  platformNumber?: string;
  cycleNumber?: number;
  direction?: string;
  dataMode?: string;
  latitude?: number;
  longitude?: number;
  positionQc?: string;
  juldQc?: string;
  dateUpdate?: string;
  fileSize?: number;
}

/** A profile read back: its row, its metadata and its level arrays (the variables read; others null). */
export interface PackedProfile {
  /** Row index in the pack. */
  row: number;
  meta: PackRowMeta;
  levels: ProfileLevels;
}
