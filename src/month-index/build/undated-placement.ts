/**
 * Step 1b, placing the index rows without a date (the rest of the index pass). Their month is
 * only known from the JULD inside the file, so:
 *
 * - `planUndated`: rows the registry (../undated.ts) knows with the same `date_update` join the
 *   candidates of their month without a download; the others are to be read.
 * - `readUnknownUndated`: each of those is read once (file ingest); a file whose JULD falls in a
 *   month of the build joins its candidates with its outcome remembered, so the month does not
 *   read it again. The registry then learns what was read and forgets rows gone from the index.
 *
 * A known file that fails to read now (changed since) stays in its month as a failure, rather
 * than vanishing from it.
 */
import type { BlobStore } from '../../storage/types.js';
import { runPool } from '../../util/pool.js';
import type { MonthFailure } from '../types.js';
import { mergeUndated, readUndated, type UndatedEntry, type UndatedSnapshot } from '../undated.js';
import type { FileIngest } from './file-ingest.js';
import type { IndexPass } from './index-pass.js';
import type { ProgressTracker } from './progress.js';
import type { BuildLogger } from './types.js';

export interface UndatedOutcome {
  candidates: number;
  fetched: number;
  failures: MonthFailure[];
}

export interface UndatedPlan {
  registry: UndatedSnapshot;
  /** Rows to read: [id, date_update]. */
  unknown: [string, string][];
}

/** Places the rows the registry knows into `pass.candidates`; returns the rows left to read. */
export async function planUndated(options: { store: BlobStore; pass: IndexPass; signal?: AbortSignal; logger?: BuildLogger }): Promise<UndatedPlan> {
  const { pass } = options;
  const registry = await readUndated(options.store, { signal: options.signal, logger: options.logger });
  const unknown: [string, string][] = [];
  for (const [id, dateUpdate] of pass.undated) {
    const known = registry.entries.get(id);
    if (known && known.dateUpdate === dateUpdate) {
      pass.candidates.get(known.month)?.set(id, { dateUpdate });
    } else {
      unknown.push([id, dateUpdate]);
    }
  }
  return { registry, unknown };
}

export interface ReadUnknownUndatedOptions {
  store: BlobStore;
  pass: IndexPass;
  plan: UndatedPlan;
  ingest: FileIngest;
  progress: ProgressTracker;
  concurrency: number;
  signal?: AbortSignal;
  now?: () => Date;
  random?: () => number;
  logger?: BuildLogger;
}

export async function readUnknownUndated(options: ReadUnknownUndatedOptions): Promise<UndatedOutcome> {
  const { pass, plan, ingest, progress, signal } = options;
  const { registry } = plan;
  const outcome: UndatedOutcome = { candidates: pass.undated.size, fetched: 0, failures: [] };
  const learnt = new Map<string, UndatedEntry>();
  await runPool(plan.unknown, { concurrency: options.concurrency, signal }, async ([id, dateUpdate]) => {
    const file = await ingest.read(id, dateUpdate);
    const read = file.outcome;
    outcome.fetched++;
    progress.state.done++;
    if (!read.ok) {
      progress.state.failed++;
      outcome.failures.push({ id, reason: read.reason, dateUpdate });
      // A known file (changed since) stays in its month, listed as failed there, not dropped.
      const known = registry.entries.get(id);
      const list = known && pass.candidates.get(known.month);
      if (list) {
        ingest.remember(file);
        list.set(id, { dateUpdate });
        progress.state.total++;
        progress.state.failed--; // counted when its month records it
      }
    } else {
      learnt.set(id, { dateUpdate, month: read.month ?? 'none' });
      const list = read.month !== null ? pass.candidates.get(read.month) : undefined;
      if (list) {
        ingest.remember(file);
        list.set(id, { dateUpdate });
        // Counted again when its month handles it (as a reuse of this read).
        progress.state.total++;
      }
    }
    progress.report();
  });
  if (learnt.size > 0 || [...registry.entries.keys()].some((id) => !pass.undated.has(id))) {
    await mergeUndated({
      store: options.store,
      updates: learnt,
      current: new Set(pass.undated.keys()),
      signal,
      now: options.now,
      random: options.random,
      logger: options.logger,
    });
  }
  if (outcome.failures.length > 0) options.logger?.warn({ failures: outcome.failures.length }, 'undated files could not be read (retried next build)');
  return outcome;
}
