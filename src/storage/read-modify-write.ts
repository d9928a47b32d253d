/**
 * `updateObject`: the one conditional read-modify-write of a shared store object (the master
 * index, the undated registry, and any later one such as a platform → months map).
 *
 *   read (bytes + etag) → decode → mutate → encode → put with `ifMatch` (or `ifNoneMatch: '*'`
 *   when there was no object) → on a store without conditional writes, read back and verify
 *
 * - A lost race (PreconditionFailedError) or a failed write is retried on a fresh read after a
 *   full-jitter back-off (util/backoff.ts). A failed write may have landed: the next attempt
 *   re-reads, and `mutate` finds nothing left to do.
 * - A read that fails (StoreError) is retried. Bytes that do not decode are retried too (some
 *   S3-compatible stores serve an object while it is replaced: a torn read); at the last attempt
 *   they are taken as `empty()` and replaced, since the object cannot be read anyway.
 * - The read-back check: where the store cannot enforce conditions (s3rver, some S3-compatible
 *   stores), another writer may overwrite our write unseen. Every write there is read back and
 *   checked with `verify` (default: `mutate` finds nothing to change in what was read back), and
 *   the update is retried when our change is gone.
 *
 * The caller decides what a lost update costs: the master index is also healed from a listing
 * (month-index/master.ts), the undated registry is only a cache.
 */
import { PreconditionFailedError, StoreError, isAbortError } from '../errors.js';
import { backoffDelay } from '../util/backoff.js';
import { sleep } from '../util/sleep.js';
import type { BlobStore } from './types.js';

export interface ObjectCodec<T> {
  /** Throws when the bytes are not a readable T. */
  decode(bytes: Uint8Array): T | Promise<T>;
  encode(value: T): Uint8Array | Promise<Uint8Array>;
  /** The value of an object that does not exist yet (or cannot be read). */
  empty(): T;
}

export interface UpdateObjectOptions<T> {
  store: BlobStore;
  key: string;
  codec: ObjectCodec<T>;
  /** Changes the value in place; returns false when there is nothing to write. */
  mutate: (value: T) => boolean;
  /**
   * On a store without conditional writes, after the write: true when the value read back still
   * holds our change. Default: `mutate` finds nothing to change in it.
   */
  verify?: (value: T) => boolean;
  contentType?: string;
  signal?: AbortSignal;
  /** Attempts before giving up with the last error (default 12). */
  attempts?: number;
  /** First back-off ceiling, doubled per attempt, full jitter (default 50 ms). */
  backoffMs?: number;
  /** Ceiling of one back-off (default 2 s). */
  maxBackoffMs?: number;
  random?: () => number;
  logger?: { warn(obj: object, msg: string): void };
}

export interface UpdateOutcome<T> {
  /** The value as written, or as read when there was nothing to change. */
  value: T;
  written: boolean;
}

// 12 attempts with 50 ms doubling (capped at 2 s) ride out a dozen builders committing at once;
// a shared object is a few KB, so a retry costs little.
const DEFAULT_ATTEMPTS = 12;
const DEFAULT_BACKOFF_MS = 50;
const DEFAULT_MAX_BACKOFF_MS = 2000;

type Snapshot<T> = { value: T; etag: string | undefined } | { unreadable: unknown; etag: string | undefined };

async function readSnapshot<T>(store: BlobStore, key: string, codec: ObjectCodec<T>, signal: AbortSignal | undefined): Promise<Snapshot<T>> {
  const object = await store.get(key, { signal });
  if (!object) return { value: codec.empty(), etag: undefined };
  try {
    return { value: await codec.decode(object.body), etag: object.etag };
  } catch (error) {
    if (isAbortError(error)) throw error;
    return { unreadable: error, etag: object.etag };
  }
}

/** Read-modify-write of `key`, retried on a lost race. */
export async function updateObject<T>(options: UpdateObjectOptions<T>): Promise<UpdateOutcome<T>> {
  const { store, key, codec, signal } = options;
  const attempts = Math.max(1, options.attempts ?? DEFAULT_ATTEMPTS);
  const verify = options.verify ?? ((value: T) => !options.mutate(value));
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) {
      const delay = backoffDelay(attempt - 1, {
        baseMs: options.backoffMs ?? DEFAULT_BACKOFF_MS,
        maxMs: options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS,
        random: options.random,
      });
      await sleep(delay, { signal, message: 'store update aborted', context: { key } });
    }
    let snapshot: Snapshot<T>;
    try {
      snapshot = await readSnapshot(store, key, codec, signal);
    } catch (error) {
      if (error instanceof StoreError && !isAbortError(error)) {
        lastError = error;
        continue;
      }
      throw error;
    }
    if ('unreadable' in snapshot) {
      lastError = snapshot.unreadable;
      if (attempt < attempts - 1) continue;
      options.logger?.warn({ err: snapshot.unreadable, key }, 'shared store object unreadable: rewriting it');
      snapshot = { value: codec.empty(), etag: snapshot.etag };
    }
    const { value, etag } = snapshot;
    if (!options.mutate(value)) return { value, written: false };
    try {
      await store.put(key, await codec.encode(value), {
        signal,
        ...(options.contentType ? { contentType: options.contentType } : {}),
        ...(etag === undefined ? { ifNoneMatch: '*' as const } : { ifMatch: etag }),
      });
    } catch (error) {
      if (error instanceof PreconditionFailedError || (error instanceof StoreError && !isAbortError(error))) {
        lastError = error;
        continue;
      }
      throw error;
    }
    if (store.supportsConditionalWrites) return { value, written: true };
    // No atomic condition: check that no other writer's update replaced ours.
    const check = await readSnapshot(store, key, codec, signal).catch((error: unknown) => {
      if (isAbortError(error)) throw error;
      return undefined;
    });
    if (check && 'value' in check && verify(check.value)) return { value, written: true };
    lastError = new PreconditionFailedError({ message: 'store object update was overwritten by another writer', context: { key } });
  }
  throw lastError ?? new PreconditionFailedError({ message: 'store object update kept losing races', context: { key } });
}
