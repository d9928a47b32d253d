/** The one `sleep`: a timer that ends the moment the caller's signal fires. */
import type { ErrorContext } from '../errors.js';
import { abortedBy, onAbort } from './abort.js';

export interface SleepOptions {
  signal?: AbortSignal;
  /** The AbortedError's message and context when the signal fires (what was waiting). */
  message?: string;
  context?: ErrorContext;
}

/** Waits `ms`, or rejects with `AbortedError` as soon as the signal fires. */
export function sleep(ms: number, options: SleepOptions = {}): Promise<void> {
  const { signal } = options;
  const aborted = (): Error => abortedBy(signal, options.message ?? 'aborted while waiting', options.context);
  if (signal?.aborted) return Promise.reject(aborted());
  return new Promise((resolve, reject) => {
    let stop: (() => void) | undefined;
    const timer = setTimeout(() => {
      stop?.();
      resolve();
    }, ms);
    if (signal) {
      stop = onAbort(signal, () => {
        clearTimeout(timer);
        reject(aborted());
      });
    }
  });
}
