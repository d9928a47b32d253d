/**
 * The response cache: finished `GET /v1/profiles` bodies kept in memory (an LRU bounded in bytes),
 * keyed by everything that decides them: the normalized query, the format and the store keys of
 * the month indexes used. Month objects are immutable and a GDAC update reaches a query only
 * through a rebuilt month (a new key), so a cached body is exactly what a fresh computation would
 * send. Dashboards that refresh the same window are answered without decoding anything.
 */
import { LRUCache } from 'lru-cache';
import type { ProfileFields, ProfileQuery } from '../query/types.js';
import type { OutputFormat } from '../serialize/index.js';

/** The facts sent as headers, and the body, of one finished answer. */
export interface CachedResponse {
  headers: { matched: number; truncated: boolean; monthsMissing: string[]; next?: string; units?: string };
  body: Buffer;
}

export interface ResponseCacheStats {
  hits: number;
  misses: number;
  stored: number;
  entries: number;
  bytes: number;
  /** Bytes held by copies of bodies still being sent (see `reserve`). */
  copying: number;
}

export interface ResponseCache {
  /** Largest body worth keeping: a caller stops copying a body once it grows past this. */
  readonly maxEntryBytes: number;
  /**
   * Reserves `bytes` for a copy of a body being sent; false when the copies in progress already
   * hold the cache's size (the caller then stops copying). Every reservation is `release`d when
   * its copy is stored or dropped.
   */
  reserve(bytes: number): boolean;
  release(bytes: number): void;
  /** Counts a hit or a miss. */
  get(key: string): CachedResponse | undefined;
  set(key: string, response: CachedResponse): void;
  stats(): ResponseCacheStats;
}

/**
 * Largest body worth keeping: a quarter of the budget (and never more than 8 MB), so one big
 * answer cannot flush every dashboard's small ones.
 */
const MAX_ENTRY_FRACTION = 0.25;
const MAX_ENTRY_BYTES = 8 * 1024 * 1024;
// The key and the header values are small next to any body; 256 bytes covers them.
const ENTRY_OVERHEAD_BYTES = 256;

/**
 * `nextLink`: the next page's link as the body spells it (json, geojson), which follows the
 * request's own spelling of its query string; keyed so a body never carries another's link.
 */
export function responseCacheKey(query: ProfileQuery, format: OutputFormat, monthKeys: readonly string[], nextLink = ''): string {
  // Every field of ProfileQuery decides the answer; spelled out so a new field is a compile error here.
  const q: Required<ProfileQuery> = {
    startMs: query.startMs,
    endMs: query.endMs,
    levels: query.levels ?? [],
    vertical: query.vertical,
    variables: query.variables,
    dataset: query.dataset ?? 'phy',
    mode: query.mode,
    bbox: query.bbox ?? ([] as unknown as [number, number, number, number]),
    polygon: query.polygon ?? [],
    near: query.near ?? { center: [0, 0], radiusKm: 0 },
    platforms: query.platforms ?? [],
    maxProfiles: query.maxProfiles,
    cursor: query.cursor ?? '',
    // Absent (full profiles) is keyed apart from every named value.
    fields: query.fields ?? ('' as ProfileFields),
    float: query.float ?? '',
  };
  return JSON.stringify([format, q, monthKeys, nextLink]);
}

/** A response cache of `maxBytes` (ARGO_RESPONSE_CACHE_MB); undefined when that is too small to hold anything. */
export function createResponseCache({ maxBytes }: { maxBytes: number }): ResponseCache | undefined {
  const maxEntryBytes = Math.min(MAX_ENTRY_BYTES, Math.floor(maxBytes * MAX_ENTRY_FRACTION));
  if (maxBytes <= 0 || maxEntryBytes <= 0) return undefined;
  const lru = new LRUCache<string, CachedResponse>({
    maxSize: maxBytes,
    maxEntrySize: maxEntryBytes,
    sizeCalculation: (value, key) => value.body.byteLength + key.length + ENTRY_OVERHEAD_BYTES,
  });
  const counts = { hits: 0, misses: 0, stored: 0 };
  // A copy grows at the speed of its client: one that reads slowly (or never, until the send
  // timeout) holds its copy meanwhile. Each copy stops at the entry cap, and all of them together
  // at the cache's size, so many slow clients cannot hold more than the cache itself may.
  let copying = 0;
  return {
    maxEntryBytes,
    reserve(bytes) {
      if (copying + bytes > maxBytes) return false;
      copying += bytes;
      return true;
    },
    release(bytes) {
      copying = Math.max(0, copying - bytes);
    },
    get(key) {
      const hit = lru.get(key);
      if (hit) counts.hits++;
      else counts.misses++;
      return hit;
    },
    set(key, response) {
      lru.set(key, response);
      counts.stored++;
    },
    stats: () => ({ ...counts, entries: lru.size, bytes: lru.calculatedSize, copying }),
  };
}
