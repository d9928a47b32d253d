/**
 * When a mirror ignores Range, every ranged read of a file downloads the whole file. A query reads
 * a profile's level rows as one ranged read or a few (rows far apart in a multi-profile file are
 * separate ranges), and a later query in another QC mode reads the rows the level cache does not
 * hold yet: without this cache each of those is a full download of the same file. This wrapper
 * keeps the whole objects such mirrors sent, for a short while, and serves later ranged reads of
 * the same path from them.
 *
 * Only whole bodies that answered a ranged request are kept: with a mirror that honours Range the
 * cache stays empty and costs nothing. Whole-object reads (the builder's downloads) neither fill
 * nor use it.
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
      const cached = request.range ? cache.get(request.path) : undefined;
      if (cached) return { bytes: cached, whole: true };
      const result = await inner.fetch(request);
      if (request.range && result.whole && result.bytes.length <= options.maxBytes) {
        cache.set(request.path, result.bytes);
      }
      return result;
    },
    open: (request) => inner.open(request),
  };
}
