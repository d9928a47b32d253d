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
 * Decoding lives in codec-decode.ts, the wire types in codec-format.ts; this module is the one
 * to import.
 *
 * Why this shape: columns put alike values together (zstd finds the repeats), deltas turn
 * 13-digit times into 5–8 digit gaps, and a month's few hundred distinct file layouts (N_LEVELS ×
 * variable set) are stored once. Measured by `npm run bench` (its index phase): ≈ 27 B/profile
 * compressed on a generated 13,000-profile month (bench/results/latest.json).
 */
import { compress } from '@mongodb-js/zstd';
import { MONTH_INDEX_FORMAT, MONTH_INDEX_FORMAT_VERSION, encodeParameterSet, type EncodedColumns, type EncodedMonth } from './codec-format.js';
import type { FileLayout, MonthBuildCounts, MonthFailure, MonthIndex, MonthParameter, MonthSummary } from './types.js';

export { MONTH_INDEX_FORMAT, MONTH_INDEX_FORMAT_VERSION, decodeParameterSet, encodeParameterSet } from './codec-format.js';
export { decodeMonthIndex, decodeMonthSummary } from './codec-decode.js';

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
  /** Synthetic (BGC) files: parameters with their data modes, in STATION_PARAMETERS order. */
  parameters?: Readonly<Record<string, string>>;
  /** Synthetic files read by this build: their parameters' attributes (month-level in the object). */
  parameterInfo?: readonly MonthParameter[];
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
  const bgc = profiles.some((p) => p.parameters !== undefined);
  const parameterSets: string[] = [];
  const setIndex = new Map<string, number>();
  const info = new Map<string, MonthParameter>();
  const rowSets: number[] = [];
  profiles.forEach((p, i) => {
    if (bgc) {
      const set = encodeParameterSet(p.parameters ?? {});
      let s = setIndex.get(set);
      if (s === undefined) {
        s = parameterSets.push(set) - 1;
        setIndex.set(set, s);
      }
      rowSets.push(s);
      for (const item of p.parameterInfo ?? []) if (!info.has(item.name) || (info.get(item.name)!.units === null && item.units !== null)) info.set(item.name, item);
    }
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
  if (bgc) c.parameters = rowSets;
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
    ...(bgc ? { parameterSets, parameterInfo: [...info.values()] } : {}),
  };
}


export async function encodeMonthIndex(content: MonthIndexContent, options: { level?: number } = {}): Promise<Uint8Array> {
  const json = Buffer.from(JSON.stringify(toEncodedMonth(content)), 'utf8');
  return new Uint8Array(await compress(json, options.level ?? DEFAULT_ZSTD_LEVEL));
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
    ...(index.parameterModes ? { parameters: index.parameterModes[i], parameterInfo: monthParametersOf(index, index.parameterModes[i]) } : {}),
  };
}

function monthParametersOf(index: MonthIndex, modes: Readonly<Record<string, string>>): MonthParameter[] {
  return (index.parameters ?? []).filter((p) => Object.hasOwn(modes, p.name));
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
