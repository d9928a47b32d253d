/**
 * A counting semaphore: at most `max` holders at once, FIFO waiters, and a waiter whose signal
 * fires leaves the queue at once with `AbortedError`.
 *
 * Waiters that share a signal (every download of one build job waits with the job's signal) share
 * one abort listener on it: a listener per waiter would put hundreds on one signal, and Node warns
 * (MaxListenersExceededWarning) past ten.
 */
import { abortedError } from './abort.js';

export interface Limiter {
  readonly max: number;
  readonly active: number;
  readonly waiting: number;
  /** Resolves with a release function (idempotent) once a slot is free. */
  acquire(signal?: AbortSignal): Promise<() => void>;
}

interface Waiter {
  signal: AbortSignal | undefined;
  grant(): void;
  reject(error: unknown): void;
}

export function createLimiter(max: number): Limiter {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`limiter size must be a positive integer, got ${max}`);
  let active = 0;
  const queue: Waiter[] = [];
  /** The waiters of each signal, and the one listener that drops them all when it fires. */
  const bySignal = new Map<AbortSignal, { waiters: Set<Waiter>; onAbort: () => void }>();

  const watch = (waiter: Waiter): void => {
    const signal = waiter.signal;
    if (!signal) return;
    let entry = bySignal.get(signal);
    if (!entry) {
      const waiters = new Set<Waiter>();
      const onAbort = (): void => {
        bySignal.delete(signal);
        for (const w of waiters) {
          const at = queue.indexOf(w);
          if (at >= 0) queue.splice(at, 1);
          w.reject(abortedError(signal));
        }
      };
      entry = { waiters, onAbort };
      bySignal.set(signal, entry);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    entry.waiters.add(waiter);
  };

  const unwatch = (waiter: Waiter): void => {
    const signal = waiter.signal;
    const entry = signal && bySignal.get(signal);
    if (!signal || !entry) return;
    entry.waiters.delete(waiter);
    if (entry.waiters.size === 0) {
      bySignal.delete(signal);
      signal.removeEventListener('abort', entry.onAbort);
    }
  };

  const makeRelease = (): (() => void) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      active--;
      const next = queue.shift();
      if (next) next.grant();
    };
  };

  return {
    max,
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(abortedError(signal));
      if (active < max) {
        active++;
        return Promise.resolve(makeRelease());
      }
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          signal,
          grant() {
            unwatch(waiter);
            active++;
            resolve(makeRelease());
          },
          reject,
        };
        queue.push(waiter);
        watch(waiter);
      });
    },
  };
}
