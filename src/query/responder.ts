/**
 * The profile responder: a query's plan, headers and serialized body, in one service call for
 * the route. Finished bodies go into a response cache (bounded in bytes) keyed by everything that
 * decides them: the normalized query, the format and the store keys of the month indexes used.
 * Month objects are immutable and a GDAC update reaches a query only through a rebuilt month (a
 * new key), so a cached body is exactly what a fresh computation would send. Dashboards that
 * refresh the same window are answered from memory without decoding anything.
 *
 * Only bodies that completed without error are cached; a client hang-up or an upstream failure
 * (the error line) leaves nothing behind.
 */
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../logger.js';
import { serializeResult } from '../serialize/index.js';
import type { OutputFormat, ProfileFields, ProfileQuery, QueryService } from './types.js';

export interface ProfileResponse {
  matched: number;
  truncated: boolean;
  monthsMissing: string[];
  body: Readable;
  /** True when the body came from the response cache. */
  cached: boolean;
}

export interface RespondOptions {
  format: OutputFormat;
  signal: AbortSignal;
  /** Called when the body fails after the headers were sent (the body then ends with the error line). */
  onError?: (error: unknown) => void;
}

export interface ProfileResponder {
  respond(query: ProfileQuery, options: RespondOptions): Promise<ProfileResponse>;
  cacheStats(): ResponseCacheStats;
}

export interface ResponseCacheStats {
  hits: number;
  misses: number;
  stored: number;
  entries: number;
  bytes: number;
}

export interface CreateProfileResponderOptions {
  query: QueryService;
  /** Bytes of finished bodies kept (ARGO_RESPONSE_CACHE_MB); 0 disables the cache. */
  cacheBytes: number;
  logger?: Logger;
}

/**
 * Largest body worth keeping: a quarter of the budget (and never more than 8 MB), so one big
 * answer cannot flush every dashboard's small ones.
 */
const MAX_ENTRY_FRACTION = 0.25;
const MAX_ENTRY_BYTES = 8 * 1024 * 1024;

interface CachedBody {
  headers: Pick<ProfileResponse, 'matched' | 'truncated' | 'monthsMissing'>;
  body: Buffer;
}

export function responseCacheKey(query: ProfileQuery, format: OutputFormat, monthKeys: readonly string[]): string {
  // Every field of ProfileQuery decides the answer; spelled out so a new field is a compile error here.
  const q: Required<ProfileQuery> = {
    startMs: query.startMs,
    endMs: query.endMs,
    levels: query.levels ?? [],
    vertical: query.vertical,
    variables: query.variables,
    mode: query.mode,
    bbox: query.bbox ?? ([] as unknown as [number, number, number, number]),
    platforms: query.platforms ?? [],
    maxProfiles: query.maxProfiles,
    // Absent (full profiles) is keyed apart from every named value.
    fields: query.fields ?? ('' as ProfileFields),
  };
  return JSON.stringify([format, q, monthKeys]);
}

export function createProfileResponder({ query, cacheBytes, logger }: CreateProfileResponderOptions): ProfileResponder {
  const maxEntry = Math.min(MAX_ENTRY_BYTES, Math.floor(cacheBytes * MAX_ENTRY_FRACTION));
  const cache =
    cacheBytes > 0 && maxEntry > 0
      ? new LRUCache<string, CachedBody>({
          maxSize: cacheBytes,
          maxEntrySize: maxEntry,
          // The key and the header values are small next to any body; 256 bytes covers them.
          sizeCalculation: (value, key) => value.body.byteLength + key.length + 256,
        })
      : undefined;
  const stats = { hits: 0, misses: 0, stored: 0 };

  return {
    async respond(q, { format, signal, onError }) {
      const result = await query.run(q, { signal });
      const headers = { matched: result.matched, truncated: result.truncated, monthsMissing: result.monthsMissing };
      const key = cache ? responseCacheKey(q, format, result.monthKeys) : '';
      const hit = cache?.get(key);
      if (hit) {
        stats.hits++;
        return { ...hit.headers, body: Readable.from([hit.body], { objectMode: false }), cached: true };
      }
      stats.misses++;
      let failed = false;
      const body = serializeResult(result, {
        format,
        onError: (error) => {
          failed = true;
          onError?.(error);
        },
      });
      if (!cache) return { ...headers, body, cached: false };

      // Tee the body: the client gets every chunk as it is made; a copy is kept while it stays
      // under the entry limit, and stored only once the body ended cleanly.
      const chunks: Buffer[] = [];
      let size = 0;
      const tee = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          if (size <= maxEntry) {
            size += chunk.byteLength;
            if (size <= maxEntry) chunks.push(chunk);
            else chunks.length = 0;
          }
          callback(null, chunk);
        },
      });
      pipeline(body, tee).then(
        () => {
          if (failed || signal.aborted || size > maxEntry) return;
          cache.set(key, { headers, body: Buffer.concat(chunks, size) });
          stats.stored++;
        },
        (error: unknown) => logger?.debug({ err: error }, 'profile body not cached (stream ended early)'),
      );
      return { ...headers, body: tee, cached: false };
    },
    cacheStats: () => ({ ...stats, entries: cache?.size ?? 0, bytes: cache?.calculatedSize ?? 0 }),
  };
}
