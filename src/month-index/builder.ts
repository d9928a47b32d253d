/**
 * Building month indexes from the GDAC: a pipeline of steps, each its own module under build/.
 *
 *   1. index pass (build/index-pass.ts): one streamed pass over the GDAC profile index gives each
 *      month of the build its candidate files; rows without a date are placed by the undated
 *      registry, or read once (build/undated-placement.ts). Nothing is written before the pass
 *      succeeds: a build that cannot read the index changes nothing.
 *   2. file ingest (build/file-ingest.ts): fetch, parse and extract one file, or say why not.
 *   3. month assembly (build/month-assembly.ts): per month, reuse the files whose `date_update`
 *      is unchanged since the current version, read the others, and decide: write, keep it
 *      unchanged, or refuse a version that would lose too many profiles (the shrink guard).
 *   4. month outputs (build/month-steps.ts): the month index object, plus what each `MonthStep`
 *      adds (a data pack, later).
 *   5. publishing (build/publisher.ts): write the version's objects, commit them to the master
 *      index in batches, then garbage-collect old versions conservatively, then run the publish
 *      hooks: the platform map (platform-map.ts) follows the master this way, its platforms
 *      collected by a month step of its own.
 *
 * Months go a few at a time (MONTH_CONCURRENCY). The build's signal stops every step promptly:
 * an aborted build publishes no month it had not finished, and leaves the others as they were.
 */
import { isAbortError } from '../errors.js';
import type { GdacSource } from '../gdac/types.js';
import { withReadRetry } from '../storage/with-read-retry.js';
import type { BlobStore } from '../storage/types.js';
import { runPool } from '../util/pool.js';
import { buildMonth } from './build/build-month.js';
import { createFileIngest } from './build/file-ingest.js';
import type { IndexStats } from './gdac-index.js';
import { runIndexPass } from './build/index-pass.js';
import type { MonthStep } from './build/month-steps.js';
import { DEFAULT_GC_GRACE_MS, createPublisher } from './build/publisher.js';
import { createPlatformMapStep } from './platform-map.js';
import { createProgressTracker, type BuildProgress } from './build/progress.js';
import type { BuildLogger } from './build/types.js';
import { planUndated, readUnknownUndated, type UndatedOutcome } from './build/undated-placement.js';
import { healMonths, readMaster, type SummaryCache } from './master.js';
import { isMonth } from './months.js';
import type { MonthBuildResult } from './types.js';
import { isSyntheticProfileId } from './synthetic-index.js';
import { datasetStore, syntheticIndexPaths, type Dataset } from './datasets.js';
import { DEFAULT_INDEX_PATHS, isCoreProfileId } from './gdac-index.js';
import { readBgcProfileBytes } from './build/bgc-profile-file.js';
import { readProfileBytes } from './build/profile-file.js';
import type { FileReader } from './build/file-ingest.js';

export { CANDIDATE_MARGIN_MS, candidateMonths } from './build/index-pass.js';
export { failureReason } from './build/file-ingest.js';
export { EXCLUSION, readProfileBytes } from './build/profile-file.js';
export { SHRINK_GUARD, shrinkRefusal } from './build/month-assembly.js';
export type { MonthStep, MonthStepRun, MonthStepOutput } from './build/month-steps.js';
export type { BuildProgress } from './build/progress.js';
export type { UndatedOutcome } from './build/undated-placement.js';

// 8 files in flight per month: the GDAC source's own pool (ARGO_DOWNLOAD_WORKERS) is the real
// limit; this keeps a build from queueing thousands of promises and their buffers at once.
const DEFAULT_CONCURRENCY = 8;
// Months built at once: overlaps one month's store write and small downloads with the next
// month's (the sample's months hold 1–5 files each: latency-bound); memory stays a few months'
// entries (~10 MB for 13,000-profile months).
const MONTH_CONCURRENCY = 3;

export interface BuildOutcome {
  results: MonthBuildResult[];
  undated: UndatedOutcome;
  indexPath: string;
  indexStats?: IndexStats;
}

export interface BuildMonthsOptions {
  store: BlobStore;
  gdac: GdacSource;
  /**
   * The dataset's index: ARGO_GDAC_INDEX for `phy`, ARGO_GDAC_SYNTHETIC_INDEX for `bgc`, or
   * undefined for the defaults (beside each other on the GDAC, datasets.ts).
   */
  indexPath?: string;
  /** Which months to build (default `phy`): core files, or synthetic files (datasets.ts). */
  dataset?: Dataset;
  months: readonly string[];
  signal?: AbortSignal;
  logger?: BuildLogger;
  /** Files downloaded at once per month (default 8). */
  concurrency?: number;
  now?: () => Date;
  random?: () => number;
  /** Decoded month summaries by key, shared with the catalog (healing). */
  summaryCache?: SummaryCache;
  onProgress?: (progress: BuildProgress) => void;
  onMonth?: (result: MonthBuildResult) => void;
  /** Old month versions are deleted only when written longer ago than this (default 1 h). */
  gcGraceMs?: number;
  /** Master-index update back-off (tests shrink it). */
  masterBackoffMs?: number;
  /** Accept a new version that loses many of the month's profiles (see SHRINK_GUARD). */
  allowShrink?: boolean;
  /** Outputs written with each month version besides its month index (build/month-steps.ts). */
  steps?: readonly MonthStep[];
}

/**
 * What differs between datasets, and only that: which index lists the files, which files it
 * keeps, how a file is read, and where in the store the months go. Every step is the same.
 */
interface DatasetInputs {
  defaultIndexPaths?: readonly string[];
  accept: (id: string) => boolean;
  readFile: FileReader;
}

function datasetInputs(dataset: Dataset, gdac: GdacSource): DatasetInputs {
  if (dataset === 'bgc') {
    return { defaultIndexPaths: syntheticIndexPaths(gdac.indexPaths ?? DEFAULT_INDEX_PATHS), accept: isSyntheticProfileId, readFile: readBgcProfileBytes };
  }
  return { accept: isCoreProfileId, readFile: readProfileBytes };
}

export async function buildMonths(options: BuildMonthsOptions): Promise<BuildOutcome> {
  const { gdac, signal, logger } = options;
  const dataset = options.dataset ?? 'phy';
  const inputs = datasetInputs(dataset, gdac);
  const store = withReadRetry(datasetStore(options.store, dataset));
  const now = options.now ?? (() => new Date());
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const months = [...new Set(options.months)].sort();
  for (const m of months) if (!isMonth(m)) throw new RangeError(`not a month (YYYY-MM): ${JSON.stringify(m)}`);
  const progress = createProgressTracker(months.length, options.onProgress);
  progress.report();

  // 1. The index pass, and the undated rows.
  const pass = await runIndexPass({
    gdac,
    indexPath: options.indexPath,
    ...(inputs.defaultIndexPaths ? { defaultPaths: inputs.defaultIndexPaths } : {}),
    accept: inputs.accept,
    months,
    signal,
    logger,
  });
  const ingest = createFileIngest({ gdac, shared: pass.shared, readFile: inputs.readFile, signal });
  const plan = await planUndated({ store, pass, signal, logger });
  for (const list of pass.candidates.values()) progress.state.total += list.size;
  progress.state.total += plan.unknown.length;
  progress.state.phase = 'building';
  progress.report();
  const undated = await readUnknownUndated({ store, pass, plan, ingest, progress, concurrency, signal, now, random: options.random, logger });

  // 2–5. The months, a few at a time, against the months as they are now.
  const { master } = await readMaster(store, { signal }).catch((error: unknown) => {
    if (isAbortError(error)) throw error;
    logger?.warn({ err: error }, 'master index unreadable: healing from the month listing');
    return { master: { formatVersion: 1, updatedAt: '', months: {} } };
  });
  const current = await healMonths({ store, master, signal, cache: options.summaryCache, logger });
  // Every build keeps the platform → months map in step with the months it publishes.
  const platformMap = createPlatformMapStep({ store, logger, backoffMs: options.masterBackoffMs });
  const steps = [...(options.steps ?? []), platformMap];
  const publisher = createPublisher({
    store,
    current,
    signal,
    now,
    random: options.random,
    masterBackoffMs: options.masterBackoffMs,
    gcGraceMs: options.gcGraceMs ?? DEFAULT_GC_GRACE_MS,
    summaryCache: options.summaryCache,
    logger,
    hooks: [platformMap],
  });
  const source = `${gdac.description}; index ${pass.indexPath}`;
  const results: MonthBuildResult[] = [];
  await runPool(months, { concurrency: MONTH_CONCURRENCY, signal }, async (month) => {
    const result = await buildMonth({
      month,
      candidates: pass.candidates.get(month)!,
      current: current[month],
      store,
      ingest,
      progress,
      concurrency,
      allowShrink: options.allowShrink,
      publisher,
      steps,
      source,
      now,
      signal,
      logger,
    });
    results.push(result);
    pass.candidates.delete(month);
    progress.state.monthsDone++;
    logger?.info({ ...result }, result.unchanged ? 'month index unchanged' : 'month index written');
    // Reported before the commit: the version is in the store (readers heal from the listing)
    // even if the commit that names it fails.
    options.onMonth?.(result);
    progress.report();
    await publisher.commitIfDue();
  });
  await publisher.flush();
  results.sort((a, b) => (a.month < b.month ? -1 : 1));
  progress.state.phase = 'done';
  progress.report();
  return { results, undated, indexPath: pass.indexPath, ...(pass.indexStats ? { indexStats: pass.indexStats } : {}) };
}
