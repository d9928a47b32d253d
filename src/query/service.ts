/**
 * The query service: `run(query)` plans from the month indexes (months loaded a few at a time,
 * in order, through the catalog's LRU + single-flight), then returns the headers' facts at once
 * and the profiles as a lazy async iterable. Iterating reads each profile's level rows (ranged,
 * coalesced, cached), applies the QC mode, depth and interpolation, and yields each `OutputProfile`
 * with its JSON text (`EncodedProfile`) in result order with a bounded look-ahead.
 *
 *     plan:  window → months → loadMonth → binary search + filters → first max_profiles
 *     read:  mapOrdered(window = concurrency) → output cache → levelVariablesToRead
 *            → reader (level cache → ranges) → computeProfile → toOutputProfile → JSON
 *     fields=positions: plan → toPositionProfile → JSON (no read at all)
 *
 * Cache hits settle in microtasks, so a warm query would hold the event loop until it ends: each
 * query has a yield clock (event-loop-yield.ts), checked before each computation and after each
 * profile taken, that gives the loop a turn every few ms of work.
 */
import { computeBgcProfile } from '../argo/bgc/compute.js';
import { CORE_PARAMETERS, bgcLevelVariablesToRead } from '../argo/bgc/rules.js';
import { computeProfile } from '../argo/compute.js';
import type { ArgoVariable } from '../argo/types.js';
import { NotFoundError, throwIfAborted, ValidationError } from '../errors.js';
import { createLimiter } from '../gdac/limiter.js';
import type { GdacSource } from '../gdac/types.js';
import type { Logger } from '../logger.js';
import { monthEndMs, monthStartMs } from '../month-index/months.js';
import type { PlatformLocator } from '../month-index/platform-map.js';
import type { MonthCatalog, MonthIndex, MonthParameter } from '../month-index/types.js';
import { createYieldClock, withEventLoopYield } from './event-loop-yield.js';
import { withLevelCache, type LevelCacheStats } from './level-cache.js';
import { mapOrdered } from './ordered.js';
import { withSingleFlight } from './single-flight.js';
import { createOutputCache, encodeProfile, outputShapeKey, withOutputCache, type OutputCacheStats, type ProfileOutputFn } from './output-cache.js';
import { toBgcOutputProfile, toOutputProfile, toPositionProfile } from './output.js';
import { isProvisional, markProvisional } from './provisional.js';
import { decodeCursor, encodeCursor, type CursorFilter, type CursorKey } from './cursor.js';
import { createPlanner, monthsOfWindow, plannedKey, type PlannedProfile } from './planner.js';
import { createBgcRangeLevelReader, createRangeLevelReader, type BgcLevelReader, type LevelReader } from './reader.js';
import type { EncodedProfile, ProfileQuery, QueryResult, QueryService } from './types.js';
import { levelVariablesToRead } from './variables.js';

/**
 * Month indexes loaded at once while planning. Loads are usually cache hits or small store reads;
 * 4 overlaps the store's latency without holding more than a few decoded months (~MBs each) at a
 * time, whatever the window length.
 */
export const MONTH_LOADS_IN_FLIGHT = 4;

export interface CreateQueryServiceOptions {
  catalog: MonthCatalog;
  /** The BGC months (dataset=bgc); without it, a BGC query finds no month built. */
  bgcCatalog?: MonthCatalog;
  gdac: GdacSource;
  /**
   * Bytes of profile data kept in memory (ARGO_PROFILE_CACHE_MB); 0 disables both caches. Split
   * between decoded level data and finished outputs (see `outputCacheBytes`).
   */
  profileCacheBytes: number;
  /**
   * Of `profileCacheBytes`, the bytes kept as finished outputs (default: a quarter, see
   * `OUTPUT_CACHE_SHARE`); the rest holds decoded level data.
   */
  outputCacheBytes?: number;
  /** Per query: profiles read ahead of the client, and GDAC requests in flight (ARGO_QUERY_CONCURRENCY). */
  concurrency: number;
  logger: Logger;
  /** Replace the level reader (tests); the cache still wraps it. */
  reader?: LevelReader;
  /** Which months hold a float's profiles (the platform map): needed for `float` queries. */
  locator?: PlatformLocator;
  /** Replace the BGC level reader (tests). */
  bgcReader?: BgcLevelReader;
  /**
   * Wraps the GDAC level reader before the caches (the data pack source, pack-reader.ts): the
   * caches and single flight stay in front of whatever source answers.
   */
  withSource?: (reader: LevelReader) => LevelReader;
}

/**
 * Default share of the profile cache given to finished outputs. An output entry (one profile on a
 * dashboard's ~20 levels, ~1 KB of JSON, charged ~4 KB) is several times smaller than the decoded
 * levels it comes from (hundreds of levels × several float32 columns + QC), so a quarter of the
 * budget holds at least as many outputs as the rest holds decoded profiles.
 */
export const OUTPUT_CACHE_SHARE = 0.25;

export interface QueryServiceWithStats extends QueryService {
  /** Decoded-profile cache counters (for metrics and tests). */
  cacheStats(): LevelCacheStats;
  /** Finished-output cache counters (for metrics and tests). */
  outputCacheStats(): OutputCacheStats;
}

export function createQueryService({
  catalog,
  bgcCatalog,
  gdac,
  profileCacheBytes,
  outputCacheBytes = Math.round(profileCacheBytes * OUTPUT_CACHE_SHARE),
  concurrency,
  logger,
  reader: innerReader,
  locator,
  bgcReader: innerBgcReader,
  withSource = (r) => r,
}: CreateQueryServiceOptions): QueryServiceWithStats {
  const outputBytes = Math.min(outputCacheBytes, profileCacheBytes);
  // cache → single flight → ranged reads: concurrent misses of one profile share one GDAC read.
  const reader = withLevelCache(withSingleFlight(withSource(innerReader ?? createRangeLevelReader({ gdac, logger }))), {
    maxBytes: profileCacheBytes - outputBytes,
  });
  const outputs = createOutputCache({ maxBytes: outputBytes });
  // BGC rows are read without the level cache and single flight (both hold core levels); their
  // finished outputs are cached like core ones.
  const bgcReader = innerBgcReader ?? createBgcRangeLevelReader({ gdac, logger });
  const emptyCatalog: Pick<MonthCatalog, 'loadMonth'> = { loadMonth: async () => undefined };

  async function plan(query: ProfileQuery, after: CursorKey | undefined, signal: AbortSignal) {
    const planner = createPlanner(query, { after });
    const all = query.float === undefined ? monthsOfWindow(query.startMs, query.endMs) : await floatMonths(query, signal);
    // With a cursor, months that end before it hold nothing of this page: not even loaded.
    const months = all.filter((m) => !after || monthEndMs(m) > after.timeMs);
    const source = query.dataset === 'bgc' ? (bgcCatalog ?? emptyCatalog) : catalog;
    const loads = mapOrdered(
      months,
      async (month, s): Promise<[string, MonthIndex | undefined]> => [month, await source.loadMonth(month, { signal: s })],
      { window: MONTH_LOADS_IN_FLIGHT, signal },
    );
    const monthKeys: string[] = [];
    const known = new Map<string, MonthParameter>();
    let built = 0;
    // Cached months load in microtasks: a year of them is planned in one go otherwise.
    const clock = createYieldClock();
    for await (const [month, index] of loads) {
      planner.add(month, index);
      if (index) {
        monthKeys.push(index.key);
        built++;
        for (const p of index.parameters ?? []) if (!known.has(p.name)) known.set(p.name, p);
      }
      while (clock.due()) await clock.turn();
    }
    if (query.dataset === 'bgc' && built > 0) checkParameters(query, known);
    return { ...planner.result(), monthKeys, parameters: [...known.values()] };
  }

  /** The built months the platform map names for the float, within the window. */
  async function floatMonths(query: ProfileQuery, signal: AbortSignal): Promise<string[]> {
    if (!locator) throw new Error('float queries need the platform locator');
    const months = await locator.monthsOf(query.float!, { signal });
    if (months.length === 0) {
      throw new NotFoundError({ message: `No built month holds a profile of float ${query.float}.`, context: { platform: query.float } });
    }
    return months.map((m) => m.month).filter((m) => monthStartMs(m) < query.endMs && monthEndMs(m) > query.startMs);
  }

  function profilesOf(selected: PlannedProfile[], query: ProfileQuery, signal: AbortSignal): AsyncIterable<EncodedProfile> {
    const targets = query.levels ? Float64Array.from(query.levels) : undefined;
    const options = { mode: query.mode, vertical: query.vertical, variables: query.variables, ...(targets ? { targets } : {}) };
    const shapeKey = outputShapeKey(query);
    return {
      [Symbol.asyncIterator]() {
        // Per query, so one large query cannot take every GDAC slot of the process.
        const limiter = createLimiter(concurrency);
        const clock = createYieldClock();
        // The look-ahead's computations of cache hits would otherwise all run in one turn: each
        // branch checks the clock between its read and its computation, with no await between
        // the check and the computation (see YieldClock).
        const compute: ProfileOutputFn = async (profile, s) => {
          if (profile.parameters) {
            const modes = profile.parameters;
            const variables = query.variables as readonly string[];
            const names = bgcLevelVariablesToRead({ mode: query.mode, parameters: modes, variables });
            const levels = await bgcReader.read(profile, names, { signal: s, limiter });
            while (clock.due()) await clock.turn();
            throwIfAborted(s, { operation: 'query' });
            const computed = computeBgcProfile({ meta: { parameters: modes, latitude: profile.latitude }, levels, options });
            const output = toBgcOutputProfile(profile, computed, variables);
            return isProvisional(levels) ? markProvisional(output) : output;
          }
          const variables = query.variables as ArgoVariable[];
          const names = levelVariablesToRead({ mode: query.mode, dataMode: profile.dataMode, variables });
          const levels = await reader.read(profile, names, { signal: s, limiter });
          while (clock.due()) await clock.turn();
          throwIfAborted(s, { operation: 'query' });
          const computed = computeProfile({ meta: profile, levels, options: { ...options, variables } });
          const output = toOutputProfile(profile, computed, variables);
          // Levels from a file that changed since its month was built: so is what derives from them.
          return isProvisional(levels) ? markProvisional(output) : output;
        };
        const read = withOutputCache(compute, { cache: outputs, shapeKey });
        return withEventLoopYield(mapOrdered(selected, read, { window: concurrency, signal }), { clock })[Symbol.asyncIterator]();
      },
    };
  }

  /**
   * `fields=positions`: the planned profiles' metadata, straight from the month indexes. No level
   * reader, no cache, no GDAC request: a map of a whole window costs the plan alone.
   */
  function positionsOf(selected: PlannedProfile[], signal: AbortSignal): AsyncIterable<EncodedProfile> {
    return {
      async *[Symbol.asyncIterator]() {
        const clock = createYieldClock();
        for (const profile of selected) {
          throwIfAborted(signal, { operation: 'query' });
          yield encodeProfile(toPositionProfile(profile));
          while (clock.due()) await clock.turn();
        }
      },
    };
  }

  return {
    async run(query, { signal }) {
      throwIfAborted(signal, { operation: 'query' });
      checkQuery(query);
      const started = performance.now();
      const filter = cursorFilterOf(query);
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, { filter });
      const { matched, truncated, monthsMissing, selected, monthKeys, parameters } = await plan(query, after, signal);
      logger.debug(
        { matched, selected: selected.length, truncated, monthsMissing, planMs: Math.round(performance.now() - started) },
        'query planned',
      );
      // Core level reads only (positions read no levels; BGC rows have their own reader).
      if (query.fields !== 'positions' && query.dataset !== 'bgc') await reader.prepare?.(selected, { signal });
      const profiles = query.fields === 'positions' ? positionsOf(selected, signal) : profilesOf(selected, query, signal);
      const last = selected.at(-1);
      const next = truncated && last ? encodeCursor({ key: plannedKey(last), filter }) : undefined;
      return {
        matched,
        truncated,
        monthsMissing,
        monthKeys,
        query,
        profiles,
        ...(next ? { next } : {}),
        ...(query.dataset === 'bgc' ? { parameters: parameters.filter((p) => (query.variables as readonly string[]).includes(p.name)) } : {}),
      };
    },
    cacheStats: () => reader.stats(),
    outputCacheStats: () => outputs.stats(),
  };
}

/**
 * What a cursor is bound to: the filters that decide which profiles match and in which order.
 * Output options (format, levels, variables, fields, max_profiles) may change between pages.
 */
export function cursorFilterOf(query: ProfileQuery): CursorFilter {
  return {
    startMs: query.startMs,
    endMs: query.endMs,
    mode: query.mode,
    dataset: query.dataset,
    float: query.float,
    bbox: query.bbox,
    polygon: query.polygon,
    near: query.near,
    platforms: query.platforms,
  };
}

/**
 * A BGC query names parameters the built months of its window have (or PRES, TEMP, PSAL): any
 * other name is a 400 listing the known ones, so a typo is not an all-null answer.
 */
function checkParameters(query: ProfileQuery, known: ReadonlyMap<string, MonthParameter>): void {
  const unknown = (query.variables as readonly string[]).filter((v) => !known.has(v) && !CORE_PARAMETERS.includes(v));
  if (unknown.length === 0) return;
  const names = [...new Set([...CORE_PARAMETERS, ...known.keys()])].sort();
  const message = `unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: the built BGC months of this window have ${names.join(', ')}`;
  throw new ValidationError({ message: `variables: ${message}`, issues: [{ parameter: 'variables', message }] });
}

/**
 * The instants a query window may reach, as the route's schema (schemas/profiles.ts) states them:
 * 1900-01-01 to 2100-01-01 UTC. Outside them month names cannot be spelled (month-index/months.ts)
 * and no Argo data exists.
 */
const EARLIEST_INSTANT_MS = Date.UTC(1900, 0, 1);
const LATEST_INSTANT_MS = Date.UTC(2100, 0, 1);

/**
 * Invariants the route's schema already guarantees, checked again for other callers (the command
 * line, the bench): cheap, and a clear 400 beats a silent empty result.
 */
function checkQuery(query: ProfileQuery): void {
  const issues: { parameter: string; message: string }[] = [];
  for (const [parameter, ms] of [['start', query.startMs], ['end', query.endMs]] as const) {
    if (!(ms >= EARLIEST_INSTANT_MS && ms <= LATEST_INSTANT_MS)) {
      issues.push({ parameter, message: 'must be between 1900-01-01T00:00:00Z and 2100-01-01T00:00:00Z' });
    }
  }
  if (issues.length === 0 && !(query.endMs > query.startMs)) {
    issues.push({ parameter: 'end', message: 'end must be after start' });
  }
  if (!(Number.isInteger(query.maxProfiles) && query.maxProfiles >= 1)) {
    issues.push({ parameter: 'max_profiles', message: 'must be a positive integer' });
  }
  if (query.variables.length === 0) issues.push({ parameter: 'variables', message: 'at least one variable' });
  if (issues.length > 0) {
    throw new ValidationError({ message: issues.map((i) => `${i.parameter}: ${i.message}`).join('; '), issues });
  }
}
