/**
 * Step 5, publishing: a written month version becomes the month's current one.
 *
 * - `publish`: the version's objects are written under new keys (create-only: versions are
 *   immutable), the month index object last, then the month waits for the next master commit.
 * - Master commits are batched (every MASTER_COMMIT_INTERVAL_MS, and at `flush`): readers find a
 *   written month in the listing before the master names it (master.ts `healMonths`), so a batch
 *   costs no visibility, and a 600-month build makes a few dozen master updates instead of 600.
 *   Each commit also writes back months the master lacks but the listing has (another builder's
 *   lost update), so the master converges.
 * - After each commit, old versions of the committed months are garbage-collected
 *   (`collectGarbage`, conservatively), then each `PublishHook` sees the committed summaries
 *   (derived objects such as the platform map follow the master this way).
 */
import { isAbortError, throwIfAborted } from '../../errors.js';
import type { BlobStore } from '../../storage/types.js';
import { listMonthObjects, setMonth, updateMaster, type SummaryCache } from '../master.js';
import { parseMonthKey } from '../months.js';
import { PACKS_PREFIX, monthKeyOfPack } from '../pack-keys.js';
import type { MonthSummary } from '../types.js';
import type { BuildLogger, MonthObject } from './types.js';

// Commit written months to the master index at most this often (and at the end of the build).
const MASTER_COMMIT_INTERVAL_MS = 2000;
// Old month versions are deleted only when older than an hour: a replica whose cached master
// (30 s TTL) still points at one, or a query reading it, has long moved on by then.
export const DEFAULT_GC_GRACE_MS = 60 * 60 * 1000;

interface Committed {
  summary: MonthSummary;
  /** The version the master pointed at before this build (a reader may hold it). */
  previousKey: string | undefined;
}

/**
 * Work that follows each master commit: derived store objects kept in step with the master (the
 * platform map). Runs after the commit, in order; a hook handles its own failures (a derived
 * object must never fail a build whose months are published).
 */
export interface PublishHook {
  readonly name: string;
  afterCommit(committed: readonly MonthSummary[], context: { signal?: AbortSignal }): Promise<void>;
}

export interface PublisherOptions {
  store: BlobStore;
  /** The months as they are (master healed from the listing): updated as months are published. */
  current: Record<string, MonthSummary>;
  signal?: AbortSignal;
  now: () => Date;
  random?: () => number;
  /** Master-index update back-off (tests shrink it). */
  masterBackoffMs?: number;
  /** Old month versions are deleted only when written longer ago than this. */
  gcGraceMs: number;
  /** Decoded summaries by key, shared with the catalog. */
  summaryCache?: SummaryCache;
  logger?: BuildLogger;
  /** Run after each commit with the committed months' summaries. */
  hooks?: readonly PublishHook[];
}

export interface Publisher {
  /** Writes a new version's objects and queues its summary for the next master commit. */
  publish(version: { summary: MonthSummary; objects: MonthObject[]; previousKey: string | undefined }): Promise<void>;
  /** Keeps the current version (unchanged or refused): re-asserted by the next commit. */
  keep(summary: MonthSummary, previousKey: string | undefined): void;
  /** Commits when the last commit is older than the interval. */
  commitIfDue(): Promise<void>;
  /** Commits everything queued. */
  flush(): Promise<void>;
}

export function createPublisher(options: PublisherOptions): Publisher {
  const { store, current, signal, now, logger } = options;
  let pending: Committed[] = [];
  let lastCommit = Date.now();

  const commit = async (): Promise<void> => {
    const batch = pending;
    if (batch.length === 0) return;
    // Months finishing while this commit runs go to the next one.
    pending = [];
    const healed = Object.values(current);
    await updateMaster({
      store,
      signal,
      now,
      random: options.random,
      backoffMs: options.masterBackoffMs,
      logger,
      mutate: (m) => {
        let changed = false;
        for (const s of healed) changed = setMonth(m, s) || changed;
        return changed;
      },
      verify: (m) => batch.every(({ summary }) => m.months[summary.month] !== undefined && m.months[summary.month].key >= summary.key),
    });
    lastCommit = Date.now();
    await collectGarbage({ store, batch, graceMs: options.gcGraceMs, now: now(), signal, logger });
    const committed = batch.map((c) => c.summary);
    for (const hook of options.hooks ?? []) await hook.afterCommit(committed, { signal });
  };

  // One commit at a time: months finish concurrently.
  let commits: Promise<void> = Promise.resolve();
  const commitInOrder = (): Promise<void> => (commits = commits.then(commit));

  const queue = (summary: MonthSummary, previousKey: string | undefined): void => {
    pending.push({ summary, previousKey });
    current[summary.month] = summary;
  };

  return {
    async publish({ summary, objects, previousKey }) {
      throwIfAborted(signal, { month: summary.month });
      for (const object of objects) {
        await store.put(object.key, object.body, { signal, contentType: object.contentType, ifNoneMatch: '*' });
      }
      options.summaryCache?.set(summary.key, summary);
      queue(summary, previousKey);
    },
    keep: queue,
    async commitIfDue() {
      if (Date.now() - lastCommit >= MASTER_COMMIT_INTERVAL_MS) await commitInOrder();
    },
    flush: commitInOrder,
  };
}

/**
 * Deletes old versions of the committed months, conservatively: never the current version, nor
 * the version just before it, nor the one the master pointed at before this build (a reader may
 * hold it), nor one newer than the current one (another builder's), nor one written less than
 * `graceMs` ago. Best effort: a failure is only logged (old versions are harmless).
 */
export async function collectGarbage(options: {
  store: BlobStore;
  batch: readonly Committed[];
  graceMs: number;
  now: Date;
  signal?: AbortSignal;
  logger?: Pick<BuildLogger, 'warn'>;
}): Promise<void> {
  const { store, signal } = options;
  try {
    const listing = await listMonthObjects(store, { signal });
    for (const { summary, previousKey } of options.batch) {
      // Newest first; keep the current version and the one before it.
      const older = (listing.get(summary.month) ?? []).filter((key) => key < summary.key).slice(1);
      for (const key of older) {
        if (key === previousKey) continue;
        const parsed = parseMonthKey(key);
        if (!parsed || options.now.getTime() - parsed.writtenMs < options.graceMs) continue;
        await store.delete(key, { signal });
        listing.set(summary.month, (listing.get(summary.month) ?? []).filter((k) => k !== key));
      }
    }
    await collectPackGarbage({ ...options, listing });
  } catch (error) {
    if (isAbortError(error)) throw error;
    options.logger?.warn({ err: error }, 'could not delete old month versions (they stay; harmless)');
  }
}

/**
 * Deletes the data packs of the committed months that no month version refers to any more: a
 * pack whose month index object is gone (garbage-collected above, or never written because its
 * build failed between the two writes), written longer ago than `graceMs`. A pack is named after
 * its month version (pack-keys.ts), so this needs a listing, never a read.
 */
async function collectPackGarbage(options: {
  store: BlobStore;
  batch: readonly Committed[];
  graceMs: number;
  now: Date;
  signal?: AbortSignal;
  listing: Map<string, string[]>;
}): Promise<void> {
  const { store, signal, listing } = options;
  for (const { summary } of options.batch) {
    const live = new Set(listing.get(summary.month) ?? []);
    const prefix = `${PACKS_PREFIX}${summary.month.slice(0, 4)}/${summary.month}.`;
    for (const { key } of await store.list(prefix, { signal })) {
      const monthKey = monthKeyOfPack(key);
      if (!monthKey || live.has(monthKey) || monthKey === summary.key) continue;
      const parsed = parseMonthKey(monthKey);
      if (!parsed || options.now.getTime() - parsed.writtenMs < options.graceMs) continue;
      await store.delete(key, { signal });
    }
  }
}
