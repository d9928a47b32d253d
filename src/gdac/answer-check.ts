/**
 * `withAnswerCheck`: what a GDAC answered is checked against what the caller knows about the
 * object before anything uses it (or caches it, or draws conclusions about the mirror from it).
 *
 * The caller knows two things (`FetchRequest`):
 * - `expectedSize`: the object's size in bytes as the month index recorded it. The object's size
 *   as the answer states it (`FetchResult.objectSize`: a 206's `Content-Range` total, a whole
 *   body's length, a local file's size) must equal it. When it does not, the file on the GDAC is
 *   not the one the index describes (a DAC replaced it since the build) or the answer is wrong:
 *   either way the offsets the index recorded cannot be trusted, and reading on would give
 *   silently different numbers. → `GdacFileChangedError` (permanent: every mirror holds the same
 *   tree, and another attempt at the same range cannot cure it).
 * - `expect: 'netcdf'`: the object is a NetCDF file. An answer that carries the object's first
 *   bytes (a whole body, or a range from offset 0) must start with the NetCDF classic magic
 *   (`CDF\x01`, `CDF\x02`) or HDF5's (NetCDF-4: a known format the parser reports on its own).
 *   Anything else (an HTML error page from a proxy, a captive portal, a JSON error) is not the
 *   file: → a transient `UpstreamError` (retried, then the next mirror), never bytes to decode.
 *
 * A `206` that gives no total (`Content-Range: bytes a-b/*`, allowed by RFC 9110) carries no size
 * to compare: it is accepted as the range asked. Every GDAC mirror and S3 send the total.
 */
import { UpstreamError, type AppErrorOptions } from '../errors.js';
import type { FetchRequest, FetchResult, Fetcher } from './fetcher.js';
import { TransientUpstreamError } from './transient.js';

/** A GDAC object whose size is not the size the month index recorded: changed since the build, or a wrong answer. */
export class GdacFileChangedError extends UpstreamError {
  readonly expectedSize: number;
  readonly actualSize: number;

  constructor(options: AppErrorOptions & { expectedSize: number; actualSize: number }) {
    super(options);
    this.expectedSize = options.expectedSize;
    this.actualSize = options.actualSize;
  }
}

export type { ObjectFormat } from './types.js';

/** What the first bytes of an object say it is. */
export function sniffFormat(bytes: Uint8Array): 'netcdf-classic' | 'hdf5' | 'other' {
  if (bytes.length >= 4 && bytes[0] === 0x43 && bytes[1] === 0x44 && bytes[2] === 0x46 && (bytes[3] === 1 || bytes[3] === 2)) {
    return 'netcdf-classic';
  }
  // HDF5 signature: \x89 H D F \r \n \x1a \n (NetCDF-4 files).
  const hdf5 = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= hdf5.length && hdf5.every((b, i) => bytes[i] === b)) return 'hdf5';
  return 'other';
}

/** Whether bytes that start an object are a NetCDF file (classic, or NetCDF-4/HDF5). */
export function looksLikeNetcdf(bytes: Uint8Array): boolean {
  return sniffFormat(bytes) !== 'other';
}

/** The first bytes as printable text, for logs: `<!DOCTYPE html>…` says at once what came back. */
function preview(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 24);
  return Array.from(head, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
}

/**
 * Whether an answer to a ranged request proves that the mirror sent the whole object (and so
 * ignores Range): a body of exactly the recorded size, with the expected magic. Nothing less is
 * evidence: a 200 carrying an error page, or a body of another size, says nothing about Range.
 */
export function provesWholeObject(request: Pick<FetchRequest, 'expectedSize' | 'expect'>, body: Uint8Array): boolean {
  if (request.expectedSize === undefined || body.length !== request.expectedSize) return false;
  return request.expect !== 'netcdf' || looksLikeNetcdf(body);
}

/** Throws when the answer is not the object the caller expects (see the module comment). */
export function checkAnswer(request: FetchRequest, result: FetchResult, context: Record<string, unknown>): void {
  const startsObject = result.whole || (request.range?.offset === 0 && result.bytes.length > 0);
  if (request.expect === 'netcdf' && startsObject && !looksLikeNetcdf(result.bytes)) {
    throw new TransientUpstreamError({
      message: `GDAC answered something that is not a NetCDF file (${result.bytes.length} bytes starting "${preview(result.bytes)}")`,
      context: { ...context, bytes: result.bytes.length },
    });
  }
  const { expectedSize } = request;
  if (expectedSize !== undefined && result.objectSize !== undefined && result.objectSize !== expectedSize) {
    throw new GdacFileChangedError({
      message: `GDAC object is ${result.objectSize} bytes, the month index recorded ${expectedSize}: changed since the build, or a wrong answer`,
      context: { ...context, expectedSize, actualSize: result.objectSize },
      expectedSize,
      actualSize: result.objectSize,
    });
  }
}

/** Checks every answer of `inner` (one mirror, one attempt) before it goes further up the stack. */
export function withAnswerCheck(inner: Fetcher): Fetcher {
  return {
    name: inner.name,
    async fetch(request) {
      const result = await inner.fetch(request);
      checkAnswer(request, result, { source: inner.name, path: request.path, ...(request.range ? { range: request.range } : {}) });
      return result;
    },
    open: (request) => inner.open(request),
  };
}
