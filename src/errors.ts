/**
 * Tagged error classes and the single tag → HTTP status table.
 *
 * Every error the service raises on purpose is an `AppError` with a stable `tag`, a context object
 * (what was being done, to what) and an optional `cause`. The error handler maps the tag to a
 * status with `statusOf`; 5xx messages are replaced by a generic text for clients (the detail goes
 * to the logs), 4xx messages are shown as they are, so they must be written for the caller.
 */

export type ErrorContext = Record<string, unknown>;

export interface AppErrorOptions {
  message: string;
  context?: ErrorContext;
  cause?: unknown;
  problemMembers?: Record<string, unknown>;
}

export abstract class AppError extends Error {
  abstract readonly tag: ErrorTag;
  readonly context: ErrorContext;
  /**
   * Extra members of the problem+json body (RFC 9457 extension members), for a 4xx whose caller
   * can act on numbers (a request's cost and the ceiling). Shown to clients: never put secrets here.
   */
  readonly problemMembers: Readonly<Record<string, unknown>> | undefined;

  constructor({ message, context = {}, cause, problemMembers }: AppErrorOptions) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.context = context;
    this.problemMembers = problemMembers;
  }
}

/** One bad request parameter, as shown in the problem+json `errors` member. */
export interface ParameterIssue {
  parameter: string;
  message: string;
}

/** A request that does not satisfy its schema or the service's ceilings. */
export class ValidationError extends AppError {
  readonly tag = 'validation' as const;
  readonly issues: ParameterIssue[];
  constructor(options: AppErrorOptions & { issues: ParameterIssue[] }) {
    super(options);
    this.issues = options.issues;
  }
}

export class NotFoundError extends AppError {
  readonly tag = 'not_found' as const;
}

/** Missing or wrong credentials. */
export class UnauthorizedError extends AppError {
  readonly tag = 'unauthorized' as const;
}

/** The route exists but is switched off (admin routes with no token configured). */
export class ForbiddenError extends AppError {
  readonly tag = 'forbidden' as const;
}

/** A conditional write lost a race: the object changed (or appeared) since it was read. */
export class PreconditionFailedError extends AppError {
  readonly tag = 'precondition_failed' as const;
}

/** The GDAC answered, but not with what we asked for (5xx after retries, 403, a short body). */
export class UpstreamError extends AppError {
  readonly tag = 'upstream' as const;
}

/** A GDAC object that does not exist (404): permanent, never retried. */
export class UpstreamNotFoundError extends AppError {
  readonly tag = 'upstream_not_found' as const;
}

/** The GDAC did not answer in time, after retries. */
export class UpstreamTimeoutError extends AppError {
  readonly tag = 'upstream_timeout' as const;
}

/**
 * A query ran past its time limit (ARGO_QUERY_TIMEOUT_SECONDS): its reads were cancelled. The
 * message is written for the client (what to change), so it is shown even though the status is 504.
 */
export class QueryTimeoutError extends AppError {
  readonly tag = 'query_timeout' as const;
}

/** The index store failed (not: an object is missing, which `get` reports as undefined). */
export class StoreError extends AppError {
  readonly tag = 'store' as const;
}

/** The index store did not answer within its deadline: a StoreError (503) that is not worth an immediate retry. */
export class StoreTimeoutError extends StoreError {}

/** Bytes that are not a readable NetCDF classic file (HDF5, truncated, garbage). */
export class NetcdfFormatError extends AppError {
  readonly tag = 'netcdf_format' as const;
}

/** A NetCDF file that is readable but not a usable Argo core profile file. */
export class ArgoFormatError extends AppError {
  readonly tag = 'argo_format' as const;
}

/** A month index or master index object that cannot be decoded. */
export class CorruptIndexError extends AppError {
  readonly tag = 'corrupt_index' as const;
}

/** The GDAC profile index could not be read or parsed. */
export class GdacIndexError extends AppError {
  readonly tag = 'gdac_index' as const;
}

/** A client went over its request rate (ARGO_RATE_LIMIT, or its API key's limit). */
export class RateLimitedError extends AppError {
  readonly tag = 'rate_limited' as const;
}

/**
 * One request would cost more than the service answers at once (ARGO_MAX_REQUEST_COST): the
 * caller must split it. Not retried as it is: no Retry-After.
 */
export class RequestTooCostlyError extends AppError {
  readonly tag = 'too_costly' as const;
}

/** The service is shedding load. */
export class OverloadedError extends AppError {
  readonly tag = 'overloaded' as const;
}

/**
 * The build queue is full (ARGO_MAX_QUEUED_BUILDS jobs waiting): a new build is refused until one
 * of them starts. Its message is written for the client.
 */
export class BuildQueueFullError extends AppError {
  readonly tag = 'build_queue_full' as const;
}

/**
 * ARGO_QUERY_SOURCE=pack and a month of the query has no data pack: the query would have to read
 * the GDAC, which that setting forbids. Its message names the month and is written for the client.
 */
export class PackMissingError extends AppError {
  readonly tag = 'pack_missing' as const;
}

/**
 * A month's data pack could not be made: its worker thread crashed or the Parquet write threw.
 * The month's build step fails with it (the month's current version stays); never a client's fault.
 */
export class PackWriteError extends AppError {
  readonly tag = 'pack_write' as const;
}

/** The caller went away (AbortSignal fired); never reported to a client. */
export class AbortedError extends AppError {
  readonly tag = 'aborted' as const;
}

export type ErrorTag =
  | 'validation'
  | 'not_found'
  | 'unauthorized'
  | 'forbidden'
  | 'precondition_failed'
  | 'upstream'
  | 'upstream_not_found'
  | 'upstream_timeout'
  | 'query_timeout'
  | 'store'
  | 'netcdf_format'
  | 'argo_format'
  | 'corrupt_index'
  | 'gdac_index'
  | 'rate_limited'
  | 'too_costly'
  | 'overloaded'
  | 'build_queue_full'
  | 'pack_missing'
  | 'pack_write'
  | 'aborted';

/** The one table from tag to HTTP status. */
export const STATUS_BY_TAG: Readonly<Record<ErrorTag, number>> = Object.freeze({
  validation: 400,
  not_found: 404,
  unauthorized: 401,
  forbidden: 403,
  precondition_failed: 409,
  upstream: 502,
  // A file listed by the GDAC index but gone from the mirror is an upstream fault for a query.
  upstream_not_found: 502,
  upstream_timeout: 504,
  // The service itself gave up, as a gateway does on a slow upstream: what is slow is upstream
  // reads or the result's size, and the client can narrow the query.
  query_timeout: 504,
  store: 503,
  netcdf_format: 502,
  argo_format: 502,
  corrupt_index: 502,
  gdac_index: 502,
  rate_limited: 429,
  // The request itself must change (be split): retrying it as it is never helps, unlike a 429.
  too_costly: 413,
  overloaded: 503,
  // The server's build capacity, not a fault of the request: retry later, as for overload.
  build_queue_full: 503,
  // A month not yet packed (ARGO_QUERY_SOURCE=pack): the operator adds it (build-index --packs-only).
  pack_missing: 503,
  // A build's own fault, seen in a build job's error rather than by a query.
  pack_write: 500,
  // 499 is nginx's "client closed request": it only ever reaches logs and metrics.
  aborted: 499,
});

/** Short titles for problem+json, per status. */
export const TITLE_BY_STATUS: Readonly<Record<number, string>> = Object.freeze({
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  // RFC 9110's name: it covers a request whose answer is too large, not only a large body.
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
});

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

export function statusOf(error: unknown): number {
  if (isAppError(error)) return STATUS_BY_TAG[error.tag];
  // Fastify's own errors (body too large, bad JSON, unsupported media type) carry a 4xx statusCode.
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 600) return statusCode;
  return 500;
}

/** The message a client may see: the error's own for 4xx, a generic one for 5xx. */
export function publicMessage(error: unknown, status = statusOf(error)): string {
  if (status < 500) return error instanceof Error ? error.message : String(error);
  // Say which side failed (never how): an operator reading a client's report knows where to look.
  if (isAppError(error)) {
    if (error.tag === 'corrupt_index') return 'The index of the requested months cannot be read; it must be rebuilt.';
    if (error.tag === 'store') return 'The index store is unavailable; try again later.';
    if (error.tag === 'gdac_index') return 'The GDAC profile index could not be read; try again later.';
    if (error.tag === 'build_queue_full') return error.message;
    if (error.tag === 'pack_missing') return error.message;
    // Says nothing about the internals, and tells the client what to change.
    if (error.tag === 'query_timeout') return error.message;
  }
  switch (status) {
    case 502:
      return 'The Argo data source failed to deliver the data; try again later.';
    case 503:
      return 'The service is temporarily unavailable; try again later.';
    case 504:
      return 'The Argo data source did not answer in time; try again later.';
    default:
      return 'Internal server error.';
  }
}

/**
 * True when the error (or its cause chain) is an abort of the caller's signal. The chain is
 * followed through foreign errors only: an `AppError` other than `AbortedError` was translated on
 * purpose and its tag says what it is. A deadline that aborted an SDK request is an
 * `UpstreamTimeoutError` or a `StoreTimeoutError` whose cause is the SDK's AbortError: still a
 * timeout (504/503, an error line), never mistaken for a client that left (which ends a body
 * quietly).
 */
export function isAbortError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 8; depth++) {
    if (e instanceof AbortedError) return true;
    if (e instanceof AppError) return false;
    const name = (e as { name?: unknown }).name;
    if (name === 'AbortError') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Throws an AbortedError when the signal has fired: call before starting costly work. */
export function throwIfAborted(signal: AbortSignal | undefined, context: ErrorContext = {}): void {
  if (signal?.aborted) {
    throw new AbortedError({ message: 'operation aborted', context, cause: signal.reason });
  }
}
