/**
 * The GDAC source contract: read-only access to a GDAC tree (HTTP mirrors, s3://, local dir).
 *
 * Paths are relative to the GDAC root with forward slashes: `dac/aoml/13857/profiles/R13857_001.nc`,
 * `ar_index_global_prof.txt`. Every operation takes an AbortSignal; an aborted operation rejects
 * with `AbortedError`.
 *
 * Errors: a missing object → `UpstreamNotFoundError` (never retried); transient failures
 * (connection reset, timeout, 429, 5xx, a body shorter than announced) are retried with
 * exponential back-off and jitter, then fail over to the next mirror, then reject with
 * `UpstreamError` / `UpstreamTimeoutError` carrying the last cause.
 */
/** How a GDAC attempt ended: answered, 404, no answer in time, another failure worth a retry, a permanent failure, cancelled. */
export const GDAC_OUTCOMES = ['ok', 'not_found', 'timeout', 'transient', 'error', 'aborted'] as const;
export type GdacOutcome = (typeof GDAC_OUTCOMES)[number];
export type GdacOutcomeCounts = Record<GdacOutcome, number>;

/** What an answer must be, where the caller knows (checked by answer-check.ts). */
export type ObjectFormat = 'netcdf';

export interface ReadOptions {
  signal?: AbortSignal;
  /**
   * The object's size in bytes as the month index recorded it. Every answer must agree with it
   * (a 206's `Content-Range` total, a 200's length): otherwise the read rejects with
   * `GdacFileChangedError` (the file changed since the build, or the answer is wrong), and nothing
   * of it is cached or taken as evidence that the mirror ignores Range. Without it a 200 to a
   * ranged read is sliced for that read only, never cached or remembered.
   */
  expectedSize?: number;
  /**
   * `'netcdf'`: the object is a NetCDF file; an answer carrying its first bytes that is something
   * else (an HTML page from a proxy) is a transient `UpstreamError` (retried, then the next
   * mirror), never bytes to decode.
   */
  expect?: 'netcdf';
}

export interface ByteRange {
  offset: number;
  length: number;
}

export interface GdacStats {
  /** Attempts sent (every retry is one more). */
  requests: number;
  /** Body bytes received. */
  bytes: number;
  retries: number;
  failovers: number;
  /** Mirrors seen to ignore Range (answered 200 with the whole object). */
  rangeIgnoredBy: string[];
  /** Attempts by how they ended (with-outcome-count.ts); absent from sources that do not count them. */
  outcomes?: Readonly<GdacOutcomeCounts>;
}

export interface GdacSource {
  /** A human description for logs (mirror list, bucket, directory). */
  readonly description: string;
  /**
   * Where this GDAC keeps its profile index, relative to the root, in the order to try when
   * ARGO_GDAC_INDEX does not say (see paths.ts). Absent: the root's `ar_index_global_prof.txt(.gz)`.
   */
  readonly indexPaths?: readonly string[];
  /** The whole object. */
  get(path: string, options?: ReadOptions): Promise<Uint8Array>;
  /**
   * Exactly the bytes `[offset, offset + length)` (shorter only at the end of the object).
   * When the server ignores Range, the whole body is fetched and sliced; when it is proven to be
   * the whole object (`expectedSize` and magic agree), the mirror is remembered and the body kept
   * a short while for the next ranges of the same object.
   */
  getRange(path: string, range: ByteRange, options?: ReadOptions): Promise<Uint8Array>;
  /** A stream of the object's bytes (for the large profile index); not retried mid-stream. */
  stream(path: string, options?: ReadOptions): Promise<AsyncIterable<Uint8Array>>;
  stats(): GdacStats;
  close(): Promise<void>;
}
