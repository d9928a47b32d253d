/**
 * One `s3://bucket/prefix` GDAC (the Argo GDAC on AWS open data, or any S3-compatible store),
 * one attempt per call. The SDK's own retries are switched off by the factory (maxAttempts 1):
 * `withRetry` above gives S3 the same retry, back-off and abort semantics as the HTTP mirrors.
 *
 * NoSuchKey / 404 → UpstreamNotFoundError; InvalidRange / 416 → empty (range past the end);
 * 429, 5xx, SlowDown, network failures → transient; other 4xx (AccessDenied, and NoSuchBucket,
 * which is a misconfiguration, not a missing file) → permanent UpstreamError. S3 honours Range; a response without Content-Range to a ranged
 * request is handled like a mirror that ignores Range (whole body, the caller slices). The
 * object's size each answer states (`objectSize`: the Content-Range total, or a whole body's
 * length) is checked against the month index by withAnswerCheck.
 */
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { AppError, UpstreamError, UpstreamNotFoundError, type ErrorContext } from '../errors.js';
import { s3ErrorName, s3Status } from '../storage/s3-client.js';
import { createDeadline } from './abort.js';
import {
  expectedRangeLength,
  parseContentRange,
  readAll,
  type FetchRequest,
  type FetchResult,
  type Fetcher,
  type OpenRequest,
  type StatsCollector,
} from './fetcher.js';
import { TransientUpstreamError, isTimeoutFailure, translateFailure } from './transient.js';

export interface S3FetcherOptions {
  bucket: string;
  /** '' or ending with '/'. */
  prefix: string;
  client: S3Client;
  timeoutMs: number;
  stats: StatsCollector;
}

const EMPTY = new Uint8Array(0);
const TRANSIENT_NAMES = new Set([
  'SlowDown',
  'RequestTimeout',
  'InternalError',
  'ServiceUnavailable',
  'Throttling',
  'ThrottlingException',
]);

type Body = AsyncIterable<Uint8Array> & { destroy?: () => void; destroyed?: boolean };

export function createS3Fetcher(options: S3FetcherOptions): Fetcher {
  const { client, bucket, prefix, stats, timeoutMs } = options;
  const name = `s3://${bucket}/${prefix}`.replace(/\/+$/, '');

  /** Translates an SDK failure into the contract's errors. */
  function fail(error: unknown, context: ErrorContext, signal: AbortSignal | undefined, timedOut: boolean): Error {
    if (error instanceof AppError || signal?.aborted || timedOut || isTimeoutFailure(error)) {
      return translateFailure(error, { signal, timedOut, timeoutMs, context });
    }
    const status = s3Status(error);
    const code = s3ErrorName(error);
    const ctx = { ...context, status, code };
    // A missing bucket is a misconfiguration (permanent UpstreamError below), not a missing file.
    if (code !== 'NoSuchBucket' && (status === 404 || code === 'NoSuchKey' || code === 'NotFound')) {
      return new UpstreamNotFoundError({ message: `GDAC object not found: ${String(context.path)}`, context: ctx, cause: error });
    }
    if (status === 429 || (status !== undefined && status >= 500) || (code !== undefined && TRANSIENT_NAMES.has(code))) {
      return new TransientUpstreamError({ message: `GDAC S3 answered ${status ?? code}`, context: ctx, cause: error });
    }
    if (status !== undefined) {
      return new UpstreamError({ message: `GDAC S3 answered ${status} ${code ?? ''}`.trim(), context: ctx, cause: error });
    }
    // No HTTP answer at all (reset, refused, DNS, socket hang up): worth another try.
    return new TransientUpstreamError({ message: 'GDAC S3 request failed', context: ctx, cause: error });
  }

  async function send(request: OpenRequest & { range?: FetchRequest['range'] }, signal: AbortSignal): Promise<GetObjectCommandOutput> {
    stats.requests++;
    return client.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: prefix + request.path,
        ...(request.range ? { Range: `bytes=${request.range.offset}-${request.range.offset + request.range.length - 1}` } : {}),
      }),
      { abortSignal: signal },
    );
  }

  async function fetch(request: FetchRequest): Promise<FetchResult> {
    const { path, range, signal } = request;
    const context: ErrorContext = { bucket: name, path, ...(range ? { range } : {}) };
    const deadline = createDeadline(signal, timeoutMs);
    try {
      let response: GetObjectCommandOutput;
      try {
        response = await send(request, deadline.signal);
      } catch (error) {
        if (range && (s3Status(error) === 416 || s3ErrorName(error) === 'InvalidRange')) return { bytes: EMPTY, whole: false };
        throw error;
      }
      const body = response.Body as Body | undefined;
      const bytes = body
        ? await readAll(body, (n) => {
            stats.bytes += n;
          })
        : EMPTY;
      if (response.ContentLength !== undefined && bytes.length < response.ContentLength) {
        throw new TransientUpstreamError({
          message: `GDAC S3 body shorter than announced (${bytes.length} of ${response.ContentLength} bytes)`,
          context,
        });
      }
      if (!range) return { bytes, whole: true, objectSize: bytes.length };
      const contentRange = parseContentRange(response.ContentRange);
      if (!contentRange) return { bytes, whole: true, objectSize: bytes.length };
      const result: FetchResult = {
        bytes: bytes.length > range.length ? bytes.slice(0, range.length) : bytes,
        whole: false,
        ...(contentRange.total !== undefined ? { objectSize: contentRange.total } : {}),
      };
      // Another size than recorded: withAnswerCheck reports the changed object (not a short body).
      if (request.expectedSize !== undefined && result.objectSize !== undefined && result.objectSize !== request.expectedSize) {
        return result;
      }
      const expected = expectedRangeLength(range, contentRange.total);
      if (contentRange.start !== range.offset || bytes.length < expected) {
        throw new TransientUpstreamError({
          message: `GDAC S3 range answer does not match the range asked (${response.ContentRange})`,
          context,
        });
      }
      return result;
    } catch (error) {
      throw fail(error, context, signal, deadline.timedOut);
    } finally {
      deadline.dispose();
    }
  }

  async function open(request: OpenRequest): Promise<AsyncIterable<Uint8Array>> {
    const { path, signal } = request;
    const context: ErrorContext = { bucket: name, path };
    const deadline = createDeadline(signal, timeoutMs);
    let response: GetObjectCommandOutput;
    try {
      response = await send(request, deadline.signal);
    } catch (error) {
      deadline.dispose();
      throw fail(error, context, signal, deadline.timedOut);
    }
    // Past the headers a large index may take as long as it needs; the caller's signal still
    // aborts it (the SDK destroys the socket when the signal fires).
    deadline.stopTimer();
    const body = response.Body as Body | undefined;
    const announced = response.ContentLength;
    return (async function* chunks() {
      let received = 0;
      try {
        if (!body) return;
        for await (const chunk of body) {
          received += chunk.length;
          stats.bytes += chunk.length;
          yield chunk;
        }
        if (announced !== undefined && received < announced) {
          throw new UpstreamError({ message: `GDAC S3 stream ended early (${received} of ${announced} bytes)`, context });
        }
      } catch (error) {
        throw translateFailure(error, { signal, timedOut: deadline.timedOut, timeoutMs, context });
      } finally {
        deadline.dispose();
        if (body?.destroy && !body.destroyed) body.destroy();
      }
    })();
  }

  return { name, fetch, open };
}
