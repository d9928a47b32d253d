/**
 * Which upstream failures are worth another try.
 *
 * A transient failure (connection reset, timeout, 429, 5xx, a short body) is an
 * `TransientUpstreamError` or an `UpstreamTimeoutError`; everything else (404, 403, a refused
 * path) is permanent. `withRetry` and `withFailover` decide with `isTransient` only, so each
 * backend states what a failure means in one place: where it translates the failure.
 */
import {
  AbortedError,
  AppError,
  UpstreamError,
  UpstreamTimeoutError,
  type AppErrorOptions,
  type ErrorContext,
} from '../errors.js';

/** An `UpstreamError` that another attempt (later, or on another mirror) may cure. */
export class TransientUpstreamError extends UpstreamError {
  /** The delay the server asked for (429/503 Retry-After), in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(options: AppErrorOptions & { retryAfterMs?: number }) {
    super(options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function isTransient(error: unknown): boolean {
  return error instanceof TransientUpstreamError || error instanceof UpstreamTimeoutError;
}

export function retryAfterMsOf(error: unknown): number | undefined {
  return error instanceof TransientUpstreamError ? error.retryAfterMs : undefined;
}

/**
 * The delay a `Retry-After` header asks for: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Unparseable values are ignored (undefined), past dates mean "now" (0).
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** Node and undici error codes of a failed connection or transfer: the network, not the object. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  // A name that does not resolve is most often a DNS hiccup or a mirror being moved: failing
  // over to the next mirror is the right answer either way.
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isNetworkFailure(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && NETWORK_CODES.has(code);
}

export function isTimeoutFailure(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined && TIMEOUT_CODES.has(code)) return true;
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'TimeoutError';
}

/**
 * Translates whatever one attempt threw into the contract's errors. Order matters: the caller's
 * abort wins over everything, then our own deadline, then errors already translated, then
 * network failures (transient); anything else is permanent.
 */
export function translateFailure(
  error: unknown,
  options: {
    signal: AbortSignal | undefined;
    timedOut: boolean;
    timeoutMs: number;
    context: ErrorContext;
  },
): Error {
  const { signal, context } = options;
  if (error instanceof AbortedError) return error;
  if (signal?.aborted) return new AbortedError({ message: 'GDAC read aborted', context, cause: signal.reason });
  if (options.timedOut || isTimeoutFailure(error)) {
    return new UpstreamTimeoutError({
      message: `GDAC did not answer within ${options.timeoutMs} ms`,
      context,
      cause: error,
    });
  }
  if (error instanceof AppError) return error;
  if (isNetworkFailure(error)) {
    return new TransientUpstreamError({ message: `GDAC connection failed (${errorCode(error)})`, context, cause: error });
  }
  return new UpstreamError({ message: 'GDAC read failed', context, cause: error });
}
