/**
 * The index store as the benchmark serves it: a wrapper that waits before every store operation
 * (a round trip to S3 or another remote store, which the local directory store does not have) and
 * counts the operations and the bytes they return, so the bench reports store bytes per profile.
 *
 *     const store = withStoreLatency(createBlobStore({ location }), { latencyMs: 20 });
 *     store.stats(); // { requests, bytes }
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BlobStore } from '../src/storage/index.js';

export interface StoreStats {
  /** Operations made (get, getRange, head, list, put, delete). */
  requests: number;
  /** Bytes returned by get and getRange. */
  bytes: number;
  /** Of those, the bytes of data packs (keys under `packs/`): what a query reads beyond the month index. */
  packBytes: number;
}

export function withStoreLatency(store: BlobStore, { latencyMs }: { latencyMs: number }): BlobStore & { stats(): StoreStats } {
  const stats: StoreStats = { requests: 0, bytes: 0, packBytes: 0 };
  const count = (key: string, n: number): void => {
    stats.bytes += n;
    if (/(^|\/)packs\//.test(key)) stats.packBytes += n;
  };
  const delay = async (signal?: AbortSignal): Promise<void> => {
    stats.requests++;
    if (latencyMs > 0) await sleep(latencyMs, undefined, signal ? { signal } : undefined);
  };
  return {
    description: store.description,
    supportsConditionalWrites: store.supportsConditionalWrites,
    async get(key, options) {
      await delay(options?.signal);
      const object = await store.get(key, options);
      if (object) count(key, object.body.length);
      return object;
    },
    async getRange(key, options) {
      await delay(options.signal);
      const bytes = await store.getRange(key, options);
      if (bytes) count(key, bytes.length);
      return bytes;
    },
    async head(key, options) {
      await delay(options?.signal);
      return store.head(key, options);
    },
    async put(key, body, options) {
      await delay(options?.signal);
      return store.put(key, body, options);
    },
    async list(prefix, options) {
      await delay(options?.signal);
      return store.list(prefix, options);
    },
    async delete(key, options) {
      await delay(options?.signal);
      return store.delete(key, options);
    },
    ping: (options) => store.ping(options),
    close: () => store.close?.() ?? Promise.resolve(),
    stats: () => ({ ...stats }),
  };
}
