/**
 * The registry of undated files (`undated.json.zst` in the index store).
 *
 * The GDAC index leaves `date` empty for some real files (e.g. format 2.2 files with JULD_QC=4).
 * Their month is only known from the JULD inside, so the first build that meets one reads it;
 * the registry then remembers `id → (date_update, month | 'none')` so later builds place it
 * without downloading again, for as long as its `date_update` is unchanged.
 *
 * It is a cache, not a source of truth: losing an update (a race on a store without conditional
 * writes) only means reading the file again. Writes are still read-modify-write with ifMatch,
 * retried, so concurrent builders normally merge.
 */
import { compress, decompress } from '@mongodb-js/zstd';
import { PreconditionFailedError } from '../errors.js';
import type { BlobStore } from '../storage/types.js';
import { sleep } from './master.js';
import { UNDATED_KEY } from './months.js';

export const UNDATED_FORMAT_VERSION = 1;

export interface UndatedEntry {
  dateUpdate: string;
  /** The month of its JULD (YYYY-MM), or 'none' when the file has no valid JULD. */
  month: string;
}

interface EncodedRegistry {
  formatVersion: number;
  updatedAt: string;
  /** id → [dateUpdate, month] */
  entries: Record<string, [string, string]>;
}

export interface UndatedSnapshot {
  entries: Map<string, UndatedEntry>;
  etag: string | undefined;
}

/** Reads the registry; a missing or unreadable one is empty (it is only a cache). */
export async function readUndated(
  store: BlobStore,
  options: { signal?: AbortSignal; logger?: { warn(obj: object, msg: string): void } } = {},
): Promise<UndatedSnapshot> {
  const object = await store.get(UNDATED_KEY, { signal: options.signal });
  if (!object) return { entries: new Map(), etag: undefined };
  try {
    const raw = await decompress(Buffer.from(object.body.buffer, object.body.byteOffset, object.body.byteLength));
    const parsed = JSON.parse(raw.toString('utf8')) as Partial<EncodedRegistry>;
    if (parsed.formatVersion !== UNDATED_FORMAT_VERSION || !parsed.entries || typeof parsed.entries !== 'object') throw new Error('unknown format');
    const entries = new Map<string, UndatedEntry>();
    for (const [id, value] of Object.entries(parsed.entries)) {
      if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string') {
        entries.set(id, { dateUpdate: value[0], month: value[1] });
      }
    }
    return { entries, etag: object.etag };
  } catch (error) {
    options.logger?.warn({ err: error, key: UNDATED_KEY }, 'undated registry unreadable: starting a new one');
    return { entries: new Map(), etag: object.etag };
  }
}

async function encode(entries: Map<string, UndatedEntry>, now: Date): Promise<Uint8Array> {
  const out: EncodedRegistry = { formatVersion: UNDATED_FORMAT_VERSION, updatedAt: now.toISOString(), entries: {} };
  for (const id of [...entries.keys()].sort()) {
    const e = entries.get(id)!;
    out.entries[id] = [e.dateUpdate, e.month];
  }
  return new Uint8Array(await compress(Buffer.from(JSON.stringify(out)), 9));
}

export interface MergeUndatedOptions {
  store: BlobStore;
  /** Entries learnt by this build. */
  updates: Map<string, UndatedEntry>;
  /** The ids the GDAC index lists without a date now: entries for other ids are pruned. */
  current: ReadonlySet<string>;
  signal?: AbortSignal;
  now?: () => Date;
  random?: () => number;
  logger?: { warn(obj: object, msg: string): void };
}

// Same reasoning as the master index's retries: small object, rare writes.
const ATTEMPTS = 8;
const BACKOFF_MS = 50;

/** Merge this build's knowledge into the registry (read-modify-write, retried on a lost race). */
export async function mergeUndated(options: MergeUndatedOptions): Promise<void> {
  const { store, updates, current, signal } = options;
  const random = options.random ?? Math.random;
  const now = options.now ?? (() => new Date());
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (attempt > 0) await sleep(random() * BACKOFF_MS * 2 ** (attempt - 1), signal);
    const snapshot = await readUndated(store, { signal, logger: options.logger });
    const entries = snapshot.entries;
    let changed = false;
    for (const id of [...entries.keys()]) {
      if (!current.has(id)) {
        entries.delete(id);
        changed = true;
      }
    }
    for (const [id, entry] of updates) {
      const old = entries.get(id);
      if (old?.dateUpdate === entry.dateUpdate && old.month === entry.month) continue;
      entries.set(id, entry);
      changed = true;
    }
    if (!changed) return;
    try {
      await store.put(UNDATED_KEY, await encode(entries, now()), {
        signal,
        contentType: 'application/zstd',
        ...(snapshot.etag === undefined ? { ifNoneMatch: '*' as const } : { ifMatch: snapshot.etag }),
      });
      return;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }
  options.logger?.warn({ key: UNDATED_KEY }, 'undated registry update kept losing races: skipped (files will be read again)');
}
