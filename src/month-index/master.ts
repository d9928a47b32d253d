/**
 * The master index (`master_index.json` in the index store): which months are built and which
 * immutable month object is each one's current version.
 *
 * Safety with concurrent builders (two processes, or replicas on one bucket):
 * - Updates are read-modify-write: read (with its etag), apply the change to what was read, write
 *   back with `ifMatch` (or `ifNoneMatch: '*'` when there was none). A lost race
 *   (PreconditionFailedError) is retried after a jittered back-off, on the fresh object.
 * - A month entry only ever moves to a newer version (month keys sort by write time), so merging
 *   two builders' updates in either order gives the same result.
 * - Where the store cannot enforce conditions (s3rver, some S3-compatible stores), every write
 *   is read back and retried when another writer's update overwrote ours; and readers never rely
 *   on the master alone: `healMonths` lists `months/` and takes, for every month, the newest
 *   object when the master lacks it or points to an older one. So a month written to the store is
 *   never lost, even when a master update is.
 */
import { CorruptIndexError, PreconditionFailedError, StoreError, isAbortError } from '../errors.js';
import type { BlobStore } from '../storage/types.js';
import { decodeMonthSummary } from './codec.js';
import { MASTER_KEY, MONTHS_PREFIX, isNewerKey, parseMonthKey } from './months.js';
import type { MasterIndex, MonthSummary } from './types.js';

export const MASTER_FORMAT_VERSION = 1;

export interface MasterSnapshot {
  master: MasterIndex;
  /** undefined when the object does not exist yet. */
  etag: string | undefined;
}

export function emptyMaster(now = new Date()): MasterIndex {
  return { formatVersion: MASTER_FORMAT_VERSION, updatedAt: now.toISOString(), months: {} };
}

function isSummary(value: unknown): value is MonthSummary {
  const s = value as Partial<MonthSummary> | null;
  return (
    !!s &&
    typeof s.month === 'string' &&
    typeof s.profiles === 'number' &&
    (s.start === null || typeof s.start === 'string') &&
    (s.end === null || typeof s.end === 'string') &&
    typeof s.builtAt === 'string' &&
    typeof s.failed === 'number' &&
    typeof s.key === 'string'
  );
}

/** Parse the master index JSON; throws CorruptIndexError. */
export function parseMaster(bytes: Uint8Array): MasterIndex {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new CorruptIndexError({ message: 'master index is not JSON', context: { key: MASTER_KEY }, cause: error });
  }
  const m = value as Partial<MasterIndex> | null;
  if (!m || typeof m !== 'object' || m.formatVersion !== MASTER_FORMAT_VERSION || !m.months || typeof m.months !== 'object') {
    throw new CorruptIndexError({ message: 'master index has an unknown format', context: { key: MASTER_KEY, formatVersion: m?.formatVersion } });
  }
  const months: Record<string, MonthSummary> = {};
  for (const [month, summary] of Object.entries(m.months)) {
    if (!isSummary(summary) || summary.month !== month) {
      throw new CorruptIndexError({ message: `master index entry ${month} is malformed`, context: { key: MASTER_KEY, month } });
    }
    months[month] = summary;
  }
  return { formatVersion: MASTER_FORMAT_VERSION, updatedAt: typeof m.updatedAt === 'string' ? m.updatedAt : '', months };
}

export function serializeMaster(master: MasterIndex): Uint8Array {
  const months: Record<string, MonthSummary> = {};
  for (const month of Object.keys(master.months).sort()) months[month] = master.months[month];
  return new Uint8Array(Buffer.from(JSON.stringify({ ...master, months }, null, 1) + '\n', 'utf8'));
}

export async function readMaster(store: BlobStore, options: { signal?: AbortSignal } = {}): Promise<MasterSnapshot> {
  const object = await store.get(MASTER_KEY, { signal: options.signal });
  if (!object) return { master: emptyMaster(new Date(0)), etag: undefined };
  return { master: parseMaster(object.body), etag: object.etag };
}

/** Sets a month's entry unless the master already points at a newer version. Returns whether it changed. */
export function setMonth(master: MasterIndex, summary: MonthSummary): boolean {
  const current = master.months[summary.month];
  if (current && !isNewerKey(summary.key, current.key)) return false;
  master.months[summary.month] = summary;
  return true;
}

export interface UpdateMasterOptions {
  store: BlobStore;
  /** Changes the master in place; returns false when there is nothing to write. */
  mutate: (master: MasterIndex) => boolean;
  /**
   * After a write on a store without conditional writes: true when the re-read master still
   * holds our change (another writer may have overwritten it); retried otherwise.
   */
  verify?: (master: MasterIndex) => boolean;
  signal?: AbortSignal;
  now?: () => Date;
  /** Attempts before giving up (default 12). */
  attempts?: number;
  /** First back-off ceiling, doubled per attempt, full jitter (default 50 ms). */
  backoffMs?: number;
  random?: () => number;
  logger?: { warn(obj: object, msg: string): void };
}

// 12 attempts with 50 ms doubling (capped at 2 s) ride out a dozen builders committing at once;
// a master update is a few KB, so a retry costs little.
const DEFAULT_ATTEMPTS = 12;
const DEFAULT_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 2000;

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Read-modify-write of the master index, retried on a lost race. Returns the master as written. */
export async function updateMaster(options: UpdateMasterOptions): Promise<MasterIndex> {
  const { store, signal } = options;
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  const backoff = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  const random = options.random ?? Math.random;
  const now = options.now ?? (() => new Date());
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await sleep(random() * Math.min(MAX_BACKOFF_MS, backoff * 2 ** (attempt - 1)), signal);
    let snapshot: MasterSnapshot;
    try {
      snapshot = await readMaster(store, { signal });
    } catch (error) {
      if (isAbortError(error)) throw error;
      // A store hiccup, or a torn read (some S3-compatible stores serve an object while it is
      // being replaced): try again. A master still unreadable at the last attempt is corrupt:
      // it is replaced (readers heal from the month listing anyway, and `mutate` re-adds what
      // the caller knows).
      if (error instanceof StoreError || (error instanceof CorruptIndexError && attempt < attempts - 1)) {
        lastError = error;
        continue;
      }
      if (!(error instanceof CorruptIndexError)) throw error;
      options.logger?.warn({ err: error }, 'master index is corrupt: rewriting it');
      const object = await store.get(MASTER_KEY, { signal });
      snapshot = { master: emptyMaster(), etag: object?.etag };
    }
    const master = snapshot.master;
    if (!options.mutate(master)) return master;
    master.updatedAt = now().toISOString();
    try {
      await store.put(MASTER_KEY, serializeMaster(master), {
        signal,
        contentType: 'application/json',
        ...(snapshot.etag === undefined ? { ifNoneMatch: '*' as const } : { ifMatch: snapshot.etag }),
      });
    } catch (error) {
      // A lost race, or a failed write (which may or may not have landed: the next attempt
      // re-reads, and `mutate` finds nothing to do when it did).
      if (error instanceof PreconditionFailedError || (error instanceof StoreError && !isAbortError(error))) {
        lastError = error;
        continue;
      }
      throw error;
    }
    if (store.supportsConditionalWrites || !options.verify) return master;
    // No atomic condition: check that no other writer's update replaced ours.
    const check = await readMaster(store, { signal }).catch((error: unknown) => {
      if (isAbortError(error)) throw error;
      return undefined;
    });
    if (check && options.verify(check.master)) return master;
    lastError = new PreconditionFailedError({ message: 'master index update was overwritten by another writer', context: { key: MASTER_KEY } });
  }
  throw lastError ?? new PreconditionFailedError({ message: 'master index update kept losing races', context: { key: MASTER_KEY } });
}

/** Month object keys in the store, grouped by month, newest first. */
export async function listMonthObjects(store: BlobStore, options: { signal?: AbortSignal; prefix?: string } = {}): Promise<Map<string, string[]>> {
  const listed = await store.list(options.prefix ?? MONTHS_PREFIX, { signal: options.signal });
  const byMonth = new Map<string, string[]>();
  for (const object of listed) {
    const parsed = parseMonthKey(object.key);
    if (!parsed) continue;
    let keys = byMonth.get(parsed.month);
    if (!keys) byMonth.set(parsed.month, (keys = []));
    keys.push(object.key);
  }
  for (const keys of byMonth.values()) keys.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  return byMonth;
}

/** Decoded summaries of month objects, by key (objects are immutable: never stale). */
export type SummaryCache = Map<string, MonthSummary>;

// Summaries are ~200 bytes: 5,000 cover ten versions of every month since 1997.
const SUMMARY_CACHE_ENTRIES = 5000;

export interface HealOptions {
  store: BlobStore;
  master: MasterIndex;
  signal?: AbortSignal;
  cache?: SummaryCache;
  logger?: { warn(obj: object, msg: string): void };
}

/**
 * The months as they really are: the master's entries, replaced by the newest listed month object
 * wherever the master lacks the month or points to an older version. A month object that cannot
 * be decoded is skipped (the next older one, or the master's entry, stands).
 */
export async function healMonths(options: HealOptions): Promise<Record<string, MonthSummary>> {
  const { store, master, signal, cache, logger } = options;
  const months: Record<string, MonthSummary> = { ...master.months };
  const listing = await listMonthObjects(store, { signal });
  for (const [month, keys] of listing) {
    const current = months[month];
    for (const key of keys) {
      if (!isNewerKey(key, current?.key)) break;
      let summary = cache?.get(key);
      if (!summary) {
        try {
          const object = await store.get(key, { signal });
          if (!object) continue; // deleted since the listing
          summary = await decodeMonthSummary(object.body, key);
        } catch (error) {
          if (!(error instanceof CorruptIndexError)) throw error;
          logger?.warn({ err: error, key }, 'skipping a corrupt month object');
          continue;
        }
        if (cache) {
          if (cache.size >= SUMMARY_CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
          cache.set(key, summary);
        }
      }
      if (summary.month !== month) continue;
      months[month] = summary;
      break;
    }
  }
  return months;
}
