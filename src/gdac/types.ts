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
import type { GdacOutcomeCounts } from './with-outcome-count.js';

export interface ReadOptions {
  signal?: AbortSignal;
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
  /** The whole object. */
  get(path: string, options?: ReadOptions): Promise<Uint8Array>;
  /**
   * Exactly the bytes `[offset, offset + length)` (shorter only at the end of the object).
   * When the server ignores Range, the whole body is fetched and sliced, and the mirror is
   * remembered so later reads of the same object can reuse a whole-file cache upstream.
   */
  getRange(path: string, range: ByteRange, options?: ReadOptions): Promise<Uint8Array>;
  /** A stream of the object's bytes (for the large profile index); not retried mid-stream. */
  stream(path: string, options?: ReadOptions): Promise<AsyncIterable<Uint8Array>>;
  stats(): GdacStats;
  close(): Promise<void>;
}
