/**
 * The one pool, in its two shapes:
 *
 * - `createLimiter(max)`: a counting semaphore shared by independent callers (every GDAC request
 *   of the process, whoever makes it). FIFO waiters; a waiter whose signal fires leaves the queue
 *   at once with `AbortedError`. All waiters of one signal share one abort listener (abort.ts).
 * - `runPool(items, { concurrency, signal }, task)`: one caller's list of tasks, at most
 *   `concurrency` at once, by that many workers pulling the next item: never a promise per item
 *   up front (a build's 13,000 files would each hold a pending promise and its closure). It stops
 *   starting tasks at the first failure or abort, waits for the running ones, and rethrows.
 */
import { abortedBy, onAbort } from './abort.js';

export interface Limiter {
  readonly max: number;
  readonly active: number;
  readonly waiting: number;
  /** Resolves with a release function (idempotent) once a slot is free. */
  acquire(signal?: AbortSignal): Promise<() => void>;
}

interface Waiter {
  grant(): void;
}

export function createLimiter(max: number): Limiter {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`limiter size must be a positive integer, got ${max}`);
  let active = 0;
  const queue: Waiter[] = [];

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
      if (signal?.aborted) return Promise.reject(abortedBy(signal, 'aborted while waiting for a slot'));
      if (active < max) {
        active++;
        return Promise.resolve(makeRelease());
      }
      return new Promise((resolve, reject) => {
        let stop: (() => void) | undefined;
        const waiter: Waiter = {
          grant() {
            stop?.();
            active++;
            resolve(makeRelease());
          },
        };
        queue.push(waiter);
        if (signal) {
          stop = onAbort(signal, () => {
            const at = queue.indexOf(waiter);
            if (at >= 0) queue.splice(at, 1);
            reject(abortedBy(signal, 'aborted while waiting for a slot'));
          });
        }
      });
    },
  };
}

export interface RunPoolOptions {
  /** Tasks running at once (at least 1). */
  concurrency: number;
  /** Stops starting tasks when it fires; the pool then rejects with AbortedError. */
  signal?: AbortSignal;
}

/** Runs `task` over `items`, at most `concurrency` at once; rejects with the first failure. */
export async function runPool<T>(items: Iterable<T>, options: RunPoolOptions, task: (item: T) => Promise<void>): Promise<void> {
  const { signal } = options;
  const iterator = items[Symbol.iterator]();
  let failed = false;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    for (;;) {
      if (failed) return;
      if (signal?.aborted) {
        if (!failed) {
          failed = true;
          failure = abortedBy(signal, 'aborted before all tasks ran');
        }
        return;
      }
      const next = iterator.next();
      if (next.done) return;
      try {
        await task(next.value);
      } catch (error) {
        if (!failed) {
          failed = true;
          failure = error;
        }
      }
    }
  };
  const workers = Math.max(1, Math.floor(options.concurrency));
  await Promise.all(Array.from({ length: workers }, worker));
  if (failed) throw failure;
}
