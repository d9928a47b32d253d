/**
 * The master index (`master_index.json` in the index store): which months are built and which
 * immutable month object is each one's current version.
 *
 * Safety with concurrent builders (two processes, or replicas on one bucket):
 * - Updates are read-modify-write (storage/read-modify-write.ts): read (with its etag), apply the
 *   change to what was read, write back with `ifMatch` (or `ifNoneMatch: '*'` when there was
 *   none). A lost race (PreconditionFailedError) is retried after a jittered back-off, on the
 *   fresh object.
 * - A month entry only ever moves to a newer version (month keys sort by write time), so merging
 *   two builders' updates in either order gives the same result.
 * - Where the store cannot enforce conditions (s3rver, some S3-compatible stores), every write
 *   is read back and retried when another writer's update overwrote ours; and readers never rely
 *   on the master alone: `healMonths` lists `months/` and takes, for every month, the newest
 *   object when the master lacks it or points to an older one. So a month written to the store is
 *   never lost, even when a master update is.
 */
import { CorruptIndexError } from '../errors.js';
import { updateObject } from '../storage/read-modify-write.js';
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
   * holds our change (another writer may have overwritten it); retried otherwise. Default:
   * `mutate` finds nothing to change in it.
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

/**
 * Read-modify-write of the master index (storage/read-modify-write.ts: ifMatch, retries on a
 * lost race, read-back check where conditions are not enforced). An unreadable master is
 * replaced at the last attempt: readers heal from the month listing anyway, and `mutate` re-adds
 * what the caller knows. Returns the master as written.
 */
export async function updateMaster(options: UpdateMasterOptions): Promise<MasterIndex> {
  const now = options.now ?? (() => new Date());
  const { value } = await updateObject<MasterIndex>({
    store: options.store,
    key: MASTER_KEY,
    codec: { decode: parseMaster, encode: serializeMaster, empty: () => emptyMaster() },
    mutate: (master) => {
      if (!options.mutate(master)) return false;
      master.updatedAt = now().toISOString();
      return true;
    },
    ...(options.verify ? { verify: options.verify } : {}),
    contentType: 'application/json',
    signal: options.signal,
    attempts: options.attempts,
    backoffMs: options.backoffMs,
    random: options.random,
    logger: options.logger,
  });
  return value;
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
