/**
 * The one single-flight: concurrent callers asking for the same key share one piece of work (one
 * store read of a month object, one GDAC read of a profile) instead of each doing it.
 *
 * Cancellation stays per caller: a caller whose signal fires stops waiting at once (AbortedError);
 * the shared work's own signal fires only when every caller waiting for it has gone. A flight
 * ends when its work settles; a failure is shared by the callers waiting then and never kept.
 */
import type { ErrorContext } from '../errors.js';
import { abortedBy, onAbort } from './abort.js';

export interface SingleFlightRunOptions {
  /** This caller's signal: ends its own wait only. */
  signal?: AbortSignal;
  /** The AbortedError's context when this caller gives up. */
  context?: ErrorContext;
}

export interface SingleFlight<K, V> {
  /** Joins the flight of `key`, or starts it with `work(signal)`. */
  run(key: K, work: (signal: AbortSignal) => Promise<V>, options?: SingleFlightRunOptions): Promise<V>;
  /** New callers of `key` start a new flight (the current one still answers its callers). */
  forget(key: K): void;
  /** Flights in progress. */
  readonly size: number;
}

interface Flight<V> {
  promise: Promise<V>;
  controller: AbortController;
  waiting: number;
}

export function createSingleFlight<K, V>(): SingleFlight<K, V> {
  const flights = new Map<K, Flight<V>>();
  return {
    get size() {
      return flights.size;
    },

    forget(key) {
      flights.delete(key);
    },

    run(key, work, options = {}) {
      const { signal } = options;
      if (signal?.aborted) return Promise.reject(abortedBy(signal, 'aborted', options.context));
      let flight = flights.get(key);
      if (!flight) {
        const controller = new AbortController();
        let running: Promise<V>;
        try {
          running = work(controller.signal);
        } catch (error) {
          running = Promise.reject(error);
        }
        const started: Flight<V> = { promise: running, controller, waiting: 0 };
        started.promise = running.finally(() => {
          if (flights.get(key) === started) flights.delete(key);
        });
        flights.set(key, started);
        flight = started;
      }
      const joined = flight;
      joined.waiting++;
      return new Promise<V>((resolve, reject) => {
        let left = false;
        let stop: (() => void) | undefined;
        const leave = (): void => {
          left = true;
          stop?.();
          joined.waiting--;
        };
        if (signal) {
          stop = onAbort(signal, () => {
            if (left) return;
            leave();
            // The last one out cancels the shared work; the others still want it.
            if (joined.waiting === 0) {
              joined.controller.abort(signal.reason);
              if (flights.get(key) === joined) flights.delete(key);
            }
            reject(abortedBy(signal, 'aborted', options.context));
          });
        }
        joined.promise.then(
          (value) => {
            if (left) return;
            leave();
            resolve(value);
          },
          (error: unknown) => {
            if (left) return;
            leave();
            reject(error);
          },
        );
      });
    },
  };
}
