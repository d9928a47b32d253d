/**
 * `withLevelCache`: decoded level data kept in memory, an LRU bounded in bytes and keyed by profile
 * id + GDAC `date_update` (an updated file gets a new key, so nothing stale is served). One entry
 * per profile holds the variables read so far; a later query needing other variables (another QC
 * mode) reads only those and the entry grows. Only successful reads are stored, and never a
 * provisional one (a file that changed since its month was built, see provisional.ts): it is
 * returned as read, whole, and the entry is left as it was.
 *
 * Numbers are kept as float32 when every value is exactly a float32 (Argo level data is stored as
 * NetCDF float, so that is the rule): half the bytes of float64, and widening back to float64 is
 * exact, so what a hit returns is identical to what the read gave.
 */
import { LRUCache } from 'lru-cache';
import { LEVEL_VARIABLES, type LevelVariable, type ProfileLevels } from '../argo/types.js';
import { isProvisional } from './provisional.js';
import type { LevelReader, ProfileRef } from './reader.js';

/** As kept: float32 when exact, else float64; QC as strings. */
type Column = Float64Array | Float32Array | string;
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

/** The column as kept: a Float32Array when that loses nothing (NaN stays NaN), else as is. */
function compact(column: Float64Array | string): Column {
  if (typeof column === 'string') return column;
  const narrow = Float32Array.from(column);
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (narrow[i] !== v && !Number.isNaN(v)) return column;
  }
  return narrow;
}

/** The levels as the reader gives them: float32 columns widened (exactly) to fresh Float64Arrays. */
function toLevels(nLevels: number, columns: Columns, fresh?: ProfileLevels): ProfileLevels {
  const levels: Record<string, unknown> = { nLevels };
  for (const name of LEVEL_VARIABLES) {
    const column = fresh?.[name] ?? columns[name] ?? null;
    levels[name] = column instanceof Float32Array ? new Float64Array(column) : column;
  }
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
    ...(inner.prepare ? { prepare: inner.prepare.bind(inner) } : {}),
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
      // Read from a file that no longer matches the index: it stands alone (every variable the
      // file has), and mixing it with cached columns of the old file would mix two versions.
      if (isProvisional(read)) return read;
      const merged: Columns = { ...(cache.get(key) ?? cached) };
      for (const name of missing) {
        const column = read[name];
        if (column !== null) merged[name] = maxBytes > 0 ? compact(column) : column;
      }
      // A new object, so the LRU recomputes the entry's size.
      if (maxBytes > 0) cache.set(key, merged);
      // What was just read is returned as read (no widening copy); the rest from the entry.
      const fresh: Record<string, unknown> = {};
      for (const name of missing) fresh[name] = read[name];
      return toLevels(ref.layout.nLevels, merged, fresh as Partial<ProfileLevels> as ProfileLevels);
    },
    stats() {
      return { hits, misses, entries: cache.size, bytes: cache.calculatedSize };
    },
    clear() {
      cache.clear();
    },
  };
}
