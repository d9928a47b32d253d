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
 * - `close()` fails the queued jobs, aborts the running one and waits for it to stop.
 * - Finished jobs are remembered (the last 200) so `GET /admin/builds/{id}` can report them.
 */
import { randomUUID } from 'node:crypto';
import { AbortedError, GdacIndexError, NotFoundError, OverloadedError, StoreError, ValidationError, isAbortError } from '../errors.js';
import type { GdacSource } from '../gdac/types.js';
import type { Logger } from '../logger.js';
import type { BlobStore } from '../storage/types.js';
import { buildMonths } from './builder.js';
import type { SummaryCache } from './master.js';
import { isMonth } from './months.js';
import type { BuildEvent, BuildJob, BuildService, MonthCatalog } from './types.js';

export interface BuildServiceOptions {
  store: BlobStore;
  gdac: GdacSource;
  catalog: MonthCatalog;
  /** ARGO_GDAC_INDEX (undefined: the GDAC root's ar_index_global_prof.txt(.gz)). */
  indexPath?: string;
  logger?: Pick<Logger, 'info' | 'warn' | 'debug' | 'error'>;
  /** Files a build downloads at once (default: ARGO_DOWNLOAD_WORKERS via services.ts, else 8). */
  downloadWorkers?: number;
  now?: () => Date;
  /** Master-index retry back-off (tests shrink it). */
  masterBackoffMs?: number;
  /** Age before old month versions are deleted (default 1 h). */
  gcGraceMs?: number;
}

export interface BuildServiceImpl extends BuildService {
  subscribe(listener: (event: BuildEvent) => void): () => void;
}

// Enough history for an operator to look up the last few days of builds; each job is < 1 KB
// plus its month results.
const FINISHED_JOBS_KEPT = 200;

interface JobState {
  job: BuildJob;
  /** Accept new versions that lose many profiles (builder's SHRINK_GUARD). */
  allowShrink: boolean;
  controller: AbortController;
  done: Promise<BuildJob>;
  resolve: (job: BuildJob) => void;
}

function snapshot(job: BuildJob): BuildJob {
  return structuredClone(job);
}

/** The client-facing text of a failed job (details go to the logs). */
function jobError(error: unknown): string {
  if (isAbortError(error)) return 'The build was cancelled (the service is shutting down).';
  if (error instanceof GdacIndexError) return 'The GDAC profile index could not be read; nothing was changed.';
  if (error instanceof StoreError) return 'The index store failed during the build; months written before the failure are kept.';
  return 'The build failed; see the server logs.';
}

export function createBuildService(options: BuildServiceOptions): BuildServiceImpl {
  const { store, gdac, catalog, logger } = options;
  const now = options.now ?? (() => new Date());
  const jobs = new Map<string, JobState>();
  const queue: JobState[] = [];
  /** month → id of the queued or running job that builds it */
  const active = new Map<string, string>();
  const listeners = new Set<(event: BuildEvent) => void>();
  const summaries: SummaryCache = new Map();
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
    const finished = [...jobs.values()].filter((s) => s.job.status === 'succeeded' || s.job.status === 'failed');
    for (let i = 0; i < finished.length - FINISHED_JOBS_KEPT; i++) jobs.delete(finished[i].job.id);
  }

  function finish(state: JobState, error?: unknown): void {
    for (const month of state.job.months) if (active.get(month) === state.job.id) active.delete(month);
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
      const outcome = await buildMonths({
        store,
        gdac,
        indexPath: options.indexPath,
        months: job.months,
        signal: controller.signal,
        logger,
        concurrency: options.downloadWorkers,
        now,
        summaryCache: summaries,
        masterBackoffMs: options.masterBackoffMs,
        gcGraceMs: options.gcGraceMs,
        allowShrink: state.allowShrink,
        onProgress: (p) => {
          job.progress = { done: p.done, total: p.total, failed: p.failed };
          job.monthsDone = p.monthsDone;
          job.phase = p.phase;
          emit('progress', state);
        },
        onMonth: (result) => {
          job.results.push(result);
          // Months finish out of order (a few build at once): keep the list in month order.
          job.results.sort((a, b) => (a.month < b.month ? -1 : 1));
          // Queries see the new month at once in this process (other replicas within the TTL).
          catalog.invalidate();
          emit('month', state, { result });
        },
      });
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
      job.status = 'failed';
      job.error = jobError(error);
      if (isAbortError(error)) logger?.warn({ job: job.id }, 'build cancelled');
      else logger?.error({ err: error, job: job.id, context: (error as { context?: unknown }).context }, 'build failed');
    } finally {
      catalog.invalidate();
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
    submit({ months, allowShrink = false }) {
      if (closed) throw new OverloadedError({ message: 'the build service is shutting down', context: {} });
      const bad = months.filter((m) => !isMonth(m));
      if (bad.length > 0 || months.length === 0) {
        throw new ValidationError({
          message: months.length === 0 ? 'no months to build' : `not months (YYYY-MM): ${bad.join(', ')}`,
          issues: [{ parameter: 'months', message: months.length === 0 ? 'at least one month' : `not YYYY-MM: ${bad.join(', ')}` }],
        });
      }
      const wanted = [...new Set(months)].sort();
      const remaining = wanted.filter((m) => !active.has(m));
      const joined = [...new Set(wanted.filter((m) => active.has(m)).map((m) => active.get(m)!))];
      if (remaining.length === 0) return snapshot(jobs.get(joined[0])!.job);

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
        ...(joined.length > 0 ? { joined } : {}),
      };
      const state: JobState = { job, allowShrink, controller: new AbortController(), done, resolve };
      jobs.set(job.id, state);
      for (const m of remaining) active.set(m, job.id);
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
      const { signal } = opts;
      if (!signal) return state.done;
      if (signal.aborted) throw new AbortedError({ message: 'wait aborted', context: { id }, cause: signal.reason });
      return new Promise<BuildJob>((resolve, reject) => {
        const onAbort = (): void => reject(new AbortedError({ message: 'wait aborted', context: { id }, cause: signal.reason }));
        signal.addEventListener('abort', onAbort, { once: true });
        state.done.then((job) => {
          signal.removeEventListener('abort', onAbort);
          resolve(job);
        });
      });
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
        state.job.error = 'The build was cancelled (the service is shutting down).';
        finish(state);
      }
      for (const state of jobs.values()) if (state.job.status === 'running') state.controller.abort(new Error('build service closed'));
      await running;
    },
  };
}
