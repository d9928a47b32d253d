/**
 * The internal building block of a GDAC source: a `Fetcher` reads from ONE place (one HTTP
 * mirror, one bucket prefix, one directory) with ONE attempt. Retries, the concurrency limit,
 * mirror failover and the whole-object cache are `withX` wrappers that take and return a
 * `Fetcher` (see create-gdac-source.ts for how they are stacked).
 *
 * A fetcher translates every failure into the contract's errors: `UpstreamNotFoundError`,
 * `TransientUpstreamError` / `UpstreamTimeoutError` (worth retrying), `UpstreamError`
 * (permanent), `AbortedError` (the caller's signal fired).
 */
import type { ByteRange, GdacStats, ObjectFormat } from './types.js';

export interface FetchRequest {
  /** Normalised GDAC path (see paths.ts). */
  path: string;
  /** Absent: the whole object. */
  range?: ByteRange;
  signal?: AbortSignal;
  /** The object's size as the month index recorded it; the answer must agree (answer-check.ts). */
  expectedSize?: number;
  /** What the object is: an answer carrying its first bytes must say so (answer-check.ts). */
  expect?: ObjectFormat;
}

export interface FetchResult {
  /**
   * `whole: false`: exactly the bytes of the requested range (shorter only at the end of the
   * object). `whole: true`: the entire object, because no range was asked or because the server
   * ignored Range; the caller slices.
   */
  bytes: Uint8Array;
  whole: boolean;
  /**
   * The object's full size as the answer states it: a 206's `Content-Range` total, a whole
   * body's length, a local file's size. Undefined when the answer does not say (`bytes a-b/*`).
   */
  objectSize?: number;
}

export interface OpenRequest {
  path: string;
  signal?: AbortSignal;
}

export interface Fetcher {
  /** Where it reads from, for logs and stats (never includes credentials). */
  readonly name: string;
  fetch(request: FetchRequest): Promise<FetchResult>;
  /**
   * Opens the object as a stream of chunks. Opening (up to the response headers) fails like
   * `fetch`; a failure mid-stream is thrown from the iteration and is not retried.
   */
  open(request: OpenRequest): Promise<AsyncIterable<Uint8Array>>;
}

/** The mutable counters behind `GdacSource.stats()`, shared by the layers of one source. */
export interface StatsCollector {
  requests: number;
  bytes: number;
  retries: number;
  failovers: number;
  readonly rangeIgnoredBy: Set<string>;
  snapshot(): GdacStats;
}

export function createStatsCollector(): StatsCollector {
  return {
    requests: 0,
    bytes: 0,
    retries: 0,
    failovers: 0,
    rangeIgnoredBy: new Set(),
    snapshot() {
      return {
        requests: this.requests,
        bytes: this.bytes,
        retries: this.retries,
        failovers: this.failovers,
        rangeIgnoredBy: [...this.rangeIgnoredBy],
      };
    },
  };
}

/** The minimal logger the GDAC layer needs; a pino logger fits. */
export interface GdacLogger {
  warn(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

/** Concatenates chunks into one plain Uint8Array (never a pooled Buffer: callers may use `.buffer`). */
export function concatChunks(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Reads an async iterable of chunks to the end, reporting each chunk's size as it arrives. */
export async function readAll(
  body: AsyncIterable<Uint8Array>,
  onChunk: (bytes: number) => void,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    total += chunk.length;
    onChunk(chunk.length);
  }
  return concatChunks(chunks, total);
}

export interface ContentRange {
  start: number;
  end: number;
  /** The object's full size, when the server tells it (`*` otherwise). */
  total: number | undefined;
}

/** Parses `bytes 0-99/1234` (or `bytes 0-99/*`). */
export function parseContentRange(value: string | undefined): ContentRange | undefined {
  const match = value === undefined ? null : /^bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(value.trim());
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (end < start) return undefined;
  return { start, end, total: match[3] === '*' ? undefined : Number(match[3]) };
}

/** How many bytes a range read must return when the object's size is known. */
export function expectedRangeLength(range: ByteRange, total: number | undefined): number {
  if (total === undefined) return range.length;
  return Math.max(0, Math.min(range.length, total - range.offset));
}
