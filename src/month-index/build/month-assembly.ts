/**
 * Step 3, month assembly: one month's files, from its candidates and its current version.
 *
 * - Files whose `date_update` is unchanged since the current version are reused without a
 *   download (profiles, exclusions, and files that belong to a neighbour month alike); new,
 *   changed and previously failed files are read (file ingest); files gone from the index are
 *   dropped.
 * - The decision: `unchanged` when nothing was read, dropped or failing (writing an identical
 *   version would only churn the store); `refused` when the new version would lose too many of
 *   the month's profiles (the shrink guard); otherwise `write`.
 * - Steps that follow every file (a data pack) get each one as it is placed (`onFile`).
 */
import { isAbortError } from '../../errors.js';
import type { BlobStore } from '../../storage/types.js';
import { runPool } from '../../util/pool.js';
import { MONTH_INDEX_FORMAT_VERSION, compareProfiles, decodeMonthIndex, profileAt, summaryOf, type ProfileEntry } from '../codec.js';
import type { MonthFailure, MonthIndex, MonthSummary } from '../types.js';
import type { FileIngest } from './file-ingest.js';
import { EXCLUSION } from './profile-file.js';
import type { ProgressTracker } from './progress.js';
import type { AssembledMonth, BuildLogger, Candidate, FileOutcome, MonthDecision, MonthFile } from './types.js';

/**
 * A rebuild that would lose more than a fifth of a month's profiles (and at least 10 of them) is
 * refused, and the existing version stays: the GDAC does not take whole swathes of profiles back
 * (an R file replaced by its D file keeps the count), but a stale or partial index on a mirror
 * does. So is, whatever the month's size, a rebuild from an index that lists no file at all for a
 * month that has profiles (an index with only its header): a month never empties on the GDAC.
 * Files that fail to read do not count as lost here: they are recorded and retried. The operator
 * can accept a real shrink with `allowShrink` (`--allow-shrink`).
 */
export const SHRINK_GUARD = { maxFraction: 0.2, minProfiles: 10 } as const;

export interface ShrinkCheck {
  /** Profiles of the current version. */
  previous: number;
  /** Profiles of the new version. */
  next: number;
  /** Files the GDAC index lists for the month now. */
  listed: number;
  allowShrink?: boolean;
}

/** Why the new version may not replace the current one, or undefined when it may. */
export function shrinkRefusal(check: ShrinkCheck): string | undefined {
  const { previous, next } = check;
  if (check.allowShrink) return undefined;
  if (check.listed === 0 && previous > 0) {
    return `the GDAC index lists no file for this month, which holds ${previous} profiles; the existing version is kept (allow it with --allow-shrink)`;
  }
  const lost = previous - next;
  if (lost < SHRINK_GUARD.minProfiles || lost <= previous * SHRINK_GUARD.maxFraction) return undefined;
  return `the new version would hold ${next} profiles instead of ${previous}; the existing version is kept (allow it with --allow-shrink)`;
}

/** What the previous version of a month holds, by id. */
type Previous =
  | { kind: 'profile'; dateUpdate: string; entry: ProfileEntry }
  | { kind: 'excluded' | 'outside' | 'failed'; dateUpdate: string; reason: string };

function previousEntries(index: MonthIndex | undefined): Map<string, Previous> {
  const map = new Map<string, Previous>();
  if (!index) return map;
  for (const f of index.failures) map.set(f.id, { kind: 'failed', dateUpdate: f.dateUpdate, reason: f.reason });
  for (const f of index.outside ?? []) map.set(f.id, { kind: 'outside', dateUpdate: f.dateUpdate, reason: f.reason });
  for (const f of index.excluded) map.set(f.id, { kind: 'excluded', dateUpdate: f.dateUpdate, reason: f.reason });
  for (let i = 0; i < index.count; i++) map.set(index.id[i], { kind: 'profile', dateUpdate: index.dateUpdate[i], entry: profileAt(index, i) });
  return map;
}

/** The current version, decoded; undefined when missing, unreadable or of an older format. */
async function loadPrevious(options: { store: BlobStore; key: string | undefined; signal?: AbortSignal; logger?: BuildLogger }): Promise<MonthIndex | undefined> {
  const { key, logger } = options;
  if (!key) return undefined;
  const object = await options.store.get(key, { signal: options.signal });
  if (!object) return undefined;
  try {
    const previous = await decodeMonthIndex(object.body, { key });
    if (previous.formatVersion === MONTH_INDEX_FORMAT_VERSION) return previous;
    // An older format lacks fields the current one records: read every file again.
    logger?.info({ key, formatVersion: previous.formatVersion }, 'previous month object has an older format: rebuilding the month');
  } catch (error) {
    if (isAbortError(error)) throw error;
    logger?.warn({ err: error, key }, 'previous month object unreadable: rebuilding the month from scratch');
  }
  return undefined;
}

export interface AssembleMonthOptions {
  month: string;
  /** The month's candidates from the index pass. */
  candidates: ReadonlyMap<string, Candidate>;
  /** The month's current version (master index healed from the listing). */
  current?: MonthSummary;
  store: BlobStore;
  ingest: FileIngest;
  progress: ProgressTracker;
  /** Files read at once for this month. */
  concurrency: number;
  allowShrink?: boolean;
  /** Write even when no file changed (a month step's output is missing from the current version). */
  rewrite?: boolean;
  /** Called with each file as it is placed (steps that follow every file). */
  onFile?: (file: MonthFile) => void | Promise<void>;
  signal?: AbortSignal;
  logger?: BuildLogger;
}

const byId = (a: MonthFailure, b: MonthFailure): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export async function assembleMonth(options: AssembleMonthOptions): Promise<AssembledMonth> {
  const { month, candidates: list, ingest, progress, onFile, signal } = options;
  let previous = await loadPrevious({ store: options.store, key: options.current?.key, signal, logger: options.logger });
  const prev = previousEntries(previous);
  const previousFailures = previous?.failures.length ?? 0;
  const previousSummary = previous ? summaryOf(previous) : undefined;
  previous = undefined; // its columns are garbage from here: only `prev` is needed

  const profiles: ProfileEntry[] = [];
  const failures: MonthFailure[] = [];
  const excluded: MonthFailure[] = [];
  const outside: MonthFailure[] = [];
  const counts = { reused: 0, fetched: 0, failed: 0, dropped: 0, excluded: 0 };

  const place = (id: string, dateUpdate: string, outcome: FileOutcome): MonthFile['placement'] => {
    if (!outcome.ok) {
      failures.push({ id, reason: outcome.reason, dateUpdate });
      counts.failed++;
      progress.state.failed++;
      return 'failed';
    }
    if (outcome.month === null) {
      excluded.push({ id, reason: outcome.excludedReason ?? EXCLUSION.noTime, dateUpdate });
      return 'excluded';
    }
    if (outcome.month !== month) {
      outside.push({ id, reason: outcome.month, dateUpdate });
      return 'outside';
    }
    if (outcome.entry) {
      profiles.push({ ...outcome.entry, dateUpdate });
      return 'profile';
    }
    excluded.push({ id, reason: outcome.excludedReason ?? EXCLUSION.noPosition, dateUpdate });
    return 'excluded';
  };

  const toRead: [string, string][] = [];
  for (const [id, { dateUpdate }] of list) {
    // Read already by this build (an undated file, or a margin row of the month before).
    if (ingest.has(id)) {
      toRead.push([id, dateUpdate]);
      continue;
    }
    const p = prev.get(id);
    if (p && p.dateUpdate === dateUpdate && p.kind !== 'failed') {
      counts.reused++;
      progress.state.done++;
      if (p.kind === 'profile') profiles.push(p.entry);
      else if (p.kind === 'excluded') excluded.push({ id, reason: p.reason, dateUpdate });
      else outside.push({ id, reason: p.reason, dateUpdate });
      if (onFile) await onFile({ id, dateUpdate, placement: p.kind, source: 'reused', ...(p.kind === 'profile' ? { entry: p.entry } : {}) });
      continue;
    }
    toRead.push([id, dateUpdate]);
  }
  for (const [id, p] of prev) if (p.kind !== 'failed' && !list.has(id)) counts.dropped++;
  prev.clear();
  progress.report();

  await runPool(toRead, { concurrency: options.concurrency, signal }, async ([id, dateUpdate]) => {
    const file = await ingest.read(id, dateUpdate);
    counts.fetched++;
    const placement = place(id, dateUpdate, file.outcome);
    progress.state.done++;
    progress.report();
    if (onFile) {
      const entry = placement === 'profile' ? profiles[profiles.length - 1] : undefined;
      await onFile({ id, dateUpdate, placement, source: 'fetched', ...(entry ? { entry } : {}), ...(file.bytes ? { bytes: file.bytes } : {}) });
    }
  });
  counts.excluded = excluded.length;

  const unchanged = previousSummary !== undefined && !options.rewrite && counts.fetched === 0 && counts.dropped === 0 && previousFailures === 0;
  const refusal = unchanged || !previousSummary ? undefined : shrinkRefusal({ previous: previousSummary.profiles, next: profiles.length, listed: list.size, allowShrink: options.allowShrink });
  const decision: MonthDecision = unchanged ? { kind: 'unchanged' } : refusal ? { kind: 'refused', reason: refusal } : { kind: 'write' };
  if (decision.kind === 'write') {
    profiles.sort(compareProfiles);
    failures.sort(byId);
    excluded.sort(byId);
    outside.sort(byId);
  }
  return { month, ...(previousSummary ? { previous: previousSummary } : {}), profiles, failures, excluded, outside, counts, decision };
}
