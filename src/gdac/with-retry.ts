/**
 * Retries transient failures of one fetcher with exponential back-off and full jitter
 * (delay = random(0, base * 2^n), capped), honouring a server's Retry-After when it asks for
 * longer. Permanent failures (404, 403, a refused path) are thrown at once; an abort stops the
 * loop immediately, including a back-off sleep.
 *
 * When the attempts run out, it throws a transient error of the same kind ("failed after N
 * attempts", cause = the last failure), so `withFailover` above knows to try the next mirror.
 */
import { AbortedError, UpstreamTimeoutError } from '../errors.js';
import { backoffDelay } from '../util/backoff.js';
import { sleep } from '../util/sleep.js';
import { abortedError } from './abort.js';
import type { Fetcher, GdacLogger, StatsCollector } from './fetcher.js';
import { TransientUpstreamError, isTransient, retryAfterMsOf } from './transient.js';

export interface RetryOptions {
  /** Retries after the first attempt (ARGO_MAX_FETCH_RETRIES). */
  maxRetries: number;
  /** The first back-off ceiling, doubled at each retry (ARGO_RETRY_BACKOFF_SECONDS). */
  backoffMs: number;
  /** Ceiling of one back-off delay. */
  maxBackoffMs?: number;
  /**
   * A Retry-After longer than this is not waited out on this mirror: the attempt counts as
   * exhausted and the failover moves on.
   */
  maxRetryAfterMs?: number;
  stats?: StatsCollector;
  logger?: GdacLogger;
  /** For tests: a deterministic jitter source in [0, 1). */
  random?: () => number;
}

// 30 s: past that a client waiting on a query has long given up; the next mirror is a better bet.
const DEFAULT_MAX_BACKOFF_MS = 30_000;
// A GDAC that asks for more than a minute is shedding load; waiting would hold the caller's
// request past any sensible deadline, so we move on to the next mirror instead.
const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

export function withRetry(inner: Fetcher, options: RetryOptions): Fetcher {
  const maxBackoffMs = options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  const random = options.random ?? Math.random;

  async function attempt<T>(
    what: 'fetch' | 'open',
    path: string,
    signal: AbortSignal | undefined,
    run: () => Promise<T>,
  ): Promise<T> {
    const context = { source: inner.name, path };
    for (let retry = 0; ; retry++) {
      if (signal?.aborted) throw abortedError(signal, context);
      try {
        return await run();
      } catch (error) {
        if (error instanceof AbortedError) throw error;
        if (signal?.aborted) throw abortedError(signal, context);
        if (!isTransient(error)) throw error;
        const attempts = retry + 1;
        const retryAfterMs = retryAfterMsOf(error);
        if (retry >= options.maxRetries || (retryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs)) {
          throw exhausted(error, { ...context, attempts, operation: what });
        }
        const delayMs = Math.max(backoffDelay(retry, { baseMs: options.backoffMs, maxMs: maxBackoffMs, random }), retryAfterMs ?? 0);
        if (options.stats) options.stats.retries++;
        options.logger?.debug?.(
          { ...context, attempt: attempts, delayMs, err: error },
          'transient GDAC failure, retrying',
        );
        await sleep(delayMs, { signal, message: 'GDAC read aborted', context });
      }
    }
  }

  return {
    name: inner.name,
    fetch: (request) => attempt('fetch', request.path, request.signal, () => inner.fetch(request)),
    open: (request) => attempt('open', request.path, request.signal, () => inner.open(request)),
  };
}

function exhausted(last: unknown, context: Record<string, unknown>): Error {
  const attempts = context.attempts as number;
  if (attempts === 1 && isTransient(last)) return last as Error;
  // The last failure's words too: a build records this message as the file's reason (why, not
  // only how often), and the logs show it without unwinding the cause chain.
  const why = last instanceof Error && last.message ? `: ${last.message}` : '';
  const message = `GDAC ${String(context.source)} failed after ${attempts} attempts${why}`;
  if (last instanceof UpstreamTimeoutError) {
    return new UpstreamTimeoutError({ message, context, cause: last });
  }
  return new TransientUpstreamError({ message, context, cause: last });
}
