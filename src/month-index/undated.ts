/**
 * The registry of undated files (`undated.json.zst` in the index store).
 *
 * The GDAC index leaves `date` empty for some real files (e.g. format 2.2 files with JULD_QC=4).
 * Their month is only known from the JULD inside, so the first build that meets one reads it;
 * the registry then remembers `id → (date_update, month | 'none')` so later builds place it
 * without downloading again, for as long as its `date_update` is unchanged.
 *
 * It is a cache, not a source of truth: losing an update (a race on a store without conditional
 * writes) only means reading the file again. Writes are still the store's read-modify-write
 * (storage/read-modify-write.ts: ifMatch, retried, read back where conditions are not enforced),
 * so concurrent builders normally merge.
 */
import { compress, decompress } from '@mongodb-js/zstd';
import { PreconditionFailedError } from '../errors.js';
import { updateObject } from '../storage/read-modify-write.js';
import type { BlobStore } from '../storage/types.js';
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

type Logger = { warn(obj: object, msg: string): void };

async function decode(bytes: Uint8Array): Promise<Map<string, UndatedEntry>> {
  const raw = await decompress(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const parsed = JSON.parse(raw.toString('utf8')) as Partial<EncodedRegistry>;
  if (parsed.formatVersion !== UNDATED_FORMAT_VERSION || !parsed.entries || typeof parsed.entries !== 'object') throw new Error('unknown format');
  const entries = new Map<string, UndatedEntry>();
  for (const [id, value] of Object.entries(parsed.entries)) {
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string') {
      entries.set(id, { dateUpdate: value[0], month: value[1] });
    }
  }
  return entries;
}

/** Decodes, or starts a new registry when the bytes cannot be read (it is only a cache). */
async function decodeOrEmpty(bytes: Uint8Array, logger: Logger | undefined): Promise<Map<string, UndatedEntry>> {
  try {
    return await decode(bytes);
  } catch (error) {
    logger?.warn({ err: error, key: UNDATED_KEY }, 'undated registry unreadable: starting a new one');
    return new Map();
  }
}

/** Reads the registry; a missing or unreadable one is empty (it is only a cache). */
export async function readUndated(store: BlobStore, options: { signal?: AbortSignal; logger?: Logger } = {}): Promise<UndatedSnapshot> {
  const object = await store.get(UNDATED_KEY, { signal: options.signal });
  if (!object) return { entries: new Map(), etag: undefined };
  return { entries: await decodeOrEmpty(object.body, options.logger), etag: object.etag };
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
  logger?: Logger;
}

// Fewer attempts than the master index's: a lost registry update only costs a re-read next time.
const ATTEMPTS = 8;

/** Merge this build's knowledge into the registry (read-modify-write, retried on a lost race). */
export async function mergeUndated(options: MergeUndatedOptions): Promise<void> {
  const { store, updates, current, signal, logger } = options;
  const now = options.now ?? (() => new Date());
  try {
    await updateObject<Map<string, UndatedEntry>>({
      store,
      key: UNDATED_KEY,
      codec: { decode: (bytes) => decodeOrEmpty(bytes, logger), encode: (entries) => encode(entries, now()), empty: () => new Map() },
      mutate: (entries) => {
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
        return changed;
      },
      // What this build learnt is there (pruning is best effort: another builder's index may differ).
      verify: (entries) => [...updates].every(([id, e]) => entries.get(id)?.dateUpdate === e.dateUpdate && entries.get(id)?.month === e.month),
      contentType: 'application/zstd',
      signal,
      attempts: ATTEMPTS,
      random: options.random,
      logger,
    });
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    logger?.warn({ key: UNDATED_KEY }, 'undated registry update kept losing races: skipped (files will be read again)');
  }
}
