/**
 * The profile responder: what `GET /v1/profiles` sends, in one call for the route: the query's
 * plan (the headers' facts) and its body as a byte stream in the chosen format, from the response
 * cache when the same answer was sent before.
 *
 *     query.run → response cache hit? → cached bytes
 *                                miss → serializeResult → tee (client, and a copy for the cache)
 *
 * Only bodies that completed without error are cached: the profiles' iteration ran to its end
 * (checked on the iteration itself, not on the bytes: a failure the serializer ends quietly, as
 * it does for abort-like errors, still leaves the iteration incomplete), no error line was
 * written, the client did not hang up, and no profile was provisional (read from a GDAC file that
 * changed since its month was built, see query/provisional.ts). Anything else leaves nothing behind.
 */
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../logger.js';
import { isProvisional } from '../query/provisional.js';
import type { EncodedProfile, ProfileQuery, QueryResult, QueryService } from '../query/types.js';
import { serializeResult, type OutputFormat } from '../serialize/index.js';
import { createResponseCache, responseCacheKey, type CachedResponse, type ResponseCache, type ResponseCacheStats } from './response-cache.js';

export interface ProfileResponse {
  matched: number;
  truncated: boolean;
  monthsMissing: string[];
  /** The next page's link (`linkOf(cursor)`) when the result is truncated. */
  next?: string;
  /**
   * dataset=bgc: units of each requested parameter as the files state them, `DOXY=micromole/kg,…`
   * (the X-Argo-Units header; the Python client keeps them as xarray attributes).
   */
  units?: string;
  /** Absent for `head`: the plan's facts only. */
  body?: Readable;
  /** True when the body came from the response cache. */
  cached: boolean;
}

export interface RespondOptions {
  format: OutputFormat;
  signal: AbortSignal;
  /** The link that continues after a truncated page, from its cursor (the request's own URL). */
  linkOf?: (cursor: string) => string;
  /** Called when the body fails after the headers were sent (the body then ends with the error line). */
  onError?: (error: unknown) => void;
}

export interface ProfileResponder {
  respond(query: ProfileQuery, options: RespondOptions): Promise<ProfileResponse & { body: Readable }>;
  /** `HEAD`: the plan's facts (the headers of `respond`), with no level read and no body. */
  head(query: ProfileQuery, options: Pick<RespondOptions, 'signal' | 'linkOf'>): Promise<ProfileResponse>;
  /** Response cache counters (zeros when the cache is off). */
  cacheStats(): ResponseCacheStats;
}

export interface CreateProfileResponderOptions {
  query: QueryService;
  /** Bytes of finished bodies kept (ARGO_RESPONSE_CACHE_MB); 0 disables the cache. */
  cacheBytes: number;
  logger?: Pick<Logger, 'debug'>;
}

const NO_CACHE_STATS: ResponseCacheStats = Object.freeze({ hits: 0, misses: 0, stored: 0, entries: 0, bytes: 0, copying: 0 });

/**
 * A pass-through that keeps a copy of what went by while it stays under the cache's entry cap
 * and the cache grants room for it (`reserve`: all copies in progress together stay under the
 * cache's size), and hands the copy to `onEnd` once the source ended cleanly. Past either bound
 * the copy is dropped at once and the rest only passes through. It never reads ahead of its
 * consumer: a Transform passes backpressure on, so the copy is at most what the client accepted
 * plus the streams' buffers.
 */
function teeInto(body: Readable, cache: ResponseCache, onEnd: (copy: Buffer) => void, onFail: (error: unknown) => void): Readable {
  let chunks: Buffer[] | undefined = [];
  let size = 0;
  const drop = (): void => {
    cache.release(size);
    chunks = undefined;
    size = 0;
  };
  const tee = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (chunks !== undefined) {
        if (size + chunk.byteLength <= cache.maxEntryBytes && cache.reserve(chunk.byteLength)) {
          chunks.push(chunk);
          size += chunk.byteLength;
        } else drop();
      }
      callback(null, chunk);
    },
  });
  pipeline(body, tee).then(
    () => {
      if (chunks !== undefined) onEnd(Buffer.concat(chunks, size));
      drop();
    },
    (error: unknown) => {
      drop();
      onFail(error);
    },
  );
  return tee;
}

interface Outcome {
  /** The iteration ran to its end. */
  complete: boolean;
  /** Some profile was provisional. */
  provisional: boolean;
}

/** The result with its profiles watched (see `Outcome`); stopping early still stops the source. */
function watchProfiles(result: QueryResult): { result: QueryResult; outcome: Outcome } {
  const outcome: Outcome = { complete: false, provisional: false };
  const source = result.profiles;
  const profiles: AsyncIterable<EncodedProfile> = {
    async *[Symbol.asyncIterator]() {
      for await (const encoded of source) {
        if (isProvisional(encoded.profile)) outcome.provisional = true;
        yield encoded;
      }
      outcome.complete = true;
    },
  };
  return { result: { ...result, profiles }, outcome };
}

function headersOf(result: QueryResult, linkOf: RespondOptions['linkOf']): CachedResponse['headers'] {
  const next = result.next !== undefined ? (linkOf ? linkOf(result.next) : `?cursor=${result.next}`) : undefined;
  const units = result.parameters ? unitsHeader(result.parameters) : undefined;
  return {
    matched: result.matched,
    truncated: result.truncated,
    monthsMissing: result.monthsMissing,
    ...(next ? { next } : {}),
    ...(units !== undefined ? { units } : {}),
  };
}

/**
 * `DOXY=micromole/kg,CHLA=mg/m3`: parameters with units. Units are percent-encoded where a header
 * or this list could not carry them as they are (non-ASCII, `,`, `=`, `%`); clients unquote them.
 */
export function unitsHeader(parameters: readonly { name: string; units: string | null }[]): string {
  return parameters
    .filter((p) => p.units !== null && p.units !== '')
    .map((p) => `${p.name}=${p.units!.replace(/[^\x20-\x7e]|[,=%]/gu, (c) => encodeURIComponent(c))}`)
    .join(',');
}

export function createProfileResponder({ query, cacheBytes, logger }: CreateProfileResponderOptions): ProfileResponder {
  const cache: ResponseCache | undefined = createResponseCache({ maxBytes: cacheBytes });

  return {
    async head(q, { signal, linkOf }) {
      // The profiles are a lazy iterable: never iterated here, so nothing but the plan is done.
      const result = await query.run(q, { signal });
      return { ...headersOf(result, linkOf), cached: false };
    },
    async respond(q, { format, signal, onError, linkOf }) {
      const result = await query.run(q, { signal });
      const headers = headersOf(result, linkOf);
      const key = cache ? responseCacheKey(q, format, result.monthKeys, headers.next) : '';
      const hit = cache?.get(key);
      if (hit) return { ...hit.headers, body: Readable.from([hit.body], { objectMode: false }), cached: true };

      let failed = false;
      const watched = cache ? watchProfiles(result) : { result, outcome: undefined };
      const body = serializeResult(watched.result, {
        format,
        ...(headers.next ? { next: headers.next } : {}),
        onError: (error) => {
          failed = true;
          onError?.(error);
        },
      });
      if (!cache) return { ...headers, body, cached: false };
      // The client gets every chunk as it is made; the copy is stored only once the body ended cleanly.
      const tee = teeInto(
        body,
        cache,
        (copy) => {
          const outcome = watched.outcome;
          if (!failed && !signal.aborted && outcome?.complete && !outcome.provisional) cache.set(key, { headers, body: copy });
        },
        (error) => logger?.debug({ err: error }, 'profile body not cached (stream ended early)'),
      );
      return { ...headers, body: tee, cached: false };
    },
    cacheStats: () => cache?.stats() ?? NO_CACHE_STATS,
  };
}
