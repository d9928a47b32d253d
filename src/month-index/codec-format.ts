/**
 * The month index object's wire shape (see codec.ts for the layout and why), shared by the
 * encoder (codec.ts) and the decoder (codec-decode.ts).
 */
import type { FileLayout, MonthBuildCounts, MonthFailure, MonthParameter } from './types.js';

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
  /**
   * BGC months only: each row's parameters with their data modes, as an index into the month's
   * `parameterSets` (most files of a float share one set).
   */
  parameters?: number[];
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
  /** BGC months only: `PRES:D TEMP:D PSAL:D DOXY:A` (STATION_PARAMETERS order), one per distinct set. */
  parameterSets?: string[];
  /** BGC months only: each parameter's class, units and names, from the files' attributes. */
  parameterInfo?: MonthParameter[];
}

/** `{PRES: 'D', DOXY: 'A'}` → `PRES:D DOXY:A` (parameter names hold no ':' nor space). */
export function encodeParameterSet(modes: Readonly<Record<string, string>>): string {
  return Object.entries(modes).map(([name, mode]) => `${name}:${mode === ' ' || mode === '' ? '_' : mode}`).join(' ');
}

export function decodeParameterSet(set: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of set.split(' ')) {
    if (item === '') continue;
    const at = item.lastIndexOf(':');
    const mode = item.slice(at + 1);
    out[item.slice(0, at)] = mode === '_' ? ' ' : mode;
  }
  return out;
}
