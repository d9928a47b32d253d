/**
 * Query planning, pure: which months a window touches, which profiles of each month match, and
 * the first `maxProfiles` of them in result order, all from the month indexes alone (no profile
 * file is read). So `matched`, `truncated` and `monthsMissing` are known before the body starts.
 *
 * Result order (SEMANTICS.md): time, then platform, cycle, direction A before D. A month index's
 * columns are already sorted that way and months do not overlap, so concatenating the months in
 * calendar order gives the result order with no sorting here.
 */
import { bgcProfileInclusion, type BgcInclusionMeta } from '../argo/bgc/rules.js';
import { profileInclusion, type InclusionMeta } from '../argo/qc.js';
import { createCircleShape, createPolygonShape, createShapeFilter, type Shape } from '../geo/index.js';
import { addMonths, monthOf, monthStartMs } from '../month-index/months.js';
import type { FileLayout, MonthIndex } from '../month-index/types.js';
import { cursorKeyOf, isAfterCursor, type CursorKey } from './cursor.js';
import type { ProfileQuery } from './types.js';

/**
 * `YYYY-MM` of every month intersecting `[startMs, endMs)`, in calendar order. Month names come
 * from month-index/months.ts (the one place they are spelled): a window outside the years
 * 0000–9999 is a RangeError there, never a garbled name. The query schema keeps windows within
 * 1900–2100, so that is a caller's bug.
 */
export function monthsOfWindow(startMs: number, endMs: number): string[] {
  if (!(endMs > startMs)) return [];
  const months: string[] = [];
  for (let month = monthOf(startMs); monthStartMs(month) < endMs; month = addMonths(month, 1)) months.push(month);
  return months;
}

/** First index in `[lo, hi)` whose value is ≥ `value` (`hi` when none): `sorted` ascending. */
export function lowerBound(sorted: ArrayLike<number>, value: number, lo = 0, hi = sorted.length): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (sorted[mid] < value) a = mid + 1;
    else b = mid;
  }
  return a;
}

/** Whether `lon` lies in `[min, max]`, or across the antimeridian when `min > max`. */
function lonInRange(lon: number, min: number, max: number): boolean {
  return min <= max ? lon >= min && lon <= max : lon >= min || lon <= max;
}

/**
 * Whether a position is inside `[lonMin, latMin, lonMax, latMax]` (edges included). `lonMin >
 * lonMax` crosses the antimeridian. Longitudes -180 and 180 are the same meridian.
 */
export function inBbox(latitude: number, longitude: number, bbox: readonly [number, number, number, number]): boolean {
  const [lonMin, latMin, lonMax, latMax] = bbox;
  if (latitude < latMin || latitude > latMax) return false;
  return lonInRange(longitude, lonMin, lonMax) || (Math.abs(longitude) === 180 && lonInRange(-longitude, lonMin, lonMax));
}

/**
 * A profile chosen by the plan: what the reader and the output need, copied out of its month
 * index so the month itself can be released once planned (memory stays ~ max_profiles, not
 * ~ the window's month indexes).
 */
export interface PlannedProfile {
  id: string;
  platformNumber: string;
  cycleNumber: number;
  direction: string;
  dataMode: string;
  timeMs: number;
  latitude: number;
  longitude: number;
  positionQc: string;
  juldQc: string;
  /** GDAC `date_update` (YYYYMMDDHHMMSS): part of the cache key, so an updated file is re-read. */
  dateUpdate: string;
  /** File offset the layout's slots are relative to. */
  base: number;
  /** File size in bytes. */
  size: number;
  layout: FileLayout;
  /** BGC profiles: each parameter's data mode (`{PRES: 'D', DOXY: 'A'}`). */
  parameters?: Readonly<Record<string, string>>;
}

export interface Plan {
  /** Profiles matching before the cap. */
  matched: number;
  truncated: boolean;
  /** Months of the window with no built index. */
  monthsMissing: string[];
  /** The first `maxProfiles` matches, in result order. */
  selected: PlannedProfile[];
}

export type PlanQuery = Pick<ProfileQuery, 'startMs' | 'endMs' | 'mode' | 'bbox' | 'polygon' | 'near' | 'platforms' | 'maxProfiles'>;

/** Whether profile `i` of a month passes the query's profile-level filters (not the time window). */
export type ProfileFilter = (month: MonthIndex, i: number) => boolean;

/** The query's shapes (polygon, radius search) as one position test, or undefined when none. */
export function shapeFilterOf(query: Pick<PlanQuery, 'polygon' | 'near'>): ((lon: number, lat: number) => boolean) | undefined {
  const shapes: Shape[] = [];
  if (query.polygon) shapes.push(createPolygonShape(query.polygon));
  if (query.near) shapes.push(createCircleShape({ center: query.near.center, radiusKm: query.near.radiusKm }));
  return createShapeFilter(shapes);
}

/**
 * The profile-level filters: the QC mode's inclusion rule (argo's `profileInclusion`, the same
 * function the reference semantics use), the bbox, the shapes (polygon, radius) and the platform
 * set. All combine with AND.
 */
export function createProfileFilter(query: Pick<PlanQuery, 'mode' | 'bbox' | 'polygon' | 'near' | 'platforms'>): ProfileFilter {
  const platforms = query.platforms && query.platforms.length > 0 ? new Set(query.platforms) : undefined;
  const { bbox, mode } = query;
  const inShapes = shapeFilterOf(query);
  // One scratch object, refilled per profile: a year's window scans ~10^5 profiles.
  const meta: InclusionMeta = { dataMode: '', positionQc: '', juldQc: '', timeMs: 0, latitude: 0, longitude: 0 };
  const bgcMeta: { -readonly [K in keyof BgcInclusionMeta]: BgcInclusionMeta[K] } = { parameters: {}, positionQc: '', juldQc: '', timeMs: 0, latitude: 0, longitude: 0 };
  return (month, i) => {
    if (platforms && !platforms.has(month.platform[i])) return false;
    const latitude = month.latitude[i];
    const longitude = month.longitude[i];
    if (bbox && !inBbox(latitude, longitude, bbox)) return false;
    // The shapes take longitude first (GeoJSON order).
    if (inShapes && !inShapes(longitude, latitude)) return false;
    if (month.parameterModes) {
      // A BGC month: argopy's rules, PRES's own data mode standing for the profile's.
      bgcMeta.parameters = month.parameterModes[i];
      bgcMeta.positionQc = month.positionQc[i];
      bgcMeta.juldQc = month.juldQc[i];
      bgcMeta.timeMs = month.time[i];
      bgcMeta.latitude = latitude;
      bgcMeta.longitude = longitude;
      return bgcProfileInclusion(bgcMeta, mode).included;
    }
    meta.dataMode = month.dataMode[i];
    meta.positionQc = month.positionQc[i];
    meta.juldQc = month.juldQc[i];
    meta.timeMs = month.time[i];
    meta.latitude = latitude;
    meta.longitude = longitude;
    return profileInclusion(meta, mode).included;
  };
}

function plannedProfile(month: MonthIndex, i: number): PlannedProfile {
  return {
    id: month.id[i],
    platformNumber: month.platform[i],
    cycleNumber: month.cycle[i],
    direction: month.direction[i],
    dataMode: month.dataMode[i],
    timeMs: month.time[i],
    latitude: month.latitude[i],
    longitude: month.longitude[i],
    positionQc: month.positionQc[i],
    juldQc: month.juldQc[i],
    dateUpdate: month.dateUpdate[i],
    base: month.base[i],
    size: month.size[i],
    layout: month.layouts[month.layout[i]],
    ...(month.parameterModes ? { parameters: month.parameterModes[i] } : {}),
  };
}

/** Profile `i` of a month as a cursor key. */
function keyAt(month: MonthIndex, i: number): CursorKey {
  return { timeMs: month.time[i], platform: month.platform[i], cycle: month.cycle[i], direction: month.direction[i], id: month.id[i] };
}

/** The cursor key of a planned profile (the last one of a page gives the next cursor). */
export function plannedKey(profile: PlannedProfile): CursorKey {
  return cursorKeyOf(profile);
}

/** The index range `[lo, hi)` of a month's profiles whose time is in `[startMs, endMs)`. */
export function timeRange(month: Pick<MonthIndex, 'time' | 'count'>, startMs: number, endMs: number): [number, number] {
  const lo = lowerBound(month.time, startMs, 0, month.count);
  const hi = lowerBound(month.time, endMs, lo, month.count);
  return [lo, hi];
}

/**
 * Builds a plan month by month, in calendar order (months may be added as they finish loading,
 * so only a few month indexes are held at once).
 */
export interface Planner {
  /** Adds the next month of the window; `undefined` when it has no built index. */
  add(month: string, index: MonthIndex | undefined): void;
  result(): Plan;
}

/**
 * `after`: a decoded cursor; only profiles strictly after it in the result order are planned
 * (and counted in `matched`). Months are in time order, so the scan of each month starts at the
 * cursor's time.
 */
export function createPlanner(query: PlanQuery, { after }: { after?: CursorKey } = {}): Planner {
  const filter = createProfileFilter(query);
  const selected: PlannedProfile[] = [];
  const monthsMissing: string[] = [];
  let matched = 0;
  return {
    add(month, index) {
      if (index === undefined) {
        monthsMissing.push(month);
        return;
      }
      const [lo, hi] = timeRange(index, after ? Math.max(query.startMs, after.timeMs) : query.startMs, query.endMs);
      for (let i = lo; i < hi; i++) {
        if (after && !isAfterCursor(keyAt(index, i), after)) continue;
        if (!filter(index, i)) continue;
        matched++;
        if (selected.length < query.maxProfiles) selected.push(plannedProfile(index, i));
      }
    },
    result() {
      return { matched, truncated: matched > selected.length, monthsMissing: [...monthsMissing], selected: [...selected] };
    },
  };
}
