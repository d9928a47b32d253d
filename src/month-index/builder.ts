/**
 * Building month indexes from the GDAC.
 *
 *   1. One pass over the GDAC profile index (streamed) collects, for every month of the build,
 *      its candidate files: rows whose date is within [month start − 1 s, next month start + 1 s).
 *      The index date is the JULD rounded to the second, so a profile at 23:59:59.6 on the last
 *      day is listed at 00:00:00 of the next month; the margin on both sides catches it and the
 *      JULD read from the file decides. Rows with an empty date are placed by the undated
 *      registry (undated.ts), or read once when unknown. Nothing is written before the pass
 *      succeeds: a build that cannot read the index changes nothing.
 *   2. Per month: files whose `date_update` is unchanged since the current month object are
 *      reused without downloading (profiles, exclusions, and files that belong to a neighbour
 *      month alike); new, changed and previously failed files are downloaded (bounded in-flight
 *      count on top of the GDAC source's own pool), their header parsed and the primary profile's
 *      metadata and level-variable byte ranges recorded; files no longer in the index are dropped.
 *      A file that cannot be downloaded or read is recorded in `failures` and skipped.
 *   3. The month object is written under a new immutable key, then the master index is pointed at
 *      it (read-modify-write, master.ts), then old versions are garbage-collected conservatively.
 */
import { AbortedError, ArgoFormatError, GdacIndexError, NetcdfFormatError, UpstreamError, UpstreamNotFoundError, UpstreamTimeoutError, isAbortError, throwIfAborted } from '../errors.js';
import { extractMeta, levelVariableSlots, metaVariableRanges, type MetaVariable } from '../argo/extract.js';
import type { GdacSource } from '../gdac/types.js';
import type { Logger } from '../logger.js';
import { parseHeader } from '../netcdf/parse-header.js';
import type { BlobStore } from '../storage/types.js';
import { MONTH_INDEX_FORMAT_VERSION, compareProfiles, decodeMonthIndex, encodeMonthIndex, profileAt, summaryOf, type ProfileEntry } from './codec.js';
import { readGdacIndex, type IndexStats } from './gdac-index.js';
import { healMonths, listMonthObjects, readMaster, setMonth, updateMaster, type SummaryCache } from './master.js';
import { isMonth, monthEndMs, monthOf, monthStartMs, newMonthKey, parseMonthKey } from './months.js';
import type { FileLayout, MonthBuildResult, MonthFailure, MonthIndex, MonthSummary, VariableSlot } from './types.js';
import { withReadRetry } from '../storage/with-read-retry.js';
import { mergeUndated, readUndated, type UndatedEntry } from './undated.js';

/** The index date is rounded to the second: candidates extend one second past each month edge. */
export const CANDIDATE_MARGIN_MS = 1000;
// 8 files in flight per build: the GDAC source's own pool (ARGO_DOWNLOAD_WORKERS) is the real
// limit; this keeps a build from queueing thousands of promises and their buffers at once.
const DEFAULT_CONCURRENCY = 8;
// Old month versions are deleted only when older than an hour: a replica whose cached master
// (30 s TTL) still points at one, or a query reading it, has long moved on by then.
const DEFAULT_GC_GRACE_MS = 60 * 60 * 1000;
// The GDAC index is read whole before anything is written; one more attempt rides out a broken
// download (the source retries requests, but not a stream that breaks half-way).
const INDEX_ATTEMPTS = 2;
// Months built at once: overlaps one month's store write and small downloads with the next
// month's (the sample's months hold 1–5 files each: latency-bound); memory stays a few months'
// entries (~10 MB for 13,000-profile months).
const MONTH_CONCURRENCY = 3;
// Commit written months to the master index at most this often (and at the end of the build).
const MASTER_COMMIT_INTERVAL_MS = 2000;

export const EXCLUSION = {
  noTime: 'no valid time (JULD)',
  noPosition: 'no valid position',
} as const;

export interface BuildProgress {
  phase: 'reading-index' | 'building' | 'done';
  /** Files to handle (known after the index pass). */
  total: number;
  done: number;
  failed: number;
  monthsDone: number;
  monthsTotal: number;
}

export interface UndatedOutcome {
  candidates: number;
  fetched: number;
  failures: MonthFailure[];
}

export interface BuildOutcome {
  results: MonthBuildResult[];
  undated: UndatedOutcome;
  indexPath: string;
  indexStats?: IndexStats;
}

export interface BuildMonthsOptions {
  store: BlobStore;
  gdac: GdacSource;
  /** ARGO_GDAC_INDEX, or undefined for the default (gdac-index.ts). */
  indexPath?: string;
  months: readonly string[];
  signal?: AbortSignal;
  logger?: Pick<Logger, 'info' | 'warn' | 'debug' | 'error'>;
  /** Files downloaded at once by this build (default 8). */
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
}

/**
 * A rebuild that would lose more than a fifth of a month's profiles (and at least 10 of them) is
 * refused, and the existing version stays: the GDAC does not take whole swathes of profiles back
 * (an R file replaced by its D file keeps the count), but a stale or partial index on a mirror
 * does. The operator can accept a real shrink with `allowShrink` (`--allow-shrink`).
 */
export const SHRINK_GUARD = { maxFraction: 0.2, minProfiles: 10 } as const;

/** What reading one file gave. */
type FileOutcome =
  | { ok: true; month: string | null; entry?: ProfileEntry; excludedReason?: string }
  | { ok: false; reason: string };

interface Candidate {
  dateUpdate: string;
}

/** Why a file could not be indexed, in words for the month detail (no stack, no internals). */
export function failureReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UpstreamNotFoundError) return 'not found on the GDAC (404)';
  if (error instanceof UpstreamTimeoutError) return `GDAC download timed out: ${message}`;
  if (error instanceof UpstreamError) return `GDAC download failed: ${message}`;
  if (error instanceof NetcdfFormatError) return `not a readable NetCDF classic file: ${message}`;
  if (error instanceof ArgoFormatError) return `not an Argo core profile file: ${message}`;
  return `could not be read: ${message}`;
}

/** Reads one downloaded file: the primary profile's metadata and level-variable layout. Pure. */
export function readProfileBytes(id: string, bytes: Uint8Array, dateUpdate: string): Exclude<FileOutcome, { ok: false }> {
  const header = parseHeader(bytes, { fileSize: bytes.length });
  const metaSlots = new Map(metaVariableRanges(header, { id }).map((s) => [s.name, s]));
  const meta = extractMeta({
    id,
    header,
    read: (name: MetaVariable) => {
      const slot = metaSlots.get(name)!;
      return bytes.subarray(slot.offset, slot.offset + slot.length);
    },
  });
  const slots = levelVariableSlots(header, { id });
  for (const s of slots) {
    if (s.offset + s.length > bytes.length) {
      throw new ArgoFormatError({ message: `file truncated: ${s.name} ends past the end of the file`, context: { id, variable: s.name } });
    }
  }
  const base = Math.min(...slots.map((s) => s.offset));
  const variables: Record<string, VariableSlot> = {};
  for (const s of slots) {
    const slot: VariableSlot = { type: s.type, rel: s.offset - base, length: s.length };
    if (s.fillValue !== undefined) slot.fillValue = s.fillValue;
    if (s.validMin !== undefined) slot.validMin = s.validMin;
    if (s.validMax !== undefined) slot.validMax = s.validMax;
    variables[s.name] = slot;
  }
  const layout: FileLayout = { nLevels: meta.nLevels, variables };
  if (meta.timeMs === null) return { ok: true, month: null, excludedReason: EXCLUSION.noTime };
  const month = monthOf(meta.timeMs);
  if (meta.latitude === null || meta.longitude === null) return { ok: true, month, excludedReason: EXCLUSION.noPosition };
  const wmo = id.split('/')[1];
  return {
    ok: true,
    month,
    entry: {
      id,
      platform: meta.platformNumber || wmo,
      cycle: meta.cycleNumber,
      direction: meta.direction,
      dataMode: meta.dataMode,
      timeMs: meta.timeMs,
      latitude: meta.latitude,
      longitude: meta.longitude,
      positionQc: meta.positionQc,
      juldQc: meta.juldQc,
      dateUpdate,
      size: bytes.length,
      base,
      layout,
    },
  };
}

async function fetchAndRead(gdac: GdacSource, id: string, dateUpdate: string, signal: AbortSignal | undefined): Promise<FileOutcome> {
  try {
    const bytes = await gdac.get(`dac/${id}`, { signal });
    return readProfileBytes(id, bytes, dateUpdate);
  } catch (error) {
    if (isAbortError(error) || signal?.aborted) throw error instanceof AbortedError ? error : new AbortedError({ message: 'build aborted', context: { id }, cause: error });
    return { ok: false, reason: failureReason(error) };
  }
}

/** Runs `fn` over the items with at most `limit` in flight; stops at the first thrown error. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async (): Promise<void> => {
    while (failed === undefined && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (error) {
        failed ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed !== undefined) throw failed;
}

/** A row is a candidate for every month whose margin-extended window holds its index date. */
export function candidateMonths(dateMs: number, wanted: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const month of new Set([monthOf(dateMs - CANDIDATE_MARGIN_MS), monthOf(dateMs), monthOf(dateMs + CANDIDATE_MARGIN_MS)])) {
    if (!wanted.has(month)) continue;
    if (dateMs >= monthStartMs(month) - CANDIDATE_MARGIN_MS && dateMs < monthEndMs(month) + CANDIDATE_MARGIN_MS) out.push(month);
  }
  return out;
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

export async function buildMonths(options: BuildMonthsOptions): Promise<BuildOutcome> {
  const { gdac, signal } = options;
  const store = withReadRetry(options.store);
  const log = options.logger;
  const now = options.now ?? (() => new Date());
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const gcGraceMs = options.gcGraceMs ?? DEFAULT_GC_GRACE_MS;
  const months = [...new Set(options.months)].sort();
  for (const m of months) if (!isMonth(m)) throw new RangeError(`not a month (YYYY-MM): ${JSON.stringify(m)}`);
  const wanted = new Set(months);

  const progress: BuildProgress = { phase: 'reading-index', total: 0, done: 0, failed: 0, monthsDone: 0, monthsTotal: months.length };
  const report = (): void => options.onProgress?.({ ...progress });
  report();

  // 1. One pass over the GDAC index. Nothing is written until it completed. A read that breaks
  // mid-way (a long download on a flaky link) is tried once more from the start.
  const candidates = new Map<string, Map<string, Candidate>>();
  const shared = new Set<string>();
  const undatedRows = new Map<string, string>();
  let indexStats: IndexStats | undefined;
  let indexPath = options.indexPath ?? '';
  for (let attempt = 1; ; attempt++) {
    for (const m of months) candidates.set(m, new Map());
    shared.clear();
    undatedRows.clear();
    try {
      for await (const row of readGdacIndex({ gdac, indexPath: options.indexPath, signal, onOpen: (p) => (indexPath = p), onStats: (s) => (indexStats = s) })) {
        if (row.dateMs === null) {
          undatedRows.set(row.id, row.dateUpdate);
          continue;
        }
        const targets = candidateMonths(row.dateMs, wanted);
        if (targets.length > 1) shared.add(row.id);
        for (const m of targets) candidates.get(m)!.set(row.id, { dateUpdate: row.dateUpdate });
      }
      break;
    } catch (error) {
      const missing = error instanceof GdacIndexError && error.cause instanceof UpstreamNotFoundError;
      if (isAbortError(error) || missing || !(error instanceof GdacIndexError) || attempt >= INDEX_ATTEMPTS) throw error;
      log?.warn({ err: error }, 'GDAC index read failed: reading it again');
    }
  }
  log?.info({ months: months.length, undated: undatedRows.size, ...indexStats }, 'GDAC index read');

  // Outcomes read once and used by several months (margin rows, undated files).
  const memo = new Map<string, Promise<FileOutcome>>();

  // 2. Undated rows: place the known ones, read the unknown (or changed) ones once.
  const registry = await readUndated(store, { signal, logger: log });
  const unknown: [string, string][] = [];
  for (const [id, dateUpdate] of undatedRows) {
    const known = registry.entries.get(id);
    if (known && known.dateUpdate === dateUpdate) {
      if (wanted.has(known.month)) candidates.get(known.month)!.set(id, { dateUpdate });
    } else {
      unknown.push([id, dateUpdate]);
    }
  }
  for (const list of candidates.values()) progress.total += list.size;
  progress.total += unknown.length;
  progress.phase = 'building';
  report();

  const undated: UndatedOutcome = { candidates: undatedRows.size, fetched: 0, failures: [] };
  const learnt = new Map<string, UndatedEntry>();
  await pool(unknown, concurrency, async ([id, dateUpdate]) => {
    throwIfAborted(signal, { id });
    const outcome = await fetchAndRead(gdac, id, dateUpdate, signal);
    undated.fetched++;
    progress.done++;
    if (!outcome.ok) {
      progress.failed++;
      undated.failures.push({ id, reason: outcome.reason, dateUpdate });
      // A known file (changed since) stays in its month, listed as failed there, not dropped.
      const known = registry.entries.get(id);
      if (known && wanted.has(known.month)) {
        memo.set(id, Promise.resolve(outcome));
        candidates.get(known.month)!.set(id, { dateUpdate });
        progress.total++;
        progress.failed--; // counted when its month records it
      }
    } else {
      learnt.set(id, { dateUpdate, month: outcome.month ?? 'none' });
      if (outcome.month !== null && wanted.has(outcome.month)) {
        memo.set(id, Promise.resolve(outcome));
        const list = candidates.get(outcome.month)!;
        list.set(id, { dateUpdate });
        // Counted again when its month handles it (as a reuse of this read).
        progress.total++;
      }
    }
    report();
  });
  if (learnt.size > 0 || [...registry.entries.keys()].some((id) => !undatedRows.has(id))) {
    await mergeUndated({ store, updates: learnt, current: new Set(undatedRows.keys()), signal, now, random: options.random, logger: log });
  }
  if (undated.failures.length > 0) log?.warn({ failures: undated.failures.length }, 'undated files could not be read (retried next build)');

  // 3. Months, a few at a time (MONTH_CONCURRENCY previous month objects decoded at once at most).
  const { master } = await readMaster(store, { signal }).catch((error: unknown) => {
    if (isAbortError(error)) throw error;
    log?.warn({ err: error }, 'master index unreadable: healing from the month listing');
    return { master: { formatVersion: 1, updatedAt: '', months: {} } };
  });
  const current = await healMonths({ store, master, signal, cache: options.summaryCache, logger: log });
  const source = `${gdac.description}; index ${indexPath}`;
  const results: MonthBuildResult[] = [];

  // Master commits are batched (every MASTER_COMMIT_INTERVAL_MS, and at the end): readers find
  // a written month in the listing before the master names it, so a batch costs no visibility,
  // and a 600-month build makes a few dozen master updates instead of 600.
  let pending: { summary: MonthSummary; previousKey: string | undefined }[] = [];
  let lastCommit = Date.now();
  const commit = async (): Promise<void> => {
    const batch = pending;
    if (batch.length === 0) return;
    // Months finishing while this commit runs go to the next one.
    pending = [];
    // Months the master lacks but the listing has (another builder's lost update) are written
    // back too, so the master converges.
    const healed = Object.values(current);
    await updateMaster({
      store,
      signal,
      now,
      random: options.random,
      backoffMs: options.masterBackoffMs,
      logger: log,
      mutate: (m) => {
        let changed = false;
        for (const s of healed) changed = setMonth(m, s) || changed;
        return changed;
      },
      verify: (m) => batch.every(({ summary }) => m.months[summary.month] !== undefined && m.months[summary.month].key >= summary.key),
    });
    lastCommit = Date.now();
    await collectGarbage({ store, batch, graceMs: gcGraceMs, now: now(), signal, logger: log });
  };

  // One commit at a time: month tasks finish concurrently.
  let commits: Promise<void> = Promise.resolve();
  const commitInOrder = (): Promise<void> => (commits = commits.then(commit));

  /** The outcome of a file, read once even when two months (margin rows) ask for it. */
  const outcomeOf = (id: string, dateUpdate: string): Promise<FileOutcome> => {
    const known = memo.get(id);
    if (known) return known;
    const pending = fetchAndRead(gdac, id, dateUpdate, signal);
    if (shared.has(id)) memo.set(id, pending);
    return pending;
  };

  const buildOne = async (month: string): Promise<void> => {
    throwIfAborted(signal, { month });
    const list = candidates.get(month)!;
    const previousKey = current[month]?.key;
    let previous: MonthIndex | undefined;
    if (previousKey) {
      const object = await store.get(previousKey, { signal });
      if (object) {
        try {
          previous = await decodeMonthIndex(object.body, { key: previousKey });
          if (previous.formatVersion !== MONTH_INDEX_FORMAT_VERSION) {
            // An older format lacks fields the current one records: read every file again.
            log?.info({ key: previousKey, formatVersion: previous.formatVersion }, 'previous month object has an older format: rebuilding the month');
            previous = undefined;
          }
        } catch (error) {
          if (isAbortError(error)) throw error;
          log?.warn({ err: error, key: previousKey }, 'previous month object unreadable: rebuilding the month from scratch');
        }
      }
    }
    const prev = previousEntries(previous);
    const previousFailures = previous?.failures.length ?? 0;
    const previousSummary = previous ? summaryOf(previous) : undefined;
    previous = undefined;

    const profiles: ProfileEntry[] = [];
    const failures: MonthFailure[] = [];
    const excluded: MonthFailure[] = [];
    const outside: MonthFailure[] = [];
    const counts = { reused: 0, fetched: 0, failed: 0, dropped: 0, excluded: 0 };

    const place = (id: string, dateUpdate: string, outcome: FileOutcome): void => {
      if (!outcome.ok) {
        failures.push({ id, reason: outcome.reason, dateUpdate });
        counts.failed++;
        progress.failed++;
      } else if (outcome.month === null) {
        excluded.push({ id, reason: outcome.excludedReason ?? EXCLUSION.noTime, dateUpdate });
      } else if (outcome.month !== month) {
        outside.push({ id, reason: outcome.month, dateUpdate });
      } else if (outcome.entry) {
        profiles.push({ ...outcome.entry, dateUpdate });
      } else {
        excluded.push({ id, reason: outcome.excludedReason ?? EXCLUSION.noPosition, dateUpdate });
      }
    };

    const toFetch: [string, string][] = [];
    for (const [id, { dateUpdate }] of list) {
      // Read already by this build (an undated file, or a margin row of the month before).
      if (memo.has(id)) {
        toFetch.push([id, dateUpdate]);
        continue;
      }
      const p = prev.get(id);
      if (p && p.dateUpdate === dateUpdate && p.kind !== 'failed') {
        counts.reused++;
        progress.done++;
        if (p.kind === 'profile') profiles.push(p.entry);
        else if (p.kind === 'excluded') excluded.push({ id, reason: p.reason, dateUpdate });
        else outside.push({ id, reason: p.reason, dateUpdate });
        continue;
      }
      toFetch.push([id, dateUpdate]);
    }
    for (const [id, p] of prev) if (p.kind !== 'failed' && !list.has(id)) counts.dropped++;
    prev.clear();
    report();

    await pool(toFetch, concurrency, async ([id, dateUpdate]) => {
      throwIfAborted(signal, { id });
      const outcome = await outcomeOf(id, dateUpdate);
      counts.fetched++;
      place(id, dateUpdate, outcome);
      progress.done++;
      report();
    });
    counts.excluded = excluded.length;

    // Nothing changed (every file reused, none dropped, none failing): the current version
    // stands; writing an identical one would only churn the store.
    const unchanged = previousSummary !== undefined && counts.fetched === 0 && counts.dropped === 0 && previousFailures === 0;
    const lost = previousSummary ? previousSummary.profiles - profiles.length : 0;
    const refused =
      !unchanged &&
      previousSummary !== undefined &&
      !options.allowShrink &&
      lost >= SHRINK_GUARD.minProfiles &&
      lost > previousSummary.profiles * SHRINK_GUARD.maxFraction
        ? `the new version would hold ${profiles.length} profiles instead of ${previousSummary.profiles}; the existing version is kept (allow it with --allow-shrink)`
        : undefined;
    let summary: MonthSummary;
    if (unchanged || refused) {
      summary = previousSummary!;
      if (refused) log?.error({ month, previous: previousSummary!.profiles, now: profiles.length }, 'month rebuild refused: it would lose many profiles');
    } else {
      // Write the new version; the master is pointed at it by the next commit.
      const at = now();
      const key = newMonthKey(month, at);
      profiles.sort(compareProfiles);
      const byId = (a: MonthFailure, b: MonthFailure): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      const body = await encodeMonthIndex({
        month,
        builtAt: at.toISOString(),
        source,
        key,
        profiles,
        failures: failures.sort(byId),
        excluded: excluded.sort(byId),
        outside: outside.sort(byId),
        counts,
      });
      throwIfAborted(signal, { month });
      await store.put(key, body, { signal, contentType: 'application/zstd', ifNoneMatch: '*' });
      summary = {
        month,
        profiles: profiles.length,
        start: profiles.length > 0 ? new Date(profiles[0].timeMs).toISOString() : null,
        end: profiles.length > 0 ? new Date(profiles[profiles.length - 1].timeMs).toISOString() : null,
        builtAt: at.toISOString(),
        failed: failures.length,
        key,
      };
      options.summaryCache?.set(key, summary);
    }
    pending.push({ summary, previousKey });
    current[month] = summary;

    const result: MonthBuildResult = {
      month,
      profiles: summary.profiles,
      key: summary.key,
      ...counts,
      ...(unchanged ? { unchanged: true } : {}),
      ...(refused ? { refused } : {}),
    };
    results.push(result);
    candidates.delete(month);
    progress.monthsDone++;
    log?.info({ ...result }, unchanged ? 'month index unchanged' : 'month index written');
    if (Date.now() - lastCommit >= MASTER_COMMIT_INTERVAL_MS) await commitInOrder();
    options.onMonth?.(result);
    report();
  };
  await pool(months, MONTH_CONCURRENCY, buildOne);
  await commitInOrder();
  results.sort((a, b) => (a.month < b.month ? -1 : 1));
  progress.phase = 'done';
  report();
  return { results, undated, indexPath, ...(indexStats ? { indexStats } : {}) };
}

/**
 * Deletes old versions of the committed months, conservatively: never the current version, nor
 * the version just before it, nor the one the master pointed at before this build (a reader may
 * hold it), nor one newer than the current one (another builder's), nor one written less than
 * `graceMs` ago. Best effort: a failure is only logged (old versions are harmless).
 */
async function collectGarbage(options: {
  store: BlobStore;
  batch: { summary: MonthSummary; previousKey: string | undefined }[];
  graceMs: number;
  now: Date;
  signal?: AbortSignal;
  logger?: Pick<Logger, 'warn'>;
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
      }
    }
  } catch (error) {
    if (isAbortError(error)) throw error;
    options.logger?.warn({ err: error }, 'could not delete old month versions (they stay; harmless)');
  }
}
