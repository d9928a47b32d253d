/**
 * `withLevelCache`: decoded level data kept in memory, an LRU bounded in bytes and keyed by profile
 * id + GDAC `date_update` (an updated file gets a new key, so nothing stale is served). One entry
 * per profile holds the variables read so far; a later query needing other variables (another QC
 * mode) reads only those and the entry grows. Only successful reads are stored.
 */
import { LRUCache } from 'lru-cache';
import { LEVEL_VARIABLES, type LevelVariable, type ProfileLevels } from '../argo/types.js';
import type { LevelReader, ProfileRef } from './reader.js';

type Column = Float64Array | string;
type Columns = Partial<Record<LevelVariable, Column>>;

/** Bytes an entry costs beyond its arrays (key, object, map slots): a rough, safe guess. */
const ENTRY_OVERHEAD_BYTES = 256;

export interface LevelCacheStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
}

export interface CachedLevelReader extends LevelReader {
  stats(): LevelCacheStats;
  clear(): void;
}

export function cacheKeyOf(ref: Pick<ProfileRef, 'id' | 'dateUpdate'>): string {
  return `${ref.id}@${ref.dateUpdate}`;
}

function columnBytes(column: Column): number {
  // Strings: 2 bytes per char is the worst case of V8's representations.
  return typeof column === 'string' ? column.length * 2 : column.byteLength;
}

function toLevels(nLevels: number, columns: Columns): ProfileLevels {
  const levels: Record<string, unknown> = { nLevels };
  for (const name of LEVEL_VARIABLES) levels[name] = columns[name] ?? null;
  return levels as ProfileLevels;
}

export function withLevelCache(inner: LevelReader, { maxBytes }: { maxBytes: number }): CachedLevelReader {
  let hits = 0;
  let misses = 0;
  const cache = new LRUCache<string, Columns>({
    maxSize: Math.max(1, maxBytes),
    sizeCalculation: (columns, key) => {
      let bytes = ENTRY_OVERHEAD_BYTES + key.length * 2;
      for (const c of Object.values(columns)) if (c !== undefined) bytes += columnBytes(c);
      return bytes;
    },
  });
  return {
    async read(ref, names, options) {
      const key = cacheKeyOf(ref);
      const cached = cache.get(key) ?? {};
      // Names the layout lacks are known absent without a read.
      const missing = names.filter((n) => ref.layout.variables[n] !== undefined && cached[n] === undefined);
      if (missing.length === 0) {
        hits++;
        return toLevels(ref.layout.nLevels, cached);
      }
      misses++;
      const read = await inner.read(ref, missing, options);
      const merged: Columns = { ...(cache.get(key) ?? cached) };
      for (const name of missing) {
        const column = read[name];
        if (column !== null) merged[name] = column;
      }
      // A new object, so the LRU recomputes the entry's size.
      if (maxBytes > 0) cache.set(key, merged);
      return toLevels(ref.layout.nLevels, merged);
    },
    stats() {
      return { hits, misses, entries: cache.size, bytes: cache.calculatedSize };
    },
    clear() {
      cache.clear();
    },
  };
}
