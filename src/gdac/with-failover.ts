/**
 * Tries mirrors in order, moving to the next one on a transient failure (its own retries
 * exhausted). Permanent answers (404, 403) are final: mirrors hold the same tree, and trying
 * every mirror for a file that does not exist would multiply the load for nothing.
 *
 * A mirror that just failed is put at the back of the order for `cooldownMs`, so that while a
 * mirror is down each request does not pay the full back-off ladder before reaching one that
 * works. It is still tried last, and a success ends its cool-down.
 */
import { AbortedError, UpstreamTimeoutError } from '../errors.js';
import { abortedError } from './abort.js';
import type { Fetcher, GdacLogger, StatsCollector } from './fetcher.js';
import { TransientUpstreamError, isTransient } from './transient.js';

export interface FailoverOptions {
  /** How long a failed mirror goes to the back of the order. */
  cooldownMs?: number;
  stats?: StatsCollector;
  logger?: GdacLogger;
  now?: () => number;
}

// One minute: long enough that a mirror being restarted is skipped by the burst of requests
// behind the one that noticed, short enough that a recovered primary is back in use quickly.
const DEFAULT_COOLDOWN_MS = 60_000;

export function withFailover(mirrors: readonly Fetcher[], options: FailoverOptions = {}): Fetcher {
  if (mirrors.length === 0) throw new RangeError('withFailover needs at least one mirror');
  if (mirrors.length === 1) return mirrors[0];
  const cooldownMs = options.cooldownMs ?? DEFAULT_COOLDOWN_MS;
  const now = options.now ?? Date.now;
  const downUntil = new Map<Fetcher, number>();

  const order = (): Fetcher[] => {
    const t = now();
    const up = mirrors.filter((m) => (downUntil.get(m) ?? 0) <= t);
    const down = mirrors.filter((m) => (downUntil.get(m) ?? 0) > t);
    return [...up, ...down];
  };

  async function attempt<T>(
    path: string,
    signal: AbortSignal | undefined,
    run: (mirror: Fetcher) => Promise<T>,
  ): Promise<T> {
    const tried: string[] = [];
    let last: unknown;
    const candidates = order();
    for (const [i, mirror] of candidates.entries()) {
      if (i > 0) {
        if (options.stats) options.stats.failovers++;
        options.logger?.warn(
          { from: candidates[i - 1].name, to: mirror.name, path, err: last },
          'GDAC mirror failed, failing over',
        );
      }
      tried.push(mirror.name);
      try {
        const result = await run(mirror);
        downUntil.delete(mirror);
        return result;
      } catch (error) {
        if (error instanceof AbortedError) throw error;
        if (signal?.aborted) throw abortedError(signal, { path });
        if (!isTransient(error)) throw error;
        downUntil.set(mirror, now() + cooldownMs);
        last = error;
      }
    }
    const context = { path, mirrors: tried };
    const message = `all ${tried.length} GDAC mirrors failed`;
    if (last instanceof UpstreamTimeoutError) {
      throw new UpstreamTimeoutError({ message: `${message}: no answer in time`, context, cause: last });
    }
    throw new TransientUpstreamError({ message, context, cause: last });
  }

  return {
    name: mirrors.map((m) => m.name).join(', '),
    fetch: (request) => attempt(request.path, request.signal, (m) => m.fetch(request)),
    open: (request) => attempt(request.path, request.signal, (m) => m.open(request)),
  };
}
