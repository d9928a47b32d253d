/**
 * AbortSignal plumbing every module may use (nothing here imports more than `errors.ts`).
 *
 * `onAbort(signal, listener)` registers a callback with ONE real `abort` listener per signal,
 * however many callbacks wait on it. A build hands its job's signal to hundreds of queued file
 * reads, limiter waiters, retry sleeps and per-attempt deadlines at once; one `addEventListener`
 * each made Node print `MaxListenersExceededWarning` (its EventTarget limit is 10) and kept a
 * closure per waiter on the signal. The shared listener is removed when its last callback is.
 */
import { AbortedError, type ErrorContext } from '../errors.js';

interface Fanout {
  callbacks: Set<() => void>;
  dispatch: () => void;
}

const fanouts = new WeakMap<AbortSignal, Fanout>();

/**
 * Calls `listener` once when `signal` fires (on a microtask when it already has). Returns the
 * function that unregisters it (idempotent; call it when the wait is over).
 */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  if (signal.aborted) {
    let cancelled = false;
    queueMicrotask(() => {
      if (!cancelled) listener();
    });
    return () => {
      cancelled = true;
    };
  }
  let fanout = fanouts.get(signal);
  if (!fanout) {
    const callbacks = new Set<() => void>();
    const dispatch = (): void => {
      fanouts.delete(signal);
      for (const callback of [...callbacks]) {
        // One unregistered by an earlier callback does not run, as with EventTarget listeners.
        if (!callbacks.delete(callback)) continue;
        try {
          callback();
        } catch (error) {
          // As an EventTarget listener's throw would: reported, and the others still run.
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    };
    fanout = { callbacks, dispatch };
    fanouts.set(signal, fanout);
    signal.addEventListener('abort', dispatch, { once: true });
  }
  const entry = (): void => listener();
  const current = fanout;
  current.callbacks.add(entry);
  return () => {
    if (!current.callbacks.delete(entry) || current.callbacks.size > 0) return;
    signal.removeEventListener('abort', current.dispatch);
    if (fanouts.get(signal) === current) fanouts.delete(signal);
  };
}

/** The AbortedError for a fired signal (its reason as the cause). */
export function abortedBy(signal: AbortSignal | undefined, message = 'operation aborted', context: ErrorContext = {}): AbortedError {
  return new AbortedError({ message, context, cause: signal?.reason });
}

/**
 * Settles like `promise`, or rejects with `abortedBy(signal, …)` as soon as the signal fires. The
 * work behind the promise goes on (callers sharing it decide when it stops).
 */
export function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  options: { message?: string; context?: ErrorContext } = {},
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortedBy(signal, options.message, options.context));
  return new Promise<T>((resolve, reject) => {
    const stop = onAbort(signal, () => reject(abortedBy(signal, options.message, options.context)));
    promise.then(
      (value) => {
        stop();
        resolve(value);
      },
      (error: unknown) => {
        stop();
        reject(error);
      },
    );
  });
}
