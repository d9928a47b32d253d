/**
 * Bounded look-ahead with ordered output: `mapOrdered` runs `fn` over the items with at most
 * `window` calls in flight and yields the results in input order, so a slow item holds back the
 * output (never reorders it) and memory stays ~ `window` results, whatever the number of items.
 *
 * Cancellation: every call gets one shared signal, which fires when the caller's signal fires, when
 * the consumer stops early (`break`, `return()`, a destroyed stream) and when a call fails. So a
 * failure or a hang-up cancels what is still outstanding instead of letting it run to the end.
 */
import { setMaxListeners } from 'node:events';
import { AbortedError } from '../errors.js';

/** Abort listeners one call may hold at once: its requests (≤ 3 coalesced ranges) and their waits. */
const LISTENERS_PER_CALL = 8;

export interface MapOrderedOptions {
  /** Calls in flight at once (≥ 1). */
  window: number;
  signal?: AbortSignal;
}

export async function* mapOrdered<T, R>(
  items: Iterable<T>,
  fn: (item: T, signal: AbortSignal) => Promise<R>,
  { window, signal }: MapOrderedOptions,
): AsyncGenerator<R, void, undefined> {
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`window must be a positive integer, got ${window}`);
  const controller = new AbortController();
  // Every call in flight (and each of its requests, and each wait for a request slot) listens on
  // this one signal: up to a few per call. Node's default of 10 would warn on a healthy window.
  setMaxListeners(Math.max(10, window * LISTENERS_PER_CALL), controller.signal);
  const onAbort = (): void => controller.abort(signal?.reason);
  if (signal?.aborted) controller.abort(signal.reason);
  else signal?.addEventListener('abort', onAbort, { once: true });

  const iterator = items[Symbol.iterator]();
  const inFlight: Promise<R>[] = [];
  let exhausted = false;
  const fill = (): void => {
    while (!exhausted && inFlight.length < window && !controller.signal.aborted) {
      const next = iterator.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      const call = Promise.resolve().then(() => fn(next.value, controller.signal));
      // Results abandoned by an early stop must not surface as unhandled rejections.
      call.catch(() => {});
      inFlight.push(call);
    }
  };

  try {
    fill();
    while (inFlight.length > 0) {
      if (controller.signal.aborted) {
        throw new AbortedError({ message: 'operation aborted', cause: controller.signal.reason });
      }
      const value = await inFlight.shift()!;
      // Refill before yielding: the reads ahead continue while the consumer handles this one.
      fill();
      yield value;
    }
  } finally {
    controller.abort(new AbortedError({ message: 'look-ahead stopped' }));
    signal?.removeEventListener('abort', onAbort);
  }
}
