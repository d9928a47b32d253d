/**
 * Counts the attempts one fetcher makes, by how each ended, for the service's metrics
 * (`argo_gdac_requests_total{outcome}`). It sits right around the single-attempt fetcher, below
 * the retries, so a request retried three times counts as three attempts: what the GDAC saw.
 * Opening a stream counts once, when its headers arrive (or fail); a failure mid-stream does not.
 */
import { AbortedError, UpstreamNotFoundError, UpstreamTimeoutError } from '../errors.js';
import type { Fetcher } from './fetcher.js';
import { isTransient } from './transient.js';

import { GDAC_OUTCOMES, type GdacOutcome, type GdacOutcomeCounts } from './types.js';

export { GDAC_OUTCOMES, type GdacOutcome, type GdacOutcomeCounts };

export function createOutcomeCounts(): GdacOutcomeCounts {
  return { ok: 0, not_found: 0, timeout: 0, transient: 0, error: 0, aborted: 0 };
}

export function outcomeOf(error: unknown): GdacOutcome {
  if (error instanceof AbortedError) return 'aborted';
  if (error instanceof UpstreamNotFoundError) return 'not_found';
  if (error instanceof UpstreamTimeoutError) return 'timeout';
  if (isTransient(error)) return 'transient';
  return 'error';
}

export function withOutcomeCount(inner: Fetcher, counts: GdacOutcomeCounts): Fetcher {
  async function counted<T>(run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      counts.ok++;
      return result;
    } catch (error) {
      counts[outcomeOf(error)]++;
      throw error;
    }
  }
  return {
    name: inner.name,
    fetch: (request) => counted(() => inner.fetch(request)),
    open: (request) => counted(() => inner.open(request)),
  };
}
