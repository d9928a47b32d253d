/**
 * Decoding month index objects (the layout: codec.ts): every column checked against the row
 * count, every reference against its table; anything else is a CorruptIndexError.
 */
import { decompress } from '@mongodb-js/zstd';
import { CorruptIndexError } from '../errors.js';
import { MONTH_INDEX_FORMAT, READABLE_FORMAT_VERSIONS, decodeParameterSet, type EncodedColumns, type EncodedMonth } from './codec-format.js';
import type { FileLayout, MonthBuildCounts, MonthFailure, MonthIndex, MonthSummary, VariableSlot } from './types.js';

function corrupt(message: string, key: string | undefined, cause?: unknown): CorruptIndexError {
  return new CorruptIndexError({ message: `month index ${key ?? ''} is corrupt: ${message}`.replace('  ', ' '), context: { key }, cause });
}

/** Decompress and parse, checking the format marker and version. */
async function parseObject(bytes: Uint8Array, key: string | undefined): Promise<EncodedMonth> {
  let text: string;
  try {
    const raw = await decompress(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    text = raw.toString('utf8');
  } catch (error) {
    throw corrupt('not zstd data', key, error);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw corrupt('not JSON', key, error);
  }
  const o = value as Partial<EncodedMonth> | null;
  if (!o || typeof o !== 'object' || o.format !== MONTH_INDEX_FORMAT) throw corrupt('not a month index object', key);
  if (typeof o.formatVersion !== 'number' || !READABLE_FORMAT_VERSIONS.includes(o.formatVersion)) {
    throw corrupt(`format version ${String(o.formatVersion)} is not supported (this service reads ${READABLE_FORMAT_VERSIONS.join(', ')})`, key);
  }
  if (typeof o.month !== 'string' || typeof o.builtAt !== 'string' || typeof o.count !== 'number' || !Number.isInteger(o.count) || o.count < 0) {
    throw corrupt('bad header fields', key);
  }
  return o as EncodedMonth;
}

function checkFailures(list: unknown, what: string, key: string | undefined): MonthFailure[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw corrupt(`${what} is not a list`, key);
  for (const f of list) {
    const e = f as Partial<MonthFailure> | null;
    if (!e || typeof e.id !== 'string' || typeof e.reason !== 'string' || typeof e.dateUpdate !== 'string') {
      throw corrupt(`bad ${what} entry`, key);
    }
  }
  return list as MonthFailure[];
}

const EMPTY_COUNTS: MonthBuildCounts = { reused: 0, fetched: 0, failed: 0, dropped: 0, excluded: 0 };

/** The summary alone (for healing the master index from a listing). */
export async function decodeMonthSummary(bytes: Uint8Array, key: string): Promise<MonthSummary> {
  const o = await parseObject(bytes, key);
  const failures = checkFailures(o.failures, 'failures', key);
  return { month: o.month, profiles: o.count, start: o.start ?? null, end: o.end ?? null, builtAt: o.builtAt, failed: failures.length, key };
}

const NUMERIC_COLUMNS = ['time', 'lat', 'lon', 'cycle', 'dac', 'base', 'layout', 'size', 'dateUpdate'] as const;
const STRING_COLUMNS = ['platform', 'file'] as const;
const CHAR_COLUMNS = ['direction', 'dataMode', 'positionQc', 'juldQc'] as const;

function checkLayouts(layouts: unknown, key: string | undefined): FileLayout[] {
  if (!Array.isArray(layouts)) throw corrupt('layouts is not a list', key);
  for (const l of layouts) {
    const layout = l as Partial<FileLayout> | null;
    if (!layout || typeof layout.nLevels !== 'number' || !layout.variables || typeof layout.variables !== 'object') throw corrupt('bad layout', key);
    for (const slot of Object.values(layout.variables) as Partial<VariableSlot>[]) {
      if (!slot || typeof slot.type !== 'string' || typeof slot.rel !== 'number' || typeof slot.length !== 'number') throw corrupt('bad layout slot', key);
    }
  }
  return layouts as FileLayout[];
}

/**
 * Decode a month object. `key` is where it was read from (it wins over the key recorded inside:
 * a copied object is still identified by where it lives). Throws CorruptIndexError.
 */
export async function decodeMonthIndex(bytes: Uint8Array, options: { key?: string } = {}): Promise<MonthIndex> {
  const o = await parseObject(bytes, options.key);
  const key = options.key ?? o.key;
  const n = o.count;
  const c = o.columns as Partial<EncodedColumns> | undefined;
  if (!c || typeof c !== 'object') throw corrupt('no columns', key);
  for (const name of NUMERIC_COLUMNS) {
    const col = c[name];
    if (!Array.isArray(col) || col.length !== n || !col.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw corrupt(`column ${name} is not ${n} numbers`, key);
    }
  }
  for (const name of STRING_COLUMNS) {
    const col = c[name];
    if (!Array.isArray(col) || col.length !== n || !col.every((x) => typeof x === 'string')) throw corrupt(`column ${name} is not ${n} strings`, key);
  }
  for (const name of CHAR_COLUMNS) {
    const col = c[name];
    if (typeof col !== 'string' || col.length !== n) throw corrupt(`column ${name} is not ${n} characters`, key);
  }
  const dacs = o.dacs;
  if (!Array.isArray(dacs) || !dacs.every((d) => typeof d === 'string')) throw corrupt('bad dacs table', key);
  const layouts = checkLayouts(o.layouts, key);
  const dirs = (o.dirs ?? {}) as Record<string, unknown>;
  const cols = c as EncodedColumns;

  const time = new Float64Array(n);
  const latitude = new Float64Array(cols.lat);
  const longitude = new Float64Array(cols.lon);
  const cycle = new Int32Array(cols.cycle);
  const base = new Float64Array(cols.base);
  const layout = new Uint32Array(cols.layout);
  const size = new Float64Array(cols.size);
  const id: string[] = new Array(n);
  const dateUpdate: string[] = new Array(n);
  let t = 0;
  let strings = 0;
  for (let i = 0; i < n; i++) {
    t = i === 0 ? cols.time[0] : t + cols.time[i];
    time[i] = t;
    if (i > 0 && cols.time[i] < 0) throw corrupt('times are not sorted', key);
    const d = cols.dac[i];
    if (d >= dacs.length || cols.layout[i] >= layouts.length) throw corrupt('row references a missing dac or layout', key);
    const dir = typeof dirs[String(i)] === 'string' ? (dirs[String(i)] as string) : cols.platform[i];
    id[i] = `${dacs[d]}/${dir}/profiles/${cols.file[i]}.nc`;
    dateUpdate[i] = cols.dateUpdate[i] === 0 ? '' : String(cols.dateUpdate[i]);
    strings += id[i].length + cols.platform[i].length + dateUpdate[i].length;
  }
  flattenInPlace(id);
  const failures = checkFailures(o.failures, 'failures', key);
  const excluded = checkFailures(o.excluded, 'excluded', key);
  const outside = checkFailures(o.outside, 'outside', key);
  const lists = failures.length + excluded.length + outside.length;
  const bgc = decodeBgcColumns(o, n, key);
  return {
    ...bgc,
    formatVersion: o.formatVersion,
    month: o.month,
    builtAt: o.builtAt,
    source: typeof o.source === 'string' ? o.source : '',
    key,
    count: n,
    time,
    latitude,
    longitude,
    cycle,
    base,
    layout,
    size,
    id,
    platform: cols.platform,
    dateUpdate,
    direction: cols.direction,
    dataMode: cols.dataMode,
    positionQc: cols.positionQc,
    juldQc: cols.juldQc,
    layouts,
    failures,
    excluded,
    outside,
    counts: { ...EMPTY_COUNTS, ...(o.counts ?? {}) },
    byteSize: estimateByteSize(n, strings, layouts.length, lists),
  };
}

/** The BGC columns (codec-format.ts), checked; {} for a core month. */
function decodeBgcColumns(o: EncodedMonth, n: number, key: string | undefined): Pick<MonthIndex, 'parameterModes' | 'parameters'> {
  const rows = o.columns.parameters;
  if (rows === undefined && o.parameterSets === undefined) return {};
  const sets = o.parameterSets;
  if (!Array.isArray(sets) || !sets.every((x) => typeof x === 'string')) throw corrupt('bad parameterSets table', key);
  if (!Array.isArray(rows) || rows.length !== n || !rows.every((x) => Number.isInteger(x) && x >= 0 && x < sets.length)) {
    throw corrupt(`column parameters is not ${n} set references`, key);
  }
  const decoded = sets.map((set) => Object.freeze(decodeParameterSet(set)));
  const info = o.parameterInfo ?? [];
  if (!Array.isArray(info) || !info.every((p) => p && typeof p.name === 'string' && typeof p.class === 'string')) throw corrupt('bad parameterInfo', key);
  return { parameterModes: rows.map((r) => decoded[r]), parameters: info };
}

/**
 * Replaces concatenated strings by slices of one flat string. A template-built id is a tree of
 * V8 cons strings that also keeps its parts (the parsed file names) alive: ~170 bytes a row where
 * the characters are ~37. One join and one split keep the characters once, for a few ms a month.
 */
function flattenInPlace(strings: string[]): void {
  if (strings.length === 0) return;
  const flat = strings.join('\n').split('\n');
  for (let i = 0; i < strings.length; i++) strings[i] = flat[i];
}

/**
 * Decoded size for the byte-bounded cache: typed arrays (5 × 8 + 2 × 4 bytes a row), strings
 * (three per row: a V8 string header and the array slot holding it, ~24 bytes, beyond their
 * characters; ids are flattened above), the four per-row character columns, and ~300 bytes per
 * layout and per listed failure. Measured on a 13,000-profile month: 1.76 MB of heap, estimated
 * 2.4 MB (a little over, so the cache never holds more than it says).
 */
function estimateByteSize(n: number, stringChars: number, layouts: number, lists: number): number {
  return 1024 + n * (5 * 8 + 2 * 4 + 3 * 24 + 4) + stringChars + layouts * 300 + lists * 300;
}
