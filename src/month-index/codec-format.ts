/**
 * The month index object's wire shape (see codec.ts for the layout and why), shared by the
 * encoder (codec.ts) and the decoder (codec-decode.ts).
 */
import type { FileLayout, MonthBuildCounts, MonthFailure } from './types.js';

export const MONTH_INDEX_FORMAT = 'argo-month-index';
/**
 * 2: layouts carry each variable's valid range (validMin/validMax). Version 1 objects still decode
 * (without valid ranges); the builder does not reuse their entries, so a rebuild upgrades them.
 */
export const MONTH_INDEX_FORMAT_VERSION = 2;
export const READABLE_FORMAT_VERSIONS: readonly number[] = [1, 2];

export interface EncodedColumns {
  time: number[];
  lat: number[];
  lon: number[];
  cycle: number[];
  dac: number[];
  platform: string[];
  file: string[];
  base: number[];
  layout: number[];
  size: number[];
  dateUpdate: number[];
  direction: string;
  dataMode: string;
  positionQc: string;
  juldQc: string;
}

export interface EncodedMonth {
  format: string;
  formatVersion: number;
  month: string;
  builtAt: string;
  source: string;
  key: string;
  count: number;
  start: string | null;
  end: string | null;
  counts: MonthBuildCounts;
  dacs: string[];
  columns: EncodedColumns;
  dirs: Record<string, string>;
  layouts: FileLayout[];
  failures: MonthFailure[];
  excluded: MonthFailure[];
  outside: MonthFailure[];
}
