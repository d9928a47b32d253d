/**
 * `withSingleFlight`: concurrent reads of the same profile's same variables share one upstream
 * read. Two dashboards opening the same cold window at once then cost the GDAC one range request
 * per file, not two; the level cache (outside this wrapper) keeps the result for later.
 *
 * Cancellation stays per caller: a caller whose signal fires stops waiting at once; the shared
 * read is aborted only when every caller waiting for it has gone.
 */
import { AbortedError } from '../errors.js';
import type { LevelVariable, ProfileLevels } from '../argo/types.js';
import type { LevelReader, ProfileRef, ReadLevelsOptions } from './reader.js';

interface Flight {
  promise: Promise<ProfileLevels>;
  controller: AbortController;
  waiting: number;
}

function flightKey(ref: Pick<ProfileRef, 'id' | 'dateUpdate'>, names: readonly LevelVariable[]): string {
  return `${ref.id}@${ref.dateUpdate}|${[...names].sort().join(',')}`;
}

export function withSingleFlight(inner: LevelReader): LevelReader {
  const flights = new Map<string, Flight>();
  return {
    ...(inner.prepare ? { prepare: inner.prepare.bind(inner) } : {}),
    read(ref, names, options: ReadLevelsOptions) {
      const { signal } = options;
      if (signal.aborted) return Promise.reject(new AbortedError({ message: 'read aborted', context: { id: ref.id }, cause: signal.reason }));
      const key = flightKey(ref, names);
      let flight = flights.get(key);
      if (!flight) {
        const controller = new AbortController();
        const promise = inner.read(ref, names, { ...options, signal: controller.signal }).finally(() => {
          if (flights.get(key) === flight) flights.delete(key);
        });
        flight = { promise, controller, waiting: 0 };
        flights.set(key, flight);
      }
      const joined = flight;
      joined.waiting++;
      return new Promise<ProfileLevels>((resolve, reject) => {
        let left = false;
        const leave = (): void => {
          if (left) return;
          left = true;
          signal.removeEventListener('abort', onAbort);
          joined.waiting--;
        };
        const onAbort = (): void => {
          if (left) return;
          leave();
          // The last one out cancels the upstream read; the others still want it.
          if (joined.waiting === 0) {
            joined.controller.abort(signal.reason);
            if (flights.get(key) === joined) flights.delete(key);
          }
          reject(new AbortedError({ message: 'read aborted', context: { id: ref.id }, cause: signal.reason }));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        joined.promise.then(
          (levels) => {
            leave();
            resolve(levels);
          },
          (error: unknown) => {
            leave();
            reject(error);
          },
        );
      });
    },
  };
}
