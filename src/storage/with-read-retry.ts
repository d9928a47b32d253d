/**
 * `withReadRetry(store)`: retries the idempotent reads of an index store (`get`, `getRange`,
 * `head`, `list`) after a StoreError (a connection reset mid-body, a 5xx the SDK gave up on),
 * with jittered back-off.
 * Not after a StoreTimeoutError: a store that did not answer within its deadline will not in the
 * next 150 ms, and retrying would multiply the time a query waits for its 503.
 * Writes pass through untouched: their retries belong to the callers that know whether a write
 * may be repeated (read-modify-write.ts).
 */
import { StoreError, StoreTimeoutError, isAbortError } from '../errors.js';
import { backoffDelay } from '../util/backoff.js';
import { sleep } from '../util/sleep.js';
import type { BlobStore } from './types.js';

export interface ReadRetryOptions {
  /** Attempts per read, the first included (default 3). */
  attempts?: number;
  /** First back-off ceiling, doubled per retry, full jitter (default 50 ms). */
  backoffMs?: number;
  random?: () => number;
}

// 3 attempts over ~150 ms: a reset connection or a store restarting behind a load balancer
// recovers in that time; longer outages are the caller's failure to report.
const DEFAULT_ATTEMPTS = 3;
const DEFAULT_BACKOFF_MS = 50;

export function withReadRetry(store: BlobStore, options: ReadRetryOptions = {}): BlobStore {
  const attempts = Math.max(1, options.attempts ?? DEFAULT_ATTEMPTS);
  const backoff = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  const random = options.random ?? Math.random;
  async function retried<T>(run: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        // A store timeout already waited its whole deadline: retrying it would only multiply the wait.
        if (!(error instanceof StoreError) || error instanceof StoreTimeoutError || isAbortError(error) || attempt >= attempts) throw error;
        await sleep(backoffDelay(attempt - 1, { baseMs: backoff, random }), { signal, message: 'store read aborted' });
      }
    }
  }
  return {
    get description() {
      return store.description;
    },
    get supportsConditionalWrites() {
      return store.supportsConditionalWrites;
    },
    get: (key, opts) => retried(() => store.get(key, opts), opts?.signal),
    getRange: (key, range) => retried(() => store.getRange(key, range), range.signal),
    head: (key, opts) => retried(() => store.head(key, opts), opts?.signal),
    list: (prefix, opts) => retried(() => store.list(prefix, opts), opts?.signal),
    put: (key, body, opts) => store.put(key, body, opts),
    delete: (key, opts) => store.delete(key, opts),
    ping: (opts) => store.ping(opts),
    ...(store.close ? { close: () => store.close!() } : {}),
  };
}
