/**
 * The one back-off: exponential with full jitter, `random(0, min(max, base · 2^retry))`. Full
 * jitter spreads retrying clients over the whole window, so a crowd that failed together does not
 * come back together (the GDAC after an outage, a dozen builders racing for the master index).
 */

export interface BackoffOptions {
  /** The first delay's ceiling (retry 0), doubled at each retry. */
  baseMs: number;
  /** Ceiling of any one delay (default: unbounded). */
  maxMs?: number;
  /** A jitter source in [0, 1) (tests pass a fixed one). */
  random?: () => number;
}

/** The delay before retry number `retry` (0-based), in whole milliseconds. */
export function backoffDelay(retry: number, options: BackoffOptions): number {
  const ceiling = Math.min(options.maxMs ?? Infinity, options.baseMs * 2 ** retry);
  return Math.floor((options.random ?? Math.random)() * ceiling);
}
