/**
 * AbortSignal plumbing of GDAC reads: a per-attempt deadline linked to the caller's signal, and
 * the AbortedError a GDAC read ends with. (`sleep` and `onAbort` live in src/util.)
 */
import { AbortedError, type ErrorContext } from '../errors.js';
import { onAbort } from '../util/abort.js';

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
  let unfollow: (() => void) | undefined;
  if (parent?.aborted) controller.abort(parent.reason);
  // Through the shared listener: a build has many attempts in flight on its one job signal.
  else if (parent) unfollow = onAbort(parent, () => controller.abort(parent.reason));
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
      unfollow?.();
    },
  };
}

export function abortedError(signal: AbortSignal | undefined, context: ErrorContext = {}): AbortedError {
  return new AbortedError({ message: 'GDAC read aborted', context, cause: signal?.reason });
}
