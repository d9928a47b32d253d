/**
 * Removing a built month (`DELETE /admin/months/{YYYY-MM}`): its objects are deleted, then its
 * master entry, then what is derived from it (the platform map's entry).
 *
 * Order matters because readers heal the master from the month listing (master.ts `healMonths`):
 * healing re-adds any month whose objects are listed. So every version of the month is deleted
 * first (none is left to resurrect it), and only then is the master entry removed through the one
 * read-modify-write (storage/read-modify-write.ts). A failure between the two leaves a master
 * entry naming a missing object: the catalog reports the month unavailable (never wrong data),
 * and repeating the request finishes the removal.
 *
 * A month being built must not be removed meanwhile (the build would publish it again): the build
 * service refuses that (build-service.ts `removeMonth`).
 */
import { CorruptIndexError, isAbortError } from '../errors.js';
import type { BlobStore } from '../storage/types.js';
import type { BuildLogger } from './build/types.js';
import { emptyMaster, healMonths, listMonthObjects, readMaster, updateMaster, type SummaryCache } from './master.js';
import { MONTHS_PREFIX } from './months.js';
import { dropPlatformMonths } from './platform-map.js';
import type { MonthSummary } from './types.js';

export interface RemoveMonthOptions {
  store: BlobStore;
  month: string;
  signal?: AbortSignal;
  logger?: BuildLogger;
  summaryCache?: SummaryCache;
  /** Master-index update back-off (tests shrink it). */
  masterBackoffMs?: number;
}

export interface RemovedMonth {
  /** The month's summary as it was (master entry, or the newest listed version). */
  summary: MonthSummary;
  /** Store keys deleted (every version of the month). */
  deleted: string[];
}

/** Removes `month`; undefined when it is not built (no master entry, no object). */
export async function removeMonth(options: RemoveMonthOptions): Promise<RemovedMonth | undefined> {
  const { store, month, signal, logger } = options;
  const { master } = await readMaster(store, { signal }).catch((error: unknown) => {
    if (!(error instanceof CorruptIndexError)) throw error;
    return { master: emptyMaster(new Date(0)) };
  });
  const healed = await healMonths({ store, master, signal, cache: options.summaryCache, logger });
  const summary = healed[month];
  // Every version, not only the current one: an older one left behind would be healed back.
  const keys = (await listMonthObjects(store, { signal, prefix: `${MONTHS_PREFIX}${month.slice(0, 4)}/${month}.` })).get(month) ?? [];
  if (!summary && keys.length === 0) return undefined;
  for (const key of keys) await store.delete(key, { signal });
  await updateMaster({
    store,
    signal,
    backoffMs: options.masterBackoffMs,
    logger,
    mutate: (m) => {
      if (!(month in m.months)) return false;
      delete m.months[month];
      return true;
    },
  });
  // The map is derived (readers check it against the master), so a failure here is only logged.
  await dropPlatformMonths({ store, months: [month], signal, logger }).catch((error: unknown) => {
    if (isAbortError(error)) throw error;
    logger?.warn({ err: error, month }, 'platform map not updated after removing a month (readers ignore the stale entry)');
  });
  for (const key of keys) options.summaryCache?.delete(key);
  logger?.info({ month, deleted: keys.length }, 'month removed');
  return { summary: summary ?? { month, profiles: 0, start: null, end: null, builtAt: '', failed: 0, key: keys[0] }, deleted: keys };
}
