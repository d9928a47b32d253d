/**
 * `createGdacSource`: the `GdacSource` (types.ts) over HTTP(S) mirrors, an `s3://` GDAC or a
 * local directory, built by stacking small layers, each with one job:
 *
 *     withWholeObjectCache(                     serve ranged re-reads from mirrors ignoring Range
 *       withFailover([                          next mirror on a transient failure, cool-down
 *         withRetry(                            back-off + full jitter, Retry-After, abort
 *           withConcurrencyLimit(               whole files: ARGO_DOWNLOAD_WORKERS in flight;
 *                                               ranges: `rangeRequestsInFlight` in flight
 *             withOutcomeCount(                 each attempt counted by outcome (stats)
 *               withAnswerCheck(                the answer is the object asked for (size, magic)
 *                 createHttpFetcher(mirror))))),  one attempt, one mirror, errors translated
 *         ...one per root ]))
 *
 * All HTTP mirrors share ONE undici Agent (keep-alive pool) and all roots share the TWO limiters:
 * one for whole objects (a build's downloads, the index stream), one for range reads (a query's
 * ~5 KB rows). A query's reads are round-trip bound, not bandwidth bound, so they are not capped
 * by the download-worker count meant for whole files, and a running build never starves them.
 * The process's total in flight stays bounded: `downloadWorkers + rangeRequestsInFlight`, which
 * is also the pool's connections per origin so every slot has its keep-alive socket.
 *
 * Typical use, straight from the config:
 *
 *     const gdac = createGdacSource({ ...config.gdac, s3Anonymous: config.gdac.s3.anonymous, logger });
 *     const bytes = await gdac.getRange('dac/aoml/13857/profiles/R13857_001.nc', { offset: 0, length: 4096 }, { signal });
 *     await gdac.close();
 */
import { Agent, interceptors, type Dispatcher } from 'undici';
import { createS3Client, isS3Url, parseS3Url, type S3Settings } from '../storage/s3-client.js';
import { createLimiter, type Limiter } from '../util/pool.js';
import { abortedError } from './abort.js';
import { withAnswerCheck } from './answer-check.js';
import { createStatsCollector, type FetchRequest, type Fetcher, type GdacLogger } from './fetcher.js';
import { createHttpFetcher } from './http-fetcher.js';
import { createLocalFetcher } from './local-fetcher.js';
import { ROOT_INDEX_PATHS, S3_INDEX_PATHS, normalizeGdacPath, redactUrl } from './paths.js';
import { createS3Fetcher } from './s3-fetcher.js';
import type { ByteRange, GdacSource, ReadOptions } from './types.js';
import { withConcurrencyLimit } from './with-concurrency-limit.js';
import { withFailover } from './with-failover.js';
import { withRetry } from './with-retry.js';
import { createOutcomeCounts, withOutcomeCount } from './with-outcome-count.js';
import { withWholeObjectCache } from './with-whole-object-cache.js';

export type { GdacLogger } from './fetcher.js';

export interface GdacSourceOptions {
  /** `http(s)://` mirrors (tried in order), an `s3://bucket/prefix`, or a local directory. */
  roots: readonly string[];
  /** Whole-object requests (get, stream) in flight at once, over all roots (ARGO_DOWNLOAD_WORKERS). */
  downloadWorkers: number;
  /**
   * Range reads in flight at once, over all roots and all queries (each query also bounds its own,
   * ARGO_QUERY_CONCURRENCY). Default: the larger of `downloadWorkers` and
   * `DEFAULT_RANGE_REQUESTS_IN_FLIGHT`.
   */
  rangeRequestsInFlight?: number;
  /** Retries of a transient failure, per mirror (ARGO_MAX_FETCH_RETRIES). */
  maxRetries: number;
  /** First back-off ceiling, doubled at each retry, full jitter (ARGO_RETRY_BACKOFF_SECONDS). */
  retryBackoffMs: number;
  /** One attempt's deadline: headers and body of a get/getRange, headers and idle gaps of a stream. */
  timeoutMs: number;
  /** An s3:// GDAC's own settings (the config's `gdac.s3`, never the index store's): endpoint, path style, region, credentials. */
  s3?: S3Settings;
  logger?: GdacLogger;

  // Tuning knobs with production defaults; tests shrink them.
  /** Ceiling of one back-off delay (default 30 s). */
  maxBackoffMs?: number;
  /** A longer Retry-After moves on to the next mirror instead of waiting (default 60 s). */
  maxRetryAfterMs?: number;
  /** How long a failed mirror goes to the back of the order (default 60 s). */
  mirrorCooldownMs?: number;
  /** Bytes of whole objects kept from mirrors that ignore Range (default 32 MiB; 0 disables). */
  wholeObjectCacheBytes?: number;
  /** Deterministic jitter for tests, in [0, 1). */
  random?: () => number;
  /** Send S3 GDAC requests unsigned (default: unsigned unless `s3.credentials` is given: the Argo GDAC bucket is public). */
  s3Anonymous?: boolean;
}

/**
 * Range reads in flight per process by default: 32, ARGO_QUERY_CONCURRENCY's default, so one
 * query gets all the round trips it asks for (446 ranges × 20 ms / 32 ≈ 0.3 s for a 1-day window)
 * and concurrent queries share them; 32 small keep-alive requests are still a modest load for a
 * GDAC (~160 KB in flight).
 */
export const DEFAULT_RANGE_REQUESTS_IN_FLIGHT = 32;

// 32 MiB: profile files are < 1 MB; a query has a few dozen files in flight (its look-ahead), whose
// ranges arrive in quick succession, so this holds every file in flight with room to spare.
const DEFAULT_WHOLE_OBJECT_CACHE_BYTES = 32 * 1024 * 1024;
// 2 minutes: long enough for the other ranges of the files a query (or a dashboard's next query in
// another mode) is reading, short enough that a file updated on the GDAC is seen again soon.
const WHOLE_OBJECT_CACHE_TTL_MS = 120_000;
// Idle keep-alive sockets are kept 30 s: queries come in bursts, and a new TLS handshake to a
// GDAC costs ~3 round trips.
const KEEP_ALIVE_TIMEOUT_MS = 30_000;
// 10 s to connect: a mirror slower than that to accept a connection is down for our purposes.
const CONNECT_TIMEOUT_MS = 10_000;
// Mirrors redirect http → https and between hosts; more than 5 hops is a loop.
const MAX_REDIRECTIONS = 5;

// On close, requests still in flight get 2 s to finish before their sockets are destroyed: a
// stream nobody iterates would otherwise keep `close()` waiting forever.
const CLOSE_GRACE_MS = 2_000;

async function closeAgent(agent: Agent): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), CLOSE_GRACE_MS);
  });
  try {
    const outcome = await Promise.race([agent.close().then(() => 'closed' as const), grace]);
    if (outcome === 'timeout') await agent.destroy();
  } finally {
    clearTimeout(timer);
  }
}

type RootKind = 'http' | 's3' | 'local';

function kindOf(root: string): RootKind {
  if (/^https?:\/\//i.test(root)) return 'http';
  if (isS3Url(root)) return 's3';
  return 'local';
}

function describeRoot(root: string): string {
  return kindOf(root) === 'http' ? redactUrl(new URL(root)) : root;
}

function checkOptions(options: GdacSourceOptions): void {
  const issues: string[] = [];
  if (options.roots.length === 0) issues.push('roots: at least one GDAC root is needed');
  if (!Number.isInteger(options.downloadWorkers) || options.downloadWorkers < 1) issues.push('downloadWorkers: a positive integer');
  const ranges = options.rangeRequestsInFlight;
  if (ranges !== undefined && (!Number.isInteger(ranges) || ranges < 1)) issues.push('rangeRequestsInFlight: a positive integer');
  if (!Number.isInteger(options.maxRetries) || options.maxRetries < 0) issues.push('maxRetries: an integer ≥ 0');
  if (!(options.retryBackoffMs >= 0)) issues.push('retryBackoffMs: a number ≥ 0');
  if (!(options.timeoutMs > 0)) issues.push('timeoutMs: a number > 0');
  if (issues.length > 0) throw new TypeError(`createGdacSource: ${issues.join('; ')}`);
}

function checkRange(range: ByteRange): void {
  const ok = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;
  if (!ok(range.offset) || !ok(range.length)) {
    // A caller bug, not bad client input: a plain RangeError (a 500 with the detail in the logs).
    throw new RangeError(`invalid byte range ${JSON.stringify(range)}: offset and length must be integers ≥ 0`);
  }
}

const EMPTY = new Uint8Array(0);

/** The checks a read asks for (see `ReadOptions`), as the fetchers take them. */
function expectations(options: ReadOptions): Pick<FetchRequest, 'expectedSize' | 'expect'> {
  return {
    ...(options.expectedSize !== undefined ? { expectedSize: options.expectedSize } : {}),
    ...(options.expect !== undefined ? { expect: options.expect } : {}),
  };
}

export function createGdacSource(options: GdacSourceOptions): GdacSource {
  checkOptions(options);
  const roots = options.roots.map((r) => (kindOf(r) === 'local' ? r : r.replace(/\/+$/, '')));
  const stats = createStatsCollector();
  const outcomes = createOutcomeCounts();
  const wholeLimiter = createLimiter(options.downloadWorkers);
  const rangeLimiter = createLimiter(
    options.rangeRequestsInFlight ?? Math.max(options.downloadWorkers, DEFAULT_RANGE_REQUESTS_IN_FLIGHT),
  );
  const limiterOf = (request: FetchRequest): Limiter => (request.range ? rangeLimiter : wholeLimiter);
  // One keep-alive socket per slot: requests beyond the pool would queue inside undici.
  const connections = wholeLimiter.max + rangeLimiter.max;
  const closers: Array<() => Promise<void> | void> = [];

  let dispatcher: Dispatcher | undefined;
  const httpDispatcher = (): Dispatcher => {
    if (!dispatcher) {
      const agent = new Agent({
        connections,
        pipelining: 1,
        keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        connect: { timeout: Math.min(options.timeoutMs, CONNECT_TIMEOUT_MS) },
      });
      closers.push(() => closeAgent(agent));
      dispatcher = agent.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS }));
    }
    return dispatcher;
  };

  const single = (root: string): Fetcher => {
    switch (kindOf(root)) {
      case 'http':
        return createHttpFetcher({
          root,
          dispatcher: httpDispatcher(),
          timeoutMs: options.timeoutMs,
          stats,
          logger: options.logger,
        });
      case 's3': {
        const { bucket, prefix } = parseS3Url(root);
        const anonymous = options.s3Anonymous ?? options.s3?.credentials === undefined;
        const client = createS3Client({
          s3: options.s3,
          anonymous,
          maxSockets: connections,
          // Retries are `withRetry`'s job, with the same semantics for every backend.
          maxAttempts: 1,
          connectionTimeoutMs: Math.min(options.timeoutMs, CONNECT_TIMEOUT_MS),
          // The attempt's deadline for the headers, and for each silence of a body: an index
          // stream past its headers has no other deadline (only the caller's signal).
          requestTimeoutMs: options.timeoutMs,
          socketTimeoutMs: options.timeoutMs,
        });
        closers.push(() => client.destroy());
        return createS3Fetcher({ bucket, prefix, client, timeoutMs: options.timeoutMs, stats });
      }
      case 'local':
        return createLocalFetcher({ root, stats });
    }
  };

  const mirrors = roots.map((root) =>
    withRetry(withConcurrencyLimit(withOutcomeCount(withAnswerCheck(single(root)), outcomes), limiterOf), {
      maxRetries: options.maxRetries,
      backoffMs: options.retryBackoffMs,
      maxBackoffMs: options.maxBackoffMs,
      maxRetryAfterMs: options.maxRetryAfterMs,
      stats,
      logger: options.logger,
      random: options.random,
    }),
  );
  const pipeline = withWholeObjectCache(
    withFailover(mirrors, { cooldownMs: options.mirrorCooldownMs, stats, logger: options.logger }),
    { maxBytes: options.wholeObjectCacheBytes ?? DEFAULT_WHOLE_OBJECT_CACHE_BYTES, ttlMs: WHOLE_OBJECT_CACHE_TTL_MS },
  );

  const kinds = new Set(roots.map(kindOf));
  const description =
    kinds.size === 1 && kinds.has('http')
      ? `GDAC mirrors ${roots.map(describeRoot).join(', ')}`
      : kinds.size === 1 && kinds.has('local')
        ? `GDAC directory ${roots.join(', ')}`
        : `GDAC ${roots.map(describeRoot).join(', ')}`;

  let closed = false;
  const ensureOpen = (): void => {
    if (closed) throw new TypeError('GdacSource is closed');
  };

  return {
    description,
    // An S3 GDAC keeps its index files under idx/ (s3://argo-gdac-sandbox/pub/idx/); the HTTPS
    // mirrors and local copies keep them at the root.
    indexPaths: kinds.size === 1 && kinds.has('s3') ? S3_INDEX_PATHS : ROOT_INDEX_PATHS,

    async get(path, readOptions = {}) {
      ensureOpen();
      const { signal } = readOptions;
      if (signal?.aborted) throw abortedError(signal, { path });
      const result = await pipeline.fetch({ path: normalizeGdacPath(path), signal, ...expectations(readOptions) });
      return result.bytes;
    },

    async getRange(path, range, readOptions = {}) {
      ensureOpen();
      const { signal } = readOptions;
      if (signal?.aborted) throw abortedError(signal, { path, range });
      checkRange(range);
      const normalized = normalizeGdacPath(path);
      if (range.length === 0) return EMPTY;
      const result = await pipeline.fetch({ path: normalized, range, signal, ...expectations(readOptions) });
      if (!result.whole) return result.bytes;
      // A copy, so a caller keeping the slice does not keep the whole object alive.
      return result.bytes.slice(range.offset, range.offset + range.length);
    },

    async stream(path, readOptions = {}) {
      ensureOpen();
      const { signal } = readOptions;
      if (signal?.aborted) throw abortedError(signal, { path });
      return pipeline.open({ path: normalizeGdacPath(path), signal });
    },

    stats: () => ({ ...stats.snapshot(), outcomes: { ...outcomes } }),

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(closers.map((close) => close()));
    },
  };
}
