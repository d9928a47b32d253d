/**
 * The platform map (`platforms.json.zst` in the index store): for each built month, the month
 * version it describes and the platforms (WMO numbers) with a profile in it. The float routes
 * (`/v1/platforms/{wmo}`) read only the months it names for a float, instead of every month index.
 *
 * It is derived data, a cache of what the month indexes say, maintained like the master index:
 * - The builder updates it after each master commit (`createPlatformMapStep`: a MonthStep that
 *   collects each written version's platforms, and a publish hook that merges them) through the
 *   one conditional read-modify-write (storage/read-modify-write.ts). A month's entry only moves
 *   to a newer version (keys sort by write time), so concurrent builders' merges converge.
 * - Readers never trust it alone (`createPlatformLocator`): every month of the healed master is
 *   checked against the map's version key; a month the map lacks or describes at another version
 *   is read from its month index, and the corrected entries are written back (healing, lazily).
 *   So a lost update (a store without conditional writes, a crash between the master commit and
 *   the map update, a missing or unreadable map) costs a few month reads, never a wrong answer.
 * - Removing a month drops its entry (`dropPlatformMonths`); an entry left behind is ignored,
 *   since readers only look at the months the master names.
 */
import { compress, decompress } from '@mongodb-js/zstd';
import { isAbortError, PreconditionFailedError } from '../errors.js';
import { updateObject } from '../storage/read-modify-write.js';
import type { BlobStore } from '../storage/types.js';
import { createSingleFlight } from '../util/single-flight.js';
import type { PublishHook } from './build/publisher.js';
import type { MonthStep } from './build/month-steps.js';
import type { BuildLogger } from './build/types.js';
import { isNewerKey } from './months.js';
import type { MonthCatalog, MonthIndex, MonthSummary } from './types.js';

export const PLATFORMS_KEY = 'platforms.json.zst';
export const PLATFORM_MAP_FORMAT_VERSION = 1;

export interface PlatformMonthEntry {
  /** The month index key (version) the platforms were taken from. */
  key: string;
  /** WMO numbers with at least one listed profile in that version, sorted. */
  platforms: string[];
}

export interface PlatformMap {
  formatVersion: number;
  updatedAt: string;
  months: Record<string, PlatformMonthEntry>;
}

type Logger = Pick<BuildLogger, 'warn'>;

export function emptyPlatformMap(): PlatformMap {
  return { formatVersion: PLATFORM_MAP_FORMAT_VERSION, updatedAt: '', months: {} };
}

export async function decodePlatformMap(bytes: Uint8Array): Promise<PlatformMap> {
  const raw = await decompress(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const parsed = JSON.parse(raw.toString('utf8')) as Partial<PlatformMap>;
  if (parsed.formatVersion !== PLATFORM_MAP_FORMAT_VERSION || !parsed.months || typeof parsed.months !== 'object') {
    throw new Error('platform map has an unknown format');
  }
  const months: Record<string, PlatformMonthEntry> = {};
  for (const [month, entry] of Object.entries(parsed.months)) {
    if (entry && typeof entry.key === 'string' && Array.isArray(entry.platforms) && entry.platforms.every((p) => typeof p === 'string')) {
      months[month] = { key: entry.key, platforms: entry.platforms };
    }
  }
  return { formatVersion: PLATFORM_MAP_FORMAT_VERSION, updatedAt: typeof parsed.updatedAt === 'string' ? parsed.updatedAt : '', months };
}

export async function encodePlatformMap(map: PlatformMap): Promise<Uint8Array> {
  const months: Record<string, PlatformMonthEntry> = {};
  for (const month of Object.keys(map.months).sort()) months[month] = map.months[month];
  return new Uint8Array(await compress(Buffer.from(JSON.stringify({ ...map, months })), 9));
}

/** The platforms of a month index, sorted and distinct. */
export function platformsOfMonth(index: Pick<MonthIndex, 'platform'>): string[] {
  return [...new Set(index.platform)].sort();
}

/** Reads the map; undefined when missing or unreadable (it is derived: readers heal it). */
export async function readPlatformMap(store: BlobStore, options: { signal?: AbortSignal; logger?: Logger } = {}): Promise<PlatformMap | undefined> {
  const object = await store.get(PLATFORMS_KEY, { signal: options.signal });
  if (!object) return undefined;
  try {
    return await decodePlatformMap(object.body);
  } catch (error) {
    options.logger?.warn({ err: error, key: PLATFORMS_KEY }, 'platform map unreadable: healing it from the month indexes');
    return undefined;
  }
}

// Fewer attempts than the master's: a lost map update only costs readers a few month reads.
const ATTEMPTS = 8;

interface UpdateOptions {
  store: BlobStore;
  signal?: AbortSignal;
  logger?: Logger;
  backoffMs?: number;
  now?: () => Date;
}

async function updatePlatformMap(options: UpdateOptions & { mutate: (map: PlatformMap) => boolean; verify: (map: PlatformMap) => boolean }): Promise<void> {
  const now = options.now ?? (() => new Date());
  try {
    await updateObject<PlatformMap>({
      store: options.store,
      key: PLATFORMS_KEY,
      codec: { decode: decodePlatformMap, encode: encodePlatformMap, empty: emptyPlatformMap },
      mutate: (map) => {
        if (!options.mutate(map)) return false;
        map.updatedAt = now().toISOString();
        return true;
      },
      verify: options.verify,
      contentType: 'application/zstd',
      signal: options.signal,
      attempts: ATTEMPTS,
      backoffMs: options.backoffMs,
      logger: options.logger,
    });
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    options.logger?.warn({ key: PLATFORMS_KEY }, 'platform map update kept losing races: skipped (readers heal it)');
  }
}

/** Merges month entries, each only over an older version of its month. */
export async function recordPlatformMonths(options: UpdateOptions & { entries: Record<string, PlatformMonthEntry> }): Promise<void> {
  const entries = Object.entries(options.entries);
  if (entries.length === 0) return;
  await updatePlatformMap({
    ...options,
    mutate: (map) => {
      let changed = false;
      for (const [month, entry] of entries) {
        if (!isNewerKey(entry.key, map.months[month]?.key)) continue;
        map.months[month] = entry;
        changed = true;
      }
      return changed;
    },
    verify: (map) => entries.every(([month, entry]) => map.months[month] !== undefined && map.months[month].key >= entry.key),
  });
}

/** Drops months' entries (removed months). */
export async function dropPlatformMonths(options: UpdateOptions & { months: readonly string[] }): Promise<void> {
  await updatePlatformMap({
    ...options,
    mutate: (map) => {
      let changed = false;
      for (const month of options.months) {
        if (month in map.months) {
          delete map.months[month];
          changed = true;
        }
      }
      return changed;
    },
    verify: (map) => options.months.every((m) => !(m in map.months)),
  });
}

/**
 * The builder's side: a MonthStep that notes each written version's platforms (no object of its
 * own), and a publish hook that merges them into the map once the master names the versions.
 * One per build. A failed map update is logged, never fails the build (readers heal the map).
 */
export function createPlatformMapStep(options: { store: BlobStore; logger?: Logger; backoffMs?: number }): MonthStep & PublishHook {
  const collected = new Map<string, PlatformMonthEntry & { month: string }>();
  return {
    name: 'platform-map',
    start({ month }) {
      return {
        async finish(assembled, version) {
          collected.set(version.key, { month, key: version.key, platforms: [...new Set(assembled.profiles.map((p) => p.platform))].sort() });
          return { objects: [] };
        },
      };
    },
    async afterCommit(committed, { signal }) {
      const entries: Record<string, PlatformMonthEntry> = {};
      for (const summary of committed) {
        const entry = collected.get(summary.key);
        if (!entry) continue; // kept (unchanged) versions: the map has them, or readers heal them
        collected.delete(summary.key);
        entries[entry.month] = { key: entry.key, platforms: entry.platforms };
      }
      try {
        await recordPlatformMonths({ store: options.store, entries, signal, logger: options.logger, backoffMs: options.backoffMs });
      } catch (error) {
        if (isAbortError(error)) throw error;
        options.logger?.warn({ err: error, months: Object.keys(entries) }, 'platform map not updated (readers heal it from the month indexes)');
      }
    },
  };
}

export interface PlatformLocatorOptions {
  store: BlobStore;
  catalog: MonthCatalog;
  logger?: Logger;
}

export interface PlatformLocator {
  /** The built months holding profiles of `wmo`, in calendar order (empty when none). */
  monthsOf(wmo: string, options?: { signal?: AbortSignal }): Promise<MonthSummary[]>;
}

interface Inverse {
  /** Signature of the months it was built for: month=key, joined. */
  signature: string;
  byPlatform: Map<string, string[]>;
}

/**
 * The readers' side: the map, checked against the catalog's months (the healed master). Months
 * the map lacks or describes at another version are read from their month index, and the map is
 * healed with them (best effort). The platform → months inverse is kept until the months change.
 */
export function createPlatformLocator(options: PlatformLocatorOptions): PlatformLocator {
  const { store, catalog, logger } = options;
  let inverse: Inverse | undefined;
  const loads = createSingleFlight<string, Inverse>();

  async function build(months: MonthSummary[], signature: string, signal: AbortSignal): Promise<Inverse> {
    const map = (await readPlatformMap(store, { signal, logger })) ?? emptyPlatformMap();
    const healed: Record<string, PlatformMonthEntry> = {};
    const byPlatform = new Map<string, string[]>();
    for (const summary of months) {
      let entry = map.months[summary.month];
      if (entry?.key !== summary.key) {
        const index = await catalog.loadMonth(summary.month, { signal });
        if (!index) continue; // unavailable: the profiles route reports it missing
        entry = { key: index.key, platforms: platformsOfMonth(index) };
        healed[summary.month] = entry;
      }
      for (const platform of entry.platforms) {
        let list = byPlatform.get(platform);
        if (!list) byPlatform.set(platform, (list = []));
        list.push(summary.month);
      }
    }
    if (Object.keys(healed).length > 0) {
      logger?.warn({ months: Object.keys(healed) }, 'platform map lacked months or named old versions: healed from the month indexes');
      await recordPlatformMonths({ store, entries: healed, signal, logger }).catch((error: unknown) => {
        if (isAbortError(error)) throw error;
        logger?.warn({ err: error }, 'could not write the healed platform map (it is healed again next time)');
      });
    }
    return { signature, byPlatform };
  }

  return {
    async monthsOf(wmo, opts = {}) {
      const months = await catalog.listMonths(opts);
      const signature = months.map((m) => `${m.month}=${m.key}`).join(',');
      if (inverse?.signature !== signature) {
        const built = await loads.run(signature, (signal) => build(months, signature, signal), { signal: opts.signal, context: { operation: 'platform map' } });
        inverse = built;
      }
      const byMonth = new Map(months.map((m) => [m.month, m]));
      return (inverse.byPlatform.get(wmo) ?? []).map((m) => byMonth.get(m)!).filter(Boolean);
    },
  };
}
