/**
 * Bounds the requests in flight (ARGO_DOWNLOAD_WORKERS). Placed under `withRetry`, so a request
 * waiting out its back-off does not hold a slot. One limiter is shared by all mirrors: the bound
 * is on what this process asks of the GDAC, whichever mirror answers.
 *
 * A stream holds its slot until it is iterated to the end, broken out of, or its signal fires.
 */
import type { FetchRequest, Fetcher } from './fetcher.js';
import { onAbort } from '../util/abort.js';
import type { Limiter } from '../util/pool.js';

/**
 * `limiter`: one limiter for every request, or one chosen per request (the GDAC source gives
 * small range reads their own slots, so a build's whole-file downloads never starve a query).
 */
export function withConcurrencyLimit(inner: Fetcher, limiter: Limiter | ((request: FetchRequest) => Limiter)): Fetcher {
  const limiterOf = typeof limiter === 'function' ? limiter : () => limiter;
  return {
    name: inner.name,
    async fetch(request) {
      const release = await limiterOf(request).acquire(request.signal);
      try {
        return await inner.fetch(request);
      } finally {
        release();
      }
    },
    async open(request) {
      const release = await limiterOf(request).acquire(request.signal);
      let stream: AsyncIterable<Uint8Array>;
      try {
        stream = await inner.open(request);
      } catch (error) {
        release();
        throw error;
      }
      const unfollow = request.signal ? onAbort(request.signal, release) : undefined;
      return (async function* releasing() {
        try {
          yield* stream;
        } finally {
          unfollow?.();
          release();
        }
      })();
    },
  };
}
