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
import { computeProfile } from '../argo/compute.js';
import { throwIfAborted, ValidationError } from '../errors.js';
import { createLimiter } from '../gdac/limiter.js';
import type { GdacSource } from '../gdac/types.js';
import type { Logger } from '../logger.js';
import type { MonthCatalog, MonthIndex } from '../month-index/types.js';
import { createYieldClock, withEventLoopYield } from './event-loop-yield.js';
import { withLevelCache, type LevelCacheStats } from './level-cache.js';
import { mapOrdered } from './ordered.js';
import { withSingleFlight } from './single-flight.js';
import { createOutputCache, encodeProfile, outputShapeKey, withOutputCache, type OutputCacheStats, type ProfileOutputFn } from './output-cache.js';
import { toOutputProfile, toPositionProfile } from './output.js';
import { isProvisional, markProvisional } from './provisional.js';
import { createPlanner, monthsOfWindow, type PlannedProfile } from './planner.js';
import { createRangeLevelReader, type LevelReader } from './reader.js';
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
  gdac,
  profileCacheBytes,
  outputCacheBytes = Math.round(profileCacheBytes * OUTPUT_CACHE_SHARE),
  concurrency,
  logger,
  reader: innerReader,
}: CreateQueryServiceOptions): QueryServiceWithStats {
  const outputBytes = Math.min(outputCacheBytes, profileCacheBytes);
  // cache → single flight → ranged reads: concurrent misses of one profile share one GDAC read.
  const reader = withLevelCache(withSingleFlight(innerReader ?? createRangeLevelReader({ gdac, logger })), {
    maxBytes: profileCacheBytes - outputBytes,
  });
  const outputs = createOutputCache({ maxBytes: outputBytes });

  async function plan(query: ProfileQuery, signal: AbortSignal) {
    const planner = createPlanner(query);
    const months = monthsOfWindow(query.startMs, query.endMs);
    const loads = mapOrdered(
      months,
      async (month, s): Promise<[string, MonthIndex | undefined]> => [month, await catalog.loadMonth(month, { signal: s })],
      { window: MONTH_LOADS_IN_FLIGHT, signal },
    );
    const monthKeys: string[] = [];
    // Cached months load in microtasks: a year of them is planned in one go otherwise.
    const clock = createYieldClock();
    for await (const [month, index] of loads) {
      planner.add(month, index);
      if (index) monthKeys.push(index.key);
      while (clock.due()) await clock.turn();
    }
    return { ...planner.result(), monthKeys };
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
        const compute: ProfileOutputFn = async (profile, s) => {
          const names = levelVariablesToRead({ mode: query.mode, dataMode: profile.dataMode, variables: query.variables });
          const levels = await reader.read(profile, names, { signal: s, limiter });
          // The look-ahead's computations of cache hits would otherwise all run in one turn. No
          // await between this check and the computation (see YieldClock).
          while (clock.due()) await clock.turn();
          throwIfAborted(s, { operation: 'query' });
          const computed = computeProfile({ meta: profile, levels, options });
          const output = toOutputProfile(profile, computed, query.variables);
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
      const { matched, truncated, monthsMissing, selected, monthKeys } = await plan(query, signal);
      logger.debug(
        { matched, selected: selected.length, truncated, monthsMissing, planMs: Math.round(performance.now() - started) },
        'query planned',
      );
      const profiles = query.fields === 'positions' ? positionsOf(selected, signal) : profilesOf(selected, query, signal);
      return { matched, truncated, monthsMissing, monthKeys, query, profiles };
    },
    cacheStats: () => reader.stats(),
    outputCacheStats: () => outputs.stats(),
  };
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
