/**
 * Build jobs: the BuildService (types.ts) behind `POST /admin/builds` and `npm run build-index`.
 *
 * - `submit({ months })` queues a job and returns it at once. Months already queued or running in
 *   another job are not built twice: when every requested month is already in an active job, that
 *   job is returned (the caller joins it); otherwise the new job holds the other months and names
 *   the jobs it overlaps in `joined`.
 * - Jobs run in the background one at a time, in submission order: builds are I/O-bound on the
 *   GDAC, whose pool they would share anyway, and one at a time keeps each month in one job.
 * - Progress (files done/total/failed, months done) is updated as the build goes, and sent to
 *   `subscribe` listeners (the command line's progress display).
 * - The queue is capped (`maxQueued`, ARGO_MAX_QUEUED_BUILDS): beyond it `submit` throws
 *   BuildQueueFullError (503).
 * - Every job carries an AbortController: `cancel(id)` takes a queued job out of the queue, or
 *   aborts a running one, whose steps stop promptly; months it finished stay, the others are as
 *   they were (a month version is published whole or not at all). The job ends `cancelled`.
 * - `close()` fails the queued jobs, aborts the running one and waits for it to stop.
 * - Finished jobs are remembered (the last 200) so `GET /admin/builds/{id}` can report them, and
 *   `list()` gives the recent ones.
 * - `removeMonth(month)` removes a built month (remove-month.ts), refused while a queued or
 *   running job builds it (the job would publish it again).
 */
import type { MonthStep } from './build/month-steps.js';
import { randomUUID } from 'node:crypto';
import {
  BuildQueueFullError,
  GdacIndexError,
  NotFoundError,
  OverloadedError,
  PreconditionFailedError,
  StoreError,
  UpstreamNotFoundError,
  ValidationError,
  isAbortError,
} from '../errors.js';
import type { GdacSource } from '../gdac/types.js';
import type { Logger } from '../logger.js';
import type { BlobStore } from '../storage/types.js';
import { raceAbort } from '../util/abort.js';
import { buildMonths, type BuildOutcome } from './builder.js';
import { DATASETS, type Dataset } from './datasets.js';
import type { SummaryCache } from './master.js';
import { isMonth } from './months.js';
import { removeMonth, type RemovedMonth } from './remove-month.js';
import type { BuildEvent, BuildJob, BuildService, MonthCatalog } from './types.js';

export interface BuildServiceOptions {
  store: BlobStore;
  gdac: GdacSource;
  catalog: MonthCatalog;
  /** ARGO_GDAC_INDEX (undefined: the GDAC root's ar_index_global_prof.txt(.gz)). */
  indexPath?: string;
  /** The BGC months' catalog (datasets.ts); without it, builds are core only. */
  bgcCatalog?: MonthCatalog;
  /** ARGO_GDAC_SYNTHETIC_INDEX (undefined: argo_synthetic-profile_index.txt(.gz) beside the core index). */
  syntheticIndexPath?: string;
  logger?: Pick<Logger, 'info' | 'warn' | 'debug' | 'error'>;
  /** Files a build downloads at once (default: ARGO_DOWNLOAD_WORKERS via services.ts, else 8). */
  downloadWorkers?: number;
  now?: () => Date;
  /** Master-index retry back-off (tests shrink it). */
  masterBackoffMs?: number;
  /** Age before old month versions are deleted (default 1 h). */
  gcGraceMs?: number;
  /** Jobs waiting behind the running one before `submit` refuses (ARGO_MAX_QUEUED_BUILDS; default 16). */
  maxQueued?: number;
  /** Outputs written with each month version besides its month index (a data pack). */
  steps?: readonly MonthStep[];
}

export interface BuildServiceImpl extends BuildService {
  subscribe(listener: (event: BuildEvent) => void): () => void;
  /**
   * Removes a built month: its objects, its master entry, its platform map entry. undefined when
   * the month is not built; PreconditionFailedError (409) while a queued or running job builds it.
   */
  removeMonth(month: string, options?: { signal?: AbortSignal }): Promise<RemovedMonth | undefined>;
}

// Enough history for an operator to look up the last few days of builds; each job is < 1 KB
// plus its month results.
const FINISHED_JOBS_KEPT = 200;
// The config's default (config.ts gives the reason), for callers that build the service alone.
const DEFAULT_MAX_QUEUED = 16;

const SHUTDOWN_MESSAGE = 'The build was cancelled (the service is shutting down).';
const CANCELLED_MESSAGE = 'The build was cancelled; months it finished are kept, the others are as they were.';
const CANCELLED_QUEUED_MESSAGE = 'The build was cancelled before it started; nothing was changed.';

interface JobState {
  job: BuildJob;
  /** Accept new versions that lose many profiles (builder's SHRINK_GUARD). */
  allowShrink: boolean;
  /** Asked for by name: a missing synthetic index is then a failure, not a dataset skipped. */
  explicitDatasets: boolean;
  controller: AbortController;
  /** Set by cancel(): the abort is the operator's, not the shutdown's. */
  cancelled: boolean;
  done: Promise<BuildJob>;
  resolve: (job: BuildJob) => void;
}

function snapshot(job: BuildJob): BuildJob {
  return structuredClone(job);
}

/** The client-facing text of a failed job (details go to the logs). */
function jobError(error: unknown, state: Pick<JobState, 'cancelled' | 'controller'>): string {
  if (isAbortError(error) || state.controller.signal.aborted) return state.cancelled ? CANCELLED_MESSAGE : SHUTDOWN_MESSAGE;
  if (error instanceof GdacIndexError) return 'The GDAC profile index could not be read; nothing was changed.';
  if (error instanceof StoreError) return 'The index store failed during the build; months written before the failure are kept.';
  return 'The build failed; see the server logs.';
}

export function createBuildService(options: BuildServiceOptions): BuildServiceImpl {
  const { store, gdac, catalog, logger } = options;
  const now = options.now ?? (() => new Date());
  const maxQueued = Math.max(1, options.maxQueued ?? DEFAULT_MAX_QUEUED);
  const jobs = new Map<string, JobState>();
  const queue: JobState[] = [];
  /** month → id of the queued or running job that builds it */
  const active = new Map<string, string>();
  const listeners = new Set<(event: BuildEvent) => void>();
  // One summary cache per dataset: their month keys live in separate key spaces of the store.
  const summaries: Record<Dataset, SummaryCache> = { phy: new Map(), bgc: new Map() };
  const catalogs: Partial<Record<Dataset, MonthCatalog>> = { phy: catalog, ...(options.bgcCatalog ? { bgc: options.bgcCatalog } : {}) };
  const indexPaths: Record<Dataset, string | undefined> = { phy: options.indexPath, bgc: options.syntheticIndexPath };
  /** The key a month of a dataset is active under (core months keep their plain name). */
  const activeKey = (dataset: Dataset, month: string): string => (dataset === 'phy' ? month : `${dataset}/${month}`);
  const datasetsOf = (job: BuildJob): Dataset[] => job.datasets ?? ['phy'];
  let running: Promise<void> | undefined;
  let closed = false;

  function emit(type: BuildEvent['type'], state: JobState, extra: Partial<BuildEvent> = {}): void {
    if (listeners.size === 0) return;
    const event: BuildEvent = { type, job: snapshot(state.job), ...extra };
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        logger?.warn({ err: error }, 'build event listener failed');
      }
    }
  }

  function forgetOldJobs(): void {
    const finished = [...jobs.values()].filter((s) => s.job.status !== 'queued' && s.job.status !== 'running');
    for (let i = 0; i < finished.length - FINISHED_JOBS_KEPT; i++) jobs.delete(finished[i].job.id);
  }

  function finish(state: JobState, error?: unknown): void {
    for (const dataset of datasetsOf(state.job)) {
      for (const month of state.job.months) if (active.get(activeKey(dataset, month)) === state.job.id) active.delete(activeKey(dataset, month));
    }
    state.job.finishedAt = now().toISOString();
    state.job.phase = 'done';
    emit('finished', state, error === undefined ? {} : { error });
    state.resolve(snapshot(state.job));
    forgetOldJobs();
  }

  async function run(state: JobState): Promise<void> {
    const { job, controller } = state;
    job.status = 'running';
    job.startedAt = now().toISOString();
    job.phase = 'reading-index';
    emit('started', state);
    logger?.info({ job: job.id, months: job.months }, 'build started');
    let failure: unknown;
    try {
      // Datasets one after the other: each is its own index pass and its own months; the
      // progress counts add up across them.
      let before = { done: 0, total: 0, failed: 0, monthsDone: 0 };
      let outcome: BuildOutcome | undefined;
      for (const dataset of datasetsOf(job)) {
        const datasetCatalog = catalogs[dataset]!;
        const base = before;
        let built: BuildOutcome;
        try {
          built = await buildMonths({
            store,
            gdac,
            dataset,
            indexPath: indexPaths[dataset],
            months: job.months,
            signal: controller.signal,
            logger,
            concurrency: options.downloadWorkers,
            now,
            summaryCache: summaries[dataset],
            masterBackoffMs: options.masterBackoffMs,
            gcGraceMs: options.gcGraceMs,
            allowShrink: state.allowShrink,
            // The data pack step writes core months' packs; BGC months have none yet.
            ...(options.steps && dataset === 'phy' ? { steps: options.steps } : {}),
            onProgress: (p) => {
              job.progress = { done: base.done + p.done, total: base.total + p.total, failed: base.failed + p.failed };
              job.monthsDone = base.monthsDone + p.monthsDone;
              job.phase = p.phase === 'done' && dataset !== datasetsOf(job).at(-1) ? 'building' : p.phase;
              emit('progress', state);
            },
            onMonth: (built) => {
              const result = dataset === 'phy' ? built : { ...built, dataset };
              job.results.push(result);
              // Months finish out of order (a few build at once): keep the list in month order.
              job.results.sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : (a.dataset ?? '') < (b.dataset ?? '') ? -1 : 1));
              // Queries see the new month at once in this process (other replicas within the TTL).
              datasetCatalog.invalidate();
              emit('month', state, { result });
            },
          });
        } catch (error) {
          // A GDAC without a synthetic index (a core-only mirror) has no BGC months to build:
          // skipped when BGC was not asked for by name.
          const missing = error instanceof GdacIndexError && error.cause instanceof UpstreamNotFoundError;
          if (dataset !== 'bgc' || state.explicitDatasets || !missing || indexPaths.bgc !== undefined) throw error;
          logger?.info({ job: job.id }, 'no synthetic profile index on the GDAC: BGC months not built');
          job.skipped = { bgc: 'no synthetic profile index on the GDAC' };
          continue;
        } finally {
          datasetCatalog.invalidate();
        }
        before = { ...job.progress, monthsDone: job.monthsDone ?? 0 };
        if (outcome === undefined) outcome = built;
        else outcome = { ...outcome, results: [...outcome.results, ...built.results] };
      }
      job.phase = 'done';
      if (outcome === undefined) throw new Error('no dataset was built');
      job.undated = outcome.undated;
      const refused = outcome.results.filter((r) => r.refused);
      if (refused.length > 0) {
        job.status = 'failed';
        job.error = `Not rewritten, to protect the existing index: ${refused.map((r) => `${r.month} (${r.refused})`).join('; ')}.`;
        logger?.error({ job: job.id, months: refused.map((r) => r.month) }, 'build refused to shrink months');
      } else {
        job.status = 'succeeded';
        logger?.info({ job: job.id, months: job.months.length, failed: job.progress.failed }, 'build succeeded');
      }
    } catch (error) {
      failure = error;
      // An operator's cancel is its own final status; a shutdown's abort is a failure.
      job.status = state.cancelled ? 'cancelled' : 'failed';
      job.error = jobError(error, state);
      if (isAbortError(error) || controller.signal.aborted) logger?.warn({ job: job.id, months: job.results.map((r) => r.month) }, 'build cancelled; months finished before are kept');
      else logger?.error({ err: error, job: job.id, context: (error as { context?: unknown }).context }, 'build failed');
    } finally {
      for (const c of Object.values(catalogs)) c.invalidate();
      finish(state, failure);
    }
  }

  function pump(): void {
    if (running || closed) return;
    const next = queue.shift();
    if (!next) return;
    running = run(next).finally(() => {
      running = undefined;
      pump();
    });
  }

  return {
    submit({ months, allowShrink = false, datasets }) {
      if (closed) throw new OverloadedError({ message: 'the build service is shutting down', context: {} });
      const bad = months.filter((m) => !isMonth(m));
      if (bad.length > 0 || months.length === 0) {
        throw new ValidationError({
          message: months.length === 0 ? 'no months to build' : `not months (YYYY-MM): ${bad.join(', ')}`,
          issues: [{ parameter: 'months', message: months.length === 0 ? 'at least one month' : `not YYYY-MM: ${bad.join(', ')}` }],
        });
      }
      const badDatasets = (datasets ?? []).filter((d) => !(DATASETS as readonly string[]).includes(d) || (d === 'bgc' && !catalogs.bgc));
      if (badDatasets.length > 0 || (datasets !== undefined && datasets.length === 0)) {
        const known = DATASETS.filter((d) => catalogs[d]).join(', ');
        throw new ValidationError({
          message: `datasets: not a dataset of this service: ${badDatasets.join(', ') || '(none)'} (known: ${known})`,
          issues: [{ parameter: 'dataset', message: `one of ${known}` }],
        });
      }
      const chosen = DATASETS.filter((d) => (datasets ? datasets.includes(d) : catalogs[d] !== undefined));
      const wanted = [...new Set(months)].sort();
      // A month is active when every chosen dataset of it is: a job of the other months (or the
      // other dataset) builds them all; a month building in another job is left to it.
      const busy = (m: string): boolean => chosen.every((d) => active.has(activeKey(d, m)));
      const remaining = wanted.filter((m) => !busy(m));
      const joined = [...new Set(wanted.filter(busy).flatMap((m) => chosen.map((d) => active.get(activeKey(d, m))!)))];
      if (remaining.length === 0) return snapshot(jobs.get(joined[0])!.job);
      if (queue.length >= maxQueued) {
        throw new BuildQueueFullError({
          message: `The build queue is full (${queue.length} jobs waiting); try again when one of them has started.`,
          context: { queued: queue.length, maxQueued },
        });
      }

      let resolve!: (job: BuildJob) => void;
      const done = new Promise<BuildJob>((r) => (resolve = r));
      const job: BuildJob = {
        id: randomUUID(),
        status: 'queued',
        months: remaining,
        progress: { done: 0, total: 0, failed: 0 },
        createdAt: now().toISOString(),
        results: [],
        phase: 'queued',
        monthsDone: 0,
        ...(chosen.length === 1 && chosen[0] === 'phy' && datasets === undefined ? {} : { datasets: chosen }),
        ...(joined.length > 0 ? { joined } : {}),
      };
      const state: JobState = { job, allowShrink, explicitDatasets: datasets !== undefined, controller: new AbortController(), cancelled: false, done, resolve };
      jobs.set(job.id, state);
      for (const d of chosen) for (const m of remaining) active.set(activeKey(d, m), job.id);
      queue.push(state);
      emit('queued', state);
      // The caller sees the job as submitted (queued); it may start running at once.
      const submitted = snapshot(job);
      pump();
      return submitted;
    },

    get(id) {
      const state = jobs.get(id);
      return state ? snapshot(state.job) : undefined;
    },

    async wait(id, opts = {}) {
      const state = jobs.get(id);
      if (!state) throw new NotFoundError({ message: `no build job ${id}`, context: { id } });
      return raceAbort(state.done, opts.signal, { message: 'wait aborted', context: { id } });
    },

    cancel(id) {
      const state = jobs.get(id);
      if (!state) return undefined;
      const { job } = state;
      if (job.status === 'queued') {
        queue.splice(queue.indexOf(state), 1);
        job.status = 'cancelled';
        job.error = CANCELLED_QUEUED_MESSAGE;
        state.cancelled = true;
        logger?.info({ job: id }, 'queued build cancelled');
        finish(state);
        return 'queued';
      }
      if (job.status === 'running') {
        if (!state.cancelled) {
          state.cancelled = true;
          logger?.info({ job: id }, 'cancelling the running build');
          state.controller.abort(new Error('build cancelled'));
        }
        return 'running';
      }
      return 'finished';
    },

    list({ limit = FINISHED_JOBS_KEPT } = {}) {
      return [...jobs.values()].reverse().slice(0, Math.max(0, limit)).map((s) => snapshot(s.job));
    },

    async removeMonth(month, opts = {}) {
      const building = active.get(month);
      if (building !== undefined) {
        throw new PreconditionFailedError({
          message: `Month ${month} is being built by job ${building}; cancel it or wait for it to finish, then remove the month.`,
          context: { month, job: building },
        });
      }
      try {
        return await removeMonth({ store, month, signal: opts.signal, logger, summaryCache: summaries.phy, masterBackoffMs: options.masterBackoffMs });
      } finally {
        // Queries stop serving the month at once in this process (other replicas within the TTL).
        catalog.invalidate();
      }
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async close() {
      if (closed) {
        await running;
        return;
      }
      closed = true;
      for (const state of queue.splice(0)) {
        state.job.status = 'failed';
        state.job.error = SHUTDOWN_MESSAGE;
        finish(state);
      }
      for (const state of jobs.values()) if (state.job.status === 'running') state.controller.abort(new Error('build service closed'));
      await running;
    },
  };
}
