/**
 * `withOutputCache`: each profile's finished output kept in memory, so a repeated or overlapping
 * dashboard window skips the level read, the QC/depth/interpolation and the JSON encoding. An LRU
 * bounded in bytes, keyed by everything that determines the output: the file version (profile id
 * + GDAC `date_update`), the metadata the index gave (which goes into the output as is) and the
 * query's shape (mode, vertical, levels, variables in order). Only successful computations are
 * stored, and never a provisional one (see provisional.ts).
 *
 * An entry is the `EncodedProfile` the query yields: the `OutputProfile` and its JSON text, both
 * frozen (an entry is shared by every request that hits it). The profile is encoded here, once,
 * whether or not the cache keeps it, so the serializers never stringify a profile themselves.
 */
import { LRUCache } from 'lru-cache';
import type { PlannedProfile } from './planner.js';
import { isProvisional } from './provisional.js';
import type { EncodedProfile, OutputProfile, ProfileQuery } from './types.js';

/**
 * Bytes an entry costs beyond its JSON text (key, entry and LRU slots): a rough, safe guess.
 */
const ENTRY_OVERHEAD_BYTES = 512;
/**
 * Bytes per JSON character charged for an entry: 2 for the text (the worst case of V8's string
 * representations) + 2 for the object it describes (a number costs 8–16 bytes in an array and
 * takes ~8–10 characters of JSON), so the bound holds whatever the mix of nulls and values.
 */
const BYTES_PER_JSON_CHAR = 4;

/** `-0` spelled apart from `0`: a target level of -0 stays -0 in the output object. */
function numberKey(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}

/** The part of the key a whole query shares: compute it once per query. */
export function outputShapeKey(query: Pick<ProfileQuery, 'mode' | 'vertical' | 'levels' | 'variables'>): string {
  const levels = query.levels === undefined ? 'native' : query.levels.map(numberKey).join(',');
  return `${query.mode}|${query.vertical}|${levels}|${query.variables.join(',')}`;
}

/** The cache key of one profile's output for a query shape (`outputShapeKey`). */
export function outputKeyOf(profile: PlannedProfile, shapeKey: string): string {
  return (
    `${profile.id}@${profile.dateUpdate}|${profile.platformNumber}|${profile.cycleNumber}|${profile.direction}|` +
    `${profile.dataMode}|${profile.timeMs}|${numberKey(profile.latitude)}|${numberKey(profile.longitude)}|${shapeKey}`
  );
}

/** Computes one profile's output for a query (the level read and the numbers). */
export type ProfileOutputFn = (profile: PlannedProfile, signal: AbortSignal) => Promise<OutputProfile>;

/** One profile's output and its JSON text, from the cache or computed. */
export type EncodedOutputFn = (profile: PlannedProfile, signal: AbortSignal) => Promise<EncodedProfile>;

export interface OutputCacheStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
}

/** The process-wide store of finished outputs; `withOutputCache` puts it around a query's compute. */
export interface OutputCache {
  get(key: string): EncodedProfile | undefined;
  set(key: string, entry: EncodedProfile): void;
  stats(): OutputCacheStats;
  clear(): void;
}

export function createOutputCache({ maxBytes }: { maxBytes: number }): OutputCache {
  let hits = 0;
  let misses = 0;
  const lru =
    maxBytes > 0
      ? new LRUCache<string, EncodedProfile>({
          maxSize: maxBytes,
          sizeCalculation: (entry, key) => ENTRY_OVERHEAD_BYTES + key.length * 2 + entry.json.length * BYTES_PER_JSON_CHAR,
        })
      : undefined;
  return {
    get(key) {
      const entry = lru?.get(key);
      if (entry === undefined) misses++;
      else hits++;
      return entry;
    },
    set(key, entry) {
      lru?.set(key, entry);
    },
    stats() {
      return { hits, misses, entries: lru?.size ?? 0, bytes: lru?.calculatedSize ?? 0 };
    },
    clear() {
      lru?.clear();
    },
  };
}

function deepFreeze(profile: OutputProfile): OutputProfile {
  for (const value of Object.values(profile)) if (Array.isArray(value)) Object.freeze(value);
  return Object.freeze(profile);
}

/** A profile and its JSON text, frozen together. */
export function encodeProfile(profile: OutputProfile): EncodedProfile {
  const frozen = deepFreeze(profile);
  return Object.freeze({ profile: frozen, json: JSON.stringify(frozen) });
}

/**
 * A query's `compute`, encoded, and served from `cache` when the same output was computed before.
 * `shapeKey` is `outputShapeKey(query)` of the query `compute` belongs to. A failed or provisional
 * computation stores nothing (a provisional profile keeps its mark: see provisional.ts).
 */
export function withOutputCache(compute: ProfileOutputFn, { cache, shapeKey }: { cache: OutputCache; shapeKey: string }): EncodedOutputFn {
  return async (profile, signal) => {
    const key = outputKeyOf(profile, shapeKey);
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const output = await compute(profile, signal);
    const encoded = encodeProfile(output);
    if (!isProvisional(output)) cache.set(key, encoded);
    return encoded;
  };
}
