/**
 * Step 1, the index pass: one streamed pass over the GDAC profile index collects, for every month
 * of the build, its candidate files, and sets aside the rows without a date (undated.ts places
 * them). Nothing is written before the pass completes: a build that cannot read the index changes
 * nothing.
 *
 * A row is a candidate of every month whose window, widened by one second on both sides, holds
 * its index date: the index date is the JULD rounded to the second, so a profile at 23:59:59.6 on
 * the last day is listed at 00:00:00 of the next month. The JULD read from the file decides.
 */
import { GdacIndexError, UpstreamNotFoundError, isAbortError } from '../../errors.js';
import type { GdacSource } from '../../gdac/types.js';
import { isMalformedIndexError, readGdacIndex, type IndexStats } from '../gdac-index.js';
import { monthEndMs, monthOf, monthStartMs } from '../months.js';
import type { BuildLogger, Candidates } from './types.js';

/** The index date is rounded to the second: candidates extend one second past each month edge. */
export const CANDIDATE_MARGIN_MS = 1000;
// The GDAC index is read whole before anything is written; one more attempt rides out a broken
// download (the source retries requests, but not a stream that breaks half-way).
const INDEX_ATTEMPTS = 2;

/** A row is a candidate for every month whose margin-extended window holds its index date. */
export function candidateMonths(dateMs: number, wanted: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const month of new Set([monthOf(dateMs - CANDIDATE_MARGIN_MS), monthOf(dateMs), monthOf(dateMs + CANDIDATE_MARGIN_MS)])) {
    if (!wanted.has(month)) continue;
    if (dateMs >= monthStartMs(month) - CANDIDATE_MARGIN_MS && dateMs < monthEndMs(month) + CANDIDATE_MARGIN_MS) out.push(month);
  }
  return out;
}

export interface IndexPass {
  candidates: Candidates;
  /** Files that are candidates of two months (within a second of a month edge): read once. */
  shared: Set<string>;
  /** Rows without a date: id → date_update. */
  undated: Map<string, string>;
  /** The index actually read (the `.gz` or the `.txt`, or the configured one). */
  indexPath: string;
  indexStats?: IndexStats;
}

export interface IndexPassOptions {
  gdac: GdacSource;
  /** ARGO_GDAC_INDEX, or undefined for the defaults (gdac-index.ts). */
  indexPath?: string;
  /** The months of the build (valid YYYY-MM). */
  months: readonly string[];
  /** The index's places without `indexPath` (default: the core index's, gdac-index.ts). */
  defaultPaths?: readonly string[];
  /** Which files the build reads (default: core profile files). */
  accept?: (id: string) => boolean;
  signal?: AbortSignal;
  logger?: BuildLogger;
}

export async function runIndexPass(options: IndexPassOptions): Promise<IndexPass> {
  const { gdac, signal, months } = options;
  const log = options.logger;
  const wanted = new Set(months);
  for (let attempt = 1; ; attempt++) {
    const pass: IndexPass = { candidates: new Map(months.map((m) => [m, new Map()])), shared: new Set(), undated: new Map(), indexPath: options.indexPath ?? '' };
    try {
      const rows = readGdacIndex({
        gdac,
        indexPath: options.indexPath,
        ...(options.defaultPaths ? { defaultPaths: options.defaultPaths } : {}),
        signal,
        accept: options.accept,
        onOpen: (path) => (pass.indexPath = path),
        onStats: (stats) => (pass.indexStats = stats),
      });
      for await (const row of rows) {
        if (row.dateMs === null) {
          pass.undated.set(row.id, row.dateUpdate);
          continue;
        }
        const targets = candidateMonths(row.dateMs, wanted);
        if (targets.length > 1) pass.shared.add(row.id);
        for (const m of targets) pass.candidates.get(m)!.set(row.id, { dateUpdate: row.dateUpdate });
      }
      log?.info({ months: months.length, undated: pass.undated.size, ...pass.indexStats }, 'GDAC index read');
      return pass;
    } catch (error) {
      // Read again only what a second transfer may mend: not a missing index, not one that is no
      // profile index at all, not an abort.
      const missing = error instanceof GdacIndexError && error.cause instanceof UpstreamNotFoundError;
      if (isAbortError(error) || signal?.aborted || missing || isMalformedIndexError(error) || !(error instanceof GdacIndexError) || attempt >= INDEX_ATTEMPTS) throw error;
      log?.warn({ err: error }, 'GDAC index read failed: reading it again');
    }
  }
}
