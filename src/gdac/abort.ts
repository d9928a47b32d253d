/**
 * AbortSignal plumbing: a per-attempt deadline linked to the caller's signal, and sleeps that
 * end the moment the caller gives up.
 */
import { AbortedError, type ErrorContext } from '../errors.js';

/** The abort reason of a deadline, so a timeout is never mistaken for the caller hanging up. */
export class DeadlineExceeded extends Error {
  constructor(readonly timeoutMs: number) {
    super(`deadline of ${timeoutMs} ms exceeded`);
    this.name = 'DeadlineExceeded';
  }
}

export interface Deadline {
  /** Fires when the caller aborts or the deadline passes. */
  readonly signal: AbortSignal;
  /** True once the deadline (not the caller) fired. */
  readonly timedOut: boolean;
  /** Stop the clock, keep following the caller (a stream past its headers). */
  stopTimer(): void;
  /** Stop the clock and stop following the caller: call when the attempt is over. */
  dispose(): void;
}

export function createDeadline(parent: AbortSignal | undefined, timeoutMs: number | undefined): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  const onParentAbort = (): void => controller.abort(parent?.reason);
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  let timer: NodeJS.Timeout | undefined =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          controller.abort(new DeadlineExceeded(timeoutMs));
        }, timeoutMs);
  const stopTimer = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    stopTimer,
    dispose() {
      stopTimer();
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}

export function abortedError(signal: AbortSignal | undefined, context: ErrorContext = {}): AbortedError {
  return new AbortedError({ message: 'GDAC read aborted', context, cause: signal?.reason });
}

/** Waits `ms`, or rejects with `AbortedError` as soon as the signal fires. */
export function sleep(ms: number, signal?: AbortSignal, context: ErrorContext = {}): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortedError(signal, context));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortedError(signal, context));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
