/**
 * `withPackSource(gdacReader, …)`: level data from the month's data pack in the index store
 * (issue 12; docs/data-packs.md) instead of GDAC byte ranges, chosen per month by
 * ARGO_QUERY_SOURCE:
 *   - `auto` (default): a month whose current master entry names a pack is read from it; a month
 *     without one (built before packs) from the GDAC, as before;
 *   - `pack`: never the GDAC; a month without a pack is a 503 naming the month (PackMissingError);
 *   - `gdac`: always the GDAC (the wrapper is a no-op).
 *
 * A profile is looked up in the row group of its time: the group is read once (ranged reads of
 * its column chunks through the store's `getRange`), decoded, and kept in a small LRU while the
 * query's look-ahead takes its profiles one by one (a day's group is most of a 1-day window). Pack
 * footers are kept too (one exact read each: the master entry records the footer's size).
 *
 * Pairing: a pack row is used only when its `date_update` is the one the planned profile carries,
 * so a month index is never paired with another build's levels. A profile the pack lacks (left
 * out at build time) or holds in another version is read from the GDAC under `auto`; under `pack`
 * it is a PackMissingError too.
 */
import { LRUCache } from 'lru-cache';
import { LEVEL_VARIABLES, type ProfileLevels } from '../argo/types.js';
import { PackMissingError, StoreError } from '../errors.js';
import type { Logger } from '../logger.js';
import { monthOf } from '../month-index/months.js';
import type { MonthCatalog, MonthPack } from '../month-index/types.js';
import { openPack, readPackProfiles, selectRowGroups, type Pack, type PackRowGroup } from '../pack/index.js';
import type { BlobStore } from '../storage/types.js';
import type { LevelReader, ProfileRef } from './reader.js';

export const QUERY_SOURCES = ['auto', 'pack', 'gdac'] as const;
export type QuerySource = (typeof QUERY_SOURCES)[number];

/**
 * Open pack footers kept: ~40 KB each for a core month, so 64 cost ~3 MB and cover five years of
 * months a dashboard may page through.
 */
const OPEN_PACKS = 64;
/**
 * Decoded row groups kept, in bytes: a UTC day of today's GDAC (~430 profiles) decodes to a few
 * MB of float64 levels; 32 MB holds the groups a query's look-ahead is taking profiles from (one
 * or two) for several concurrent queries, and keeps the server's RSS target (the level cache
 * above keeps what is reused later).
 */
const DEFAULT_GROUP_CACHE_BYTES = 32 * 1024 * 1024;

interface PackedRow {
  dateUpdate: string | undefined;
  levels: ProfileLevels;
}

type Group = Map<string, PackedRow>;

export interface PackSourceOptions {
  source: QuerySource;
  store: BlobStore;
  catalog: Pick<MonthCatalog, 'monthSummary' | 'listMonths'>;
  groupCacheBytes?: number;
  logger?: Pick<Logger, 'warn' | 'debug'>;
}

function levelsBytes(levels: ProfileLevels): number {
  let n = 64;
  for (const name of LEVEL_VARIABLES) {
    const v = levels[name] as unknown;
    if (typeof v === 'string') n += v.length * 2;
    else if (v && typeof v === 'object' && 'byteLength' in v) n += (v as ArrayBufferView).byteLength;
  }
  return n;
}

export function withPackSource(inner: LevelReader, options: PackSourceOptions): LevelReader {
  const { source, store, catalog, logger } = options;
  if (source === 'gdac') return inner;

  const packs = new LRUCache<string, Promise<Pack>>({ max: OPEN_PACKS });
  const groups = new LRUCache<string, Group>({
    maxSize: Math.max(1, options.groupCacheBytes ?? DEFAULT_GROUP_CACHE_BYTES),
    sizeCalculation: (group) => {
      let n = 0;
      for (const row of group.values()) n += levelsBytes(row.levels);
      return Math.max(1, n);
    },
  });
  const loading = new Map<string, Promise<Group>>();

  async function packOf(month: string, signal: AbortSignal): Promise<MonthPack | undefined> {
    const summary = catalog.monthSummary
      ? await catalog.monthSummary(month, { signal })
      : (await catalog.listMonths({ signal })).find((s) => s.month === month);
    return summary?.pack;
  }

  function open(pack: MonthPack, signal: AbortSignal): Promise<Pack> {
    let opened = packs.get(pack.key);
    if (!opened) {
      opened = openPack({
        size: pack.bytes,
        footerBytes: pack.footerBytes,
        signal,
        readRange: async ({ offset, length, signal: s }) => {
          const bytes = await store.getRange(pack.key, { offset, length, ...(s ? { signal: s } : {}) });
          if (!bytes) throw new StoreError({ message: `data pack ${pack.key} is missing from the index store`, context: { key: pack.key } });
          return bytes;
        },
      });
      packs.set(pack.key, opened);
      // A failed open is not kept: the next query tries again.
      opened.catch(() => packs.delete(pack.key));
    }
    return opened;
  }

  /** One row group, decoded, shared by concurrent callers (the first caller's signal drives it). */
  function group(pack: Pack, key: string, g: PackRowGroup, signal: AbortSignal): Promise<Group> {
    const id = `${key}#${g.index}`;
    const cached = groups.get(id);
    if (cached) return Promise.resolve(cached);
    let pending = loading.get(id);
    if (!pending) {
      pending = (async () => {
        const rows: Group = new Map();
        const window = { start: g.timeMin ?? -Infinity, end: g.timeMax === undefined ? Infinity : g.timeMax + 1 };
        for await (const p of readPackProfiles({ pack, window, signal, filter: undefined })) {
          if (p.row < g.firstRow || p.row >= g.firstRow + g.rows) continue;
          rows.set(p.meta.id, { dateUpdate: p.meta.dateUpdate, levels: p.levels });
        }
        groups.set(id, rows);
        return rows;
      })().finally(() => loading.delete(id));
      loading.set(id, pending);
    }
    return pending;
  }

  async function fromPack(ref: ProfileRef, pack: MonthPack, signal: AbortSignal): Promise<ProfileLevels | undefined> {
    const opened = await open(pack, signal);
    const t = ref.timeMs!;
    for (const g of selectRowGroups(opened, { start: t, end: t + 1 })) {
      const row = (await group(opened, pack.key, g, signal)).get(ref.id);
      if (row && row.dateUpdate === ref.dateUpdate) return row.levels;
    }
    return undefined;
  }

  return {
    // Under `pack`, every month the query will read must have a pack: checked from the master
    // entries (no pack read) before the answer starts, so the client gets a 503 problem naming
    // the months rather than a 200 cut by an error line. A profile its month's pack lacks can
    // only be found out by reading, and stays an error line.
    async prepare(refs, { signal }) {
      if (source !== 'pack') return;
      const months = [...new Set(refs.flatMap((r) => (r.timeMs === undefined ? [] : [monthOf(r.timeMs)])))].sort();
      const without: string[] = [];
      for (const month of months) if (!(await packOf(month, signal))) without.push(month);
      if (without.length === 0) return;
      const names = without.length === 1 ? `Month ${without[0]} has` : `Months ${without.join(', ')} have`;
      throw new PackMissingError({
        message: `${names} no data pack (ARGO_QUERY_SOURCE=pack); build ${without.length === 1 ? 'its pack' : 'their packs'} with build-index --packs-only.`,
        context: { months: without },
      });
    },
    async read(ref, names, readOptions) {
      const { signal } = readOptions;
      if (ref.timeMs === undefined) return inner.read(ref, names, readOptions);
      const month = monthOf(ref.timeMs);
      const pack = await packOf(month, signal);
      if (pack) {
        const levels = await fromPack(ref, pack, signal);
        if (levels) return levels;
        if (source === 'pack') {
          throw new PackMissingError({ message: `Profile ${ref.id} of month ${month} is not in the month's data pack; rebuild the month.`, context: { month, id: ref.id } });
        }
        logger?.debug({ month, id: ref.id }, 'profile not in its month pack: read from the GDAC');
        return inner.read(ref, names, readOptions);
      }
      if (source === 'pack') {
        throw new PackMissingError({ message: `Month ${month} has no data pack (ARGO_QUERY_SOURCE=pack); build its pack with build-index --packs-only.`, context: { month } });
      }
      return inner.read(ref, names, readOptions);
    },
  };
}
