/**
 * The MonthCatalog (types.ts): read access to the built months, cached.
 *
 * - The months: the master index healed from a listing of `months/` (master.ts `healMonths`),
 *   cached for `masterTtlMs` and single-flight; `invalidate()` drops it (a build finished).
 * - Month indexes: an LRU bounded in bytes (each decoded month's `byteSize`), keyed by the month
 *   object's key: objects are immutable, so a rebuilt month is a new key and never served stale.
 *   Concurrent loads of one key share one read. A failed read caches nothing.
 * - A month object that vanished under a cached master (garbage-collected after a rebuild by
 *   another replica) makes the catalog refresh the months once and retry.
 * - A month the fresh master still names whose object is not in the store (deleted by hand, lost
 *   by a bucket policy or a restore) is unavailable, not a store failure: `loadMonth` answers
 *   undefined (a query lists it in X-Argo-Months-Missing and serves the rest of its window),
 *   `listMonths` leaves it out, the log says why once, and `unavailableMonths` reports it (for
 *   /readyz). Each later load tries the object again (one small read): a rebuild (a new key) or
 *   the object coming back heals the month at once.
 */
import { LRUCache } from 'lru-cache';
import { CorruptIndexError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { BlobStore } from '../storage/types.js';
import { createSingleFlight } from '../util/single-flight.js';
import { decodeMonthIndex, summaryOf } from './codec.js';
import { emptyMaster, healMonths, readMaster, type SummaryCache } from './master.js';
import { withReadRetry } from '../storage/with-read-retry.js';
import type { MonthCatalog, MonthDetail, MonthIndex, MonthSummary, UnavailableMonth } from './types.js';

export interface MonthCatalogOptions {
  store: BlobStore;
  /** Byte budget of decoded month indexes (ARGO_MONTH_CACHE_MB). */
  monthCacheBytes: number;
  /** How long the healed master index is reused (ARGO_MASTER_TTL_SECONDS). */
  masterTtlMs: number;
  logger?: Pick<Logger, 'warn' | 'debug' | 'error'>;
  /** Clock for the TTL (tests). */
  now?: () => number;
}

export interface MonthCatalogStats {
  masterLoads: number;
  monthLoads: number;
  monthHits: number;
  cachedMonths: number;
  cachedBytes: number;
}

export interface MonthCatalogImpl extends MonthCatalog {
  stats(): MonthCatalogStats;
}

export function createMonthCatalog(options: MonthCatalogOptions): MonthCatalogImpl {
  const { logger } = options;
  const store = withReadRetry(options.store);
  const now = options.now ?? Date.now;
  // The catalog's own summaries of month objects, for healing the master from a listing. The build
  // service keeps another: the two are not shared.
  const summaries: SummaryCache = new Map();
  const months = new LRUCache<string, MonthIndex>({
    maxSize: Math.max(1, options.monthCacheBytes),
    sizeCalculation: (index) => Math.max(1, index.byteSize),
  });
  const monthLoads = createSingleFlight<string, MonthIndex | undefined>();
  const masterLoads = createSingleFlight<'master', Record<string, MonthSummary>>();
  const stats = { masterLoads: 0, monthLoads: 0, monthHits: 0 };

  let master: { months: Record<string, MonthSummary>; loadedAt: number } | undefined;
  /** Months whose current object is missing from the store, by month. */
  const unavailable = new Map<string, UnavailableMonth>();
  let generation = 0;

  async function loadMaster(signal: AbortSignal): Promise<Record<string, MonthSummary>> {
    stats.masterLoads++;
    const started = generation;
    const loadedAt = now();
    let snapshot;
    try {
      snapshot = await readMaster(store, { signal });
    } catch (error) {
      if (!(error instanceof CorruptIndexError)) throw error;
      logger?.warn({ err: error }, 'master index is corrupt: using the month listing alone');
      snapshot = { master: emptyMaster(new Date(0)) };
    }
    const value = await healMonths({ store, master: snapshot.master, signal, cache: summaries, logger });
    // A load that began before an invalidate() answers its callers but is not kept.
    if (started === generation) master = { months: value, loadedAt };
    return value;
  }

  function currentMonths(signal?: AbortSignal): Promise<Record<string, MonthSummary>> {
    if (master && now() - master.loadedAt < options.masterTtlMs) return Promise.resolve(master.months);
    return masterLoads.run('master', loadMaster, { signal, context: { operation: 'master index' } });
  }

  function invalidate(): void {
    generation++;
    master = undefined;
    masterLoads.forget('master');
  }

  /** One read of a month object, shared by every concurrent caller; undefined when it is gone. */
  function loadKey(key: string, signal: AbortSignal | undefined, context: Record<string, unknown>): Promise<MonthIndex | undefined> {
    const cached = months.get(key);
    if (cached) {
      stats.monthHits++;
      return Promise.resolve(cached);
    }
    return monthLoads.run(
      key,
      async (shared) => {
        stats.monthLoads++;
        const object = await store.get(key, { signal: shared });
        if (!object) return undefined;
        const index = await decodeMonthIndex(object.body, { key });
        months.set(key, index);
        return index;
      },
      { signal, context },
    );
  }

  /** Whether `month`'s current version (`key`) is known to be missing from the store. */
  function isUnavailable(month: string, key: string): boolean {
    return unavailable.get(month)?.key === key;
  }

  async function loadMonth(month: string, opts: { signal?: AbortSignal } = {}): Promise<MonthIndex | undefined> {
    let key: string | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      const summary = (await currentMonths(opts.signal))[month];
      if (!summary) return undefined;
      key = summary.key;
      const index = await loadKey(key, opts.signal, { month, key });
      if (index) {
        if (unavailable.delete(month)) logger?.warn({ month, key }, 'month index object is back: the month is served again');
        return index;
      }
      // Known missing: the months were already refreshed when it was found; the read above
      // was the cheap re-check.
      if (isUnavailable(month, key)) return undefined;
      // The object is gone: the cached months may be stale (another replica rebuilt the month).
      logger?.debug({ month, key }, 'month object missing: refreshing the month list');
      invalidate();
    }
    unavailable.set(month, { month, key: key!, since: new Date(now()).toISOString() });
    logger?.warn(
      { month, key },
      'month index object listed by the master index is missing from the index store: the month is reported missing ' +
        '(X-Argo-Months-Missing, /readyz) until it is rebuilt',
    );
    return undefined;
  }

  /** Forget unavailable months whose version changed (rebuilt) or that are no longer listed. */
  function pruneUnavailable(all: Record<string, MonthSummary>): void {
    for (const [month, entry] of unavailable) if (all[month]?.key !== entry.key) unavailable.delete(month);
  }

  return {
    async listMonths(opts = {}) {
      const all = await currentMonths(opts.signal);
      pruneUnavailable(all);
      return Object.keys(all)
        .sort()
        .filter((m) => !isUnavailable(m, all[m].key))
        .map((m) => all[m]);
    },

    async unavailableMonths(opts = {}) {
      pruneUnavailable(await currentMonths(opts.signal));
      return [...unavailable.values()].sort((a, b) => (a.month < b.month ? -1 : 1));
    },

    async monthDetail(month, opts = {}) {
      const index = await loadMonth(month, opts);
      if (!index) return undefined;
      // The pack is named by the master entry of this very version (never another build's).
      const entry = (await currentMonths(opts.signal))[month];
      const detail: MonthDetail = {
        ...summaryOf(index),
        ...(entry?.key === index.key && entry.pack ? { pack: entry.pack } : {}),
        failures: index.failures,
        excluded: index.excluded.length,
        source: index.source,
        ...(index.parameters ? { parameters: index.parameters } : {}),
      };
      return detail;
    },

    loadMonth,
    async monthSummary(month, opts = {}) {
      return (await currentMonths(opts.signal))[month];
    },
    invalidate,

    stats() {
      return { ...stats, cachedMonths: months.size, cachedBytes: months.calculatedSize };
    },
  };
}
