/**
 * When a mirror ignores Range, every ranged read of a file downloads the whole file. A query reads
 * a profile's level rows as one ranged read or a few (rows far apart in a multi-profile file are
 * separate ranges), and a later query in another QC mode reads the rows the level cache does not
 * hold yet: without this cache each of those is a full download of the same file. This wrapper
 * keeps the whole objects such mirrors sent, for a short while, and serves later ranged reads of
 * the same path from them.
 *
 * Only verified whole objects are kept: a body that answered a ranged request whose size is the
 * size the caller expects (`expectedSize`, from the month index; the answers below were checked
 * against it and their magic by withAnswerCheck). And one is served only to a request expecting
 * that same size, so a file that changed on the GDAC is never answered from an old copy. Without
 * an expected size nothing proves a body is the whole object: such reads pass through uncached.
 * With a mirror that honours Range the cache stays empty and costs nothing.
 */
import { LRUCache } from 'lru-cache';
import type { Fetcher } from './fetcher.js';

export interface WholeObjectCacheOptions {
  maxBytes: number;
  ttlMs: number;
}

export function withWholeObjectCache(inner: Fetcher, options: WholeObjectCacheOptions): Fetcher {
  if (options.maxBytes <= 0) return inner;
  const cache = new LRUCache<string, Uint8Array>({
    maxSize: options.maxBytes,
    sizeCalculation: (bytes) => Math.max(1, bytes.length),
    ttl: options.ttlMs,
  });
  return {
    name: inner.name,
    async fetch(request) {
      const { range, expectedSize } = request;
      const cacheable = range !== undefined && expectedSize !== undefined;
      const cached = cacheable ? cache.get(request.path) : undefined;
      if (cached && cached.length === expectedSize) return { bytes: cached, whole: true, objectSize: cached.length };
      const result = await inner.fetch(request);
      if (cacheable && result.whole && result.bytes.length === expectedSize && result.bytes.length <= options.maxBytes) {
        cache.set(request.path, result.bytes);
      }
      return result;
    },
    open: (request) => inner.open(request),
  };
}
