/**
 * One HTTP(S) GDAC mirror, one attempt per call, over a shared undici dispatcher (the pooled,
 * keep-alive Agent created by `createGdacSource`).
 *
 * - Range: `Range: bytes=a-b`. A 206 is checked against the range asked (start, length, a body
 *   shorter than announced is transient); its `Content-Range` total is the object's size
 *   (`objectSize`, checked by withAnswerCheck). A 200 to a ranged read is returned whole
 *   (`whole: true`, the caller slices). Only a 200 whose body is provably the object (the size
 *   the month index recorded, the right magic) means the mirror ignores Range: then it is added
 *   to `stats.rangeIgnoredBy`, and later ranged reads from it ask for the whole object honestly
 *   (no Range header) instead of pretending. An error page answered with 200 proves nothing. A 416 means the range starts at or past
 *   the end: an empty result, as the contract says ("shorter only at the end of the object").
 * - Status: 404/410 → UpstreamNotFoundError; 408/425/429/5xx → transient (Retry-After kept);
 *   other 4xx (400, 401, 403, ...) → permanent UpstreamError.
 * - Timeouts: `fetch` has one deadline of `timeoutMs` for headers and body together (a profile
 *   file is small); `open` has it for the headers, then only undici's idle body timeout, so a
 *   large index can take as long as it needs while it keeps moving.
 */
import type { Dispatcher } from 'undici';
import { UpstreamError, UpstreamNotFoundError, type ErrorContext } from '../errors.js';
import { createDeadline, type Deadline } from './abort.js';
import { provesWholeObject } from './answer-check.js';
import {
  expectedRangeLength,
  parseContentRange,
  readAll,
  type FetchRequest,
  type FetchResult,
  type Fetcher,
  type GdacLogger,
  type StatsCollector,
} from './fetcher.js';
import { redactUrl } from './paths.js';
import { TransientUpstreamError, parseRetryAfter, translateFailure } from './transient.js';
import type { ByteRange } from './types.js';

export interface HttpFetcherOptions {
  /** `http(s)://host[:port][/base/path]`: the GDAC root on this mirror. */
  root: string;
  dispatcher: Dispatcher;
  timeoutMs: number;
  stats: StatsCollector;
  logger?: GdacLogger;
  userAgent?: string;
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function contentLength(headers: Headers): number | undefined {
  const value = header(headers, 'content-length');
  return value !== undefined && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}

const EMPTY = new Uint8Array(0);

export function createHttpFetcher(options: HttpFetcherOptions): Fetcher {
  const url = new URL(options.root);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`not an http(s) GDAC root: ${redactUrl(url)}`);
  }
  const origin = url.origin;
  const basePath = url.pathname.replace(/\/+$/, '');
  const name = redactUrl(url);
  const authorization =
    url.username || url.password
      ? 'Basic ' +
        Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')
      : undefined;
  const { stats, timeoutMs } = options;
  let ignoresRange = false;

  const requestPath = (path: string): string => `${basePath}/${path.split('/').map(encodeURIComponent).join('/')}`;

  function send(path: string, range: ByteRange | undefined, deadline: Deadline): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = {
      // Ranges and lengths refer to the stored bytes: a `.gz` index must arrive as stored.
      'accept-encoding': 'identity',
      'user-agent': options.userAgent ?? 'argo-profiles-service',
    };
    if (authorization) headers.authorization = authorization;
    if (range) headers.range = `bytes=${range.offset}-${range.offset + range.length - 1}`;
    stats.requests++;
    return options.dispatcher.request({
      origin,
      path: requestPath(path),
      method: 'GET',
      headers,
      signal: deadline.signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  }

  function statusFailure(status: number, headers: Headers, context: ErrorContext): Error {
    const ctx = { ...context, status };
    if (status === 404 || status === 410) {
      return new UpstreamNotFoundError({ message: `GDAC object not found: ${String(context.path)}`, context: ctx });
    }
    if (status === 408 || status === 425 || status === 429 || status >= 500) {
      return new TransientUpstreamError({
        message: `GDAC mirror answered ${status}`,
        context: ctx,
        retryAfterMs: parseRetryAfter(header(headers, 'retry-after')),
      });
    }
    return new UpstreamError({ message: `GDAC mirror answered ${status}`, context: ctx });
  }

  function markIgnoresRange(context: ErrorContext): void {
    if (ignoresRange) return;
    ignoresRange = true;
    stats.rangeIgnoredBy.add(name);
    options.logger?.warn(context, 'GDAC mirror ignores Range: ranged reads fetch whole files from it');
  }

  async function fetch(request: FetchRequest): Promise<FetchResult> {
    const { path, range, signal } = request;
    const context: ErrorContext = { mirror: name, path, ...(range ? { range } : {}) };
    const askRange = range !== undefined && !ignoresRange;
    const deadline = createDeadline(signal, timeoutMs);
    try {
      const response = await send(path, askRange ? range : undefined, deadline);
      const status = response.statusCode;
      const headers = response.headers as Headers;

      if (status === 416 && askRange) {
        await response.body.dump().catch(() => undefined);
        // `Content-Range: bytes */<size>` states the object's size: a range past the end of an
        // object of the recorded size is the caller's affair, past the end of a shorter one is news.
        const unsatisfied = /^bytes\s+\*\/(\d+)\s*$/i.exec(header(headers, 'content-range') ?? '');
        return { bytes: EMPTY, whole: false, ...(unsatisfied ? { objectSize: Number(unsatisfied[1]) } : {}) };
      }
      if (status !== 200 && !(status === 206 && askRange)) {
        await response.body.dump().catch(() => undefined);
        throw statusFailure(status, headers, context);
      }

      const body = await readAll(response.body, (n) => {
        stats.bytes += n;
      });
      const announced = contentLength(headers);
      if (announced !== undefined && body.length < announced) {
        throw new TransientUpstreamError({
          message: `GDAC body shorter than announced (${body.length} of ${announced} bytes)`,
          context,
        });
      }

      if (status === 206 && range) {
        const contentRange = parseContentRange(header(headers, 'content-range'));
        if (!contentRange || contentRange.start !== range.offset) {
          throw new TransientUpstreamError({
            message: `GDAC answered a range other than asked (${header(headers, 'content-range') ?? 'no Content-Range'})`,
            context,
          });
        }
        const result: FetchResult = {
          bytes: body.length > range.length ? body.slice(0, range.length) : body,
          whole: false,
          ...(contentRange.total !== undefined ? { objectSize: contentRange.total } : {}),
        };
        // An object of another size than recorded: the answer is complete for that object, and
        // withAnswerCheck reports it as changed (not as a short body worth retrying).
        if (request.expectedSize !== undefined && result.objectSize !== undefined && result.objectSize !== request.expectedSize) {
          return result;
        }
        const expected = expectedRangeLength(range, contentRange.total);
        if (body.length < expected) {
          throw new TransientUpstreamError({
            message: `GDAC range body shorter than asked (${body.length} of ${expected} bytes)`,
            context,
          });
        }
        return result;
      }

      // 200: the whole object, or what claims to be. For a ranged request the mirror ignored
      // Range only if the body is provably the object (its recorded size, the right magic) and
      // the range did not cover the whole object anyway (then a 200 proves nothing). An error page
      // answered with 200 proves nothing either: withAnswerCheck rejects it above.
      if (range && askRange && (range.offset > 0 || body.length > range.length) && provesWholeObject(request, body)) {
        markIgnoresRange(context);
      }
      return { bytes: body, whole: true, objectSize: body.length };
    } catch (error) {
      throw translateFailure(error, { signal, timedOut: deadline.timedOut, timeoutMs, context });
    } finally {
      deadline.dispose();
    }
  }

  async function open({ path, signal }: { path: string; signal?: AbortSignal }): Promise<AsyncIterable<Uint8Array>> {
    const context: ErrorContext = { mirror: name, path };
    const deadline = createDeadline(signal, timeoutMs);
    let response: Dispatcher.ResponseData;
    try {
      response = await send(path, undefined, deadline);
      if (response.statusCode !== 200) {
        await response.body.dump().catch(() => undefined);
        throw statusFailure(response.statusCode, response.headers as Headers, context);
      }
    } catch (error) {
      deadline.dispose();
      throw translateFailure(error, { signal, timedOut: deadline.timedOut, timeoutMs, context });
    }
    // From here on only the idle body timeout applies (bodyTimeout), plus the caller's signal.
    deadline.stopTimer();
    const body = response.body;
    const announced = contentLength(response.headers as Headers);
    return (async function* chunks() {
      let received = 0;
      try {
        for await (const chunk of body as AsyncIterable<Uint8Array>) {
          received += chunk.length;
          stats.bytes += chunk.length;
          yield chunk;
        }
        if (announced !== undefined && received < announced) {
          throw new UpstreamError({
            message: `GDAC stream ended early (${received} of ${announced} bytes)`,
            context,
          });
        }
      } catch (error) {
        throw translateFailure(error, { signal, timedOut: deadline.timedOut, timeoutMs, context });
      } finally {
        deadline.dispose();
        if (!body.destroyed) body.destroy();
      }
    })();
  }

  return { name, fetch, open };
}
