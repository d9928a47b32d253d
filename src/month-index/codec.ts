/**
 * The month index object: zstd-compressed JSON, columnar.
 *
 * Layout (format version 2), one JSON object:
 *
 *     { "format": "argo-month-index", "formatVersion": 2, "month": "2023-04", "builtAt": ISO,
 *       "source": "...", "key": "months/2023/2023-04.<stamp>-<random>.json.zst", "count": N,
 *       "start": ISO|null, "end": ISO|null, "counts": {reused, fetched, failed, dropped, excluded},
 *       "dacs": ["aoml", ...],
 *       "columns": {
 *         "time": [t0, dt1, dt2, ...],         epoch ms, delta-encoded (sorted ascending)
 *         "lat": [...], "lon": [...],          as read from the file (valid positions only)
 *         "cycle": [...], "dac": [index into dacs], "platform": ["6903247", ...],
 *         "file": ["R6903247_371D", ...],      file name without ".nc"
 *         "base": [...], "layout": [index into layouts], "size": [...],
 *         "dateUpdate": [20230426104753, ...], GDAC date_update as a number (0: empty)
 *         "direction": "AAD…", "dataMode": "RDA…", "positionQc": "11…", "juldQc": "11…" },
 *       "dirs": { "<row>": "<wmo directory>" },  only where the directory differs from the platform
 *       "layouts": [{ "nLevels": 509, "variables": { "PRES": { "type", "rel", "length",
 *                                                               "fillValue", "validMin", "validMax" } } }],
 *       "failures": [{id, reason, dateUpdate}], "excluded": [...], "outside": [...] }
 *
 * A profile's id is `<dacs[dac]>/<dirs[i] ?? platform>/profiles/<file>.nc`. Rows are sorted by
 * time, then platform, cycle, direction ('A' before 'D'): the query's result order.
 *
 * Why this shape: columns put alike values together (zstd finds the repeats), deltas turn
 * 13-digit times into 5–8 digit gaps, and a month's few hundred distinct file layouts (N_LEVELS ×
 * variable set) are stored once. Measured by `npm run bench` (its index phase): ≈ 27 B/profile
 * compressed on a generated 13,000-profile month (bench/results/latest.json).
 */
import { compress, decompress } from '@mongodb-js/zstd';
import { CorruptIndexError } from '../errors.js';
import type { FileLayout, MonthBuildCounts, MonthFailure, MonthIndex, MonthSummary, VariableSlot } from './types.js';

export const MONTH_INDEX_FORMAT = 'argo-month-index';
/**
 * 2: layouts carry each variable's valid range (validMin/validMax). Version 1 objects still decode
 * (without valid ranges); the builder does not reuse their entries, so a rebuild upgrades them.
 */
export const MONTH_INDEX_FORMAT_VERSION = 2;
const READABLE_FORMAT_VERSIONS: readonly number[] = [1, 2];

// zstd level 9: ~3× faster than 19 for ~5 % larger objects; a month object is written once per
// build and read on every cold cache, so a middle level is the better trade.
const DEFAULT_ZSTD_LEVEL = 9;

/** One profile as the builder produces it and as `profileAt` gives it back for reuse. */
export interface ProfileEntry {
  /** `<dac>/<wmo>/profiles/<file>.nc` */
  id: string;
  platform: string;
  cycle: number;
  direction: string;
  dataMode: string;
  timeMs: number;
  latitude: number;
  longitude: number;
  positionQc: string;
  juldQc: string;
  /** GDAC `date_update` (YYYYMMDDHHMMSS). */
  dateUpdate: string;
  size: number;
  base: number;
  layout: FileLayout;
}

export interface MonthIndexContent {
  month: string;
  builtAt: string;
  source: string;
  key: string;
  profiles: ProfileEntry[];
  failures: MonthFailure[];
  excluded: MonthFailure[];
  outside: MonthFailure[];
  counts: MonthBuildCounts;
}

/** Numeric platform numbers compare as numbers (WMO numbers have 5 or 7 digits), others as text. */
export function comparePlatforms(a: string, b: string): number {
  if (a === b) return 0;
  const na = /^\d+$/.test(a);
  const nb = /^\d+$/.test(b);
  if (na && nb && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : 1;
}

/**
 * The result order: time, platform, cycle, direction ('A' before 'D'), then the id, so the order
 * is total and a pagination cursor (query/cursor.ts) names one position in it. The id tiebreak
 * only orders what the earlier keys left tied (two files of one cycle and direction, rare), so
 * month objects written before it stay valid: their order differs at most within such ties.
 */
export function compareProfiles(
  a: Pick<ProfileEntry, 'timeMs' | 'platform' | 'cycle' | 'direction' | 'id'>,
  b: Pick<ProfileEntry, 'timeMs' | 'platform' | 'cycle' | 'direction' | 'id'>,
): number {
  return (
    a.timeMs - b.timeMs ||
    comparePlatforms(a.platform, b.platform) ||
    a.cycle - b.cycle ||
    (a.direction === b.direction ? 0 : a.direction === 'A' ? -1 : b.direction === 'A' ? 1 : a.direction < b.direction ? -1 : 1) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** A canonical text for a layout, so equal layouts are stored once. */
function layoutKey(layout: FileLayout): string {
  const names = Object.keys(layout.variables).sort();
  return JSON.stringify([
    layout.nLevels,
    names.map((n) => {
      const v = layout.variables[n]!;
      return [n, v.type, v.rel, v.length, v.fillValue ?? null, v.validMin ?? null, v.validMax ?? null];
    }),
  ]);
}

const ID_PATTERN = /^([^/]+)\/([^/]+)\/profiles\/([^/]+)\.nc$/;

function dateUpdateNumber(value: string): number {
  return /^\d{14}$/.test(value) ? Number(value) : 0;
}

function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

interface EncodedColumns {
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

interface EncodedMonth {
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

function oneChar(s: string): string {
  return s.length > 0 ? s[0] : ' ';
}

/** Sorts (a copy of) the profiles and builds the JSON object. */
export function toEncodedMonth(content: MonthIndexContent): EncodedMonth {
  const profiles = [...content.profiles].sort(compareProfiles);
  const dacs: string[] = [];
  const dacIndex = new Map<string, number>();
  const layouts: FileLayout[] = [];
  const layoutIndex = new Map<string, number>();
  const c: EncodedColumns = {
    time: [], lat: [], lon: [], cycle: [], dac: [], platform: [], file: [], base: [], layout: [], size: [], dateUpdate: [],
    direction: '', dataMode: '', positionQc: '', juldQc: '',
  };
  const dirs: Record<string, string> = {};
  const direction: string[] = [];
  const dataMode: string[] = [];
  const positionQc: string[] = [];
  const juldQc: string[] = [];
  let previous = 0;
  profiles.forEach((p, i) => {
    const m = ID_PATTERN.exec(p.id);
    if (!m) throw new TypeError(`month index: profile id is not <dac>/<wmo>/profiles/<file>.nc: ${p.id}`);
    const [, dac, dir, file] = m;
    let d = dacIndex.get(dac);
    if (d === undefined) {
      d = dacs.push(dac) - 1;
      dacIndex.set(dac, d);
    }
    const lk = layoutKey(p.layout);
    let l = layoutIndex.get(lk);
    if (l === undefined) {
      l = layouts.push(p.layout) - 1;
      layoutIndex.set(lk, l);
    }
    c.time.push(i === 0 ? p.timeMs : p.timeMs - previous);
    previous = p.timeMs;
    c.lat.push(p.latitude);
    c.lon.push(p.longitude);
    c.cycle.push(p.cycle);
    c.dac.push(d);
    c.platform.push(p.platform);
    c.file.push(file);
    if (dir !== p.platform) dirs[String(i)] = dir;
    c.base.push(p.base);
    c.layout.push(l);
    c.size.push(p.size);
    c.dateUpdate.push(dateUpdateNumber(p.dateUpdate));
    direction.push(oneChar(p.direction));
    dataMode.push(oneChar(p.dataMode));
    positionQc.push(oneChar(p.positionQc));
    juldQc.push(oneChar(p.juldQc));
  });
  c.direction = direction.join('');
  c.dataMode = dataMode.join('');
  c.positionQc = positionQc.join('');
  c.juldQc = juldQc.join('');
  return {
    format: MONTH_INDEX_FORMAT,
    formatVersion: MONTH_INDEX_FORMAT_VERSION,
    month: content.month,
    builtAt: content.builtAt,
    source: content.source,
    key: content.key,
    count: profiles.length,
    start: isoOrNull(profiles[0]?.timeMs),
    end: isoOrNull(profiles[profiles.length - 1]?.timeMs),
    counts: content.counts,
    dacs,
    columns: c,
    dirs,
    layouts,
    failures: content.failures,
    excluded: content.excluded,
    outside: content.outside,
  };
}

export async function encodeMonthIndex(content: MonthIndexContent, options: { level?: number } = {}): Promise<Uint8Array> {
  const json = Buffer.from(JSON.stringify(toEncodedMonth(content)), 'utf8');
  return new Uint8Array(await compress(json, options.level ?? DEFAULT_ZSTD_LEVEL));
}

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
  return {
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

/** The profile at row `i` of a decoded month, as the builder reuses it. */
export function profileAt(index: MonthIndex, i: number): ProfileEntry {
  return {
    id: index.id[i],
    platform: index.platform[i],
    cycle: index.cycle[i],
    direction: index.direction[i],
    dataMode: index.dataMode[i],
    timeMs: index.time[i],
    latitude: index.latitude[i],
    longitude: index.longitude[i],
    positionQc: index.positionQc[i],
    juldQc: index.juldQc[i],
    dateUpdate: index.dateUpdate[i],
    size: index.size[i],
    base: index.base[i],
    layout: index.layouts[index.layout[i]],
  };
}

/** The public summary of a decoded month. */
export function summaryOf(index: MonthIndex): MonthSummary {
  return {
    month: index.month,
    profiles: index.count,
    start: index.count > 0 ? new Date(index.time[0]).toISOString() : null,
    end: index.count > 0 ? new Date(index.time[index.count - 1]).toISOString() : null,
    builtAt: index.builtAt,
    failed: index.failures.length,
    key: index.key,
  };
}
