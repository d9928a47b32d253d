/**
 * `withQueryDeadline`: a time limit on each query, counted from `run` to the last profile
 * (ARGO_QUERY_TIMEOUT_SECONDS). When it passes, the query's signal fires, which cancels what is
 * outstanding (month loads, GDAC reads, waits for a request slot), and the query fails with
 * `QueryTimeoutError` (504) whatever the cancelled step threw: from `run` (the route then answers
 * a 504 problem) or from the profiles' iterator (the serializer ends the body with the 504 error
 * line). A client that went away is still a quiet abort, never a timeout.
 *
 * The clock only runs while the query works: during `run` (the plan), and from the first pull of
 * the profiles to the end of their iteration, with what the plan left of the limit. An answer that
 * is never iterated (the response cache had it) holds no timer.
 */
import { QueryTimeoutError } from '../errors.js';
import type { EncodedProfile, QueryResult, QueryService } from './types.js';

export interface QueryDeadlineOptions {
  /** Longest a query may run, in ms. */
  timeoutMs: number;
}

function timeLimitText(timeoutMs: number): string {
  const seconds = timeoutMs / 1000;
  return Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(1);
}

/** The abort reason when the limit passed (the error thrown wraps what the cancelled step threw). */
class TimeLimitPassed extends Error {
  override readonly name = 'TimeLimitPassed';
}

/** `service` with a time limit on each `run`, its profiles included. Other members are kept as they are. */
export function withQueryDeadline<S extends QueryService>(service: S, { timeoutMs }: QueryDeadlineOptions): S {
  const message = `the query exceeded its time limit of ${timeLimitText(timeoutMs)} s; narrow the window or lower max_profiles`;
  const exceeded = (cause: unknown): QueryTimeoutError => new QueryTimeoutError({ message, context: { timeoutMs }, cause });

  return {
    ...service,
    async run(query, { signal }) {
      const endsAt = performance.now() + timeoutMs;
      // The query's own signal: the caller's, and the limit's.
      const controller = new AbortController();
      if (signal.aborted) controller.abort(signal.reason);
      else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
      let timer: NodeJS.Timeout | undefined;
      const startClock = (): void => {
        if (timer !== undefined || controller.signal.aborted) return;
        timer = setTimeout(() => controller.abort(new TimeLimitPassed(message)), Math.max(0, endsAt - performance.now()));
      };
      const stopClock = (): void => {
        clearTimeout(timer);
        timer = undefined;
      };
      const timedOut = (): boolean => controller.signal.reason instanceof TimeLimitPassed;

      let result: QueryResult;
      startClock();
      try {
        result = await service.run(query, { signal: controller.signal });
      } catch (error) {
        throw timedOut() ? exceeded(error) : error;
      } finally {
        stopClock();
      }
      const source = result.profiles;
      return {
        ...result,
        profiles: {
          [Symbol.asyncIterator](): AsyncIterator<EncodedProfile> {
            const iterator = source[Symbol.asyncIterator]();
            // Not an async generator: one `then` per profile is all the warm path pays.
            const settle = (step: IteratorResult<EncodedProfile>): IteratorResult<EncodedProfile> => {
              if (step.done) stopClock();
              return step;
            };
            // A cancelled step may throw anything (an abort, a read that failed as it was cut):
            // once the limit has passed, the limit is the reason.
            const fail = (error: unknown): never => {
              stopClock();
              throw timedOut() ? exceeded(error) : error;
            };
            return {
              next: () => {
                startClock();
                return iterator.next().then(settle, fail);
              },
              return: async (value?: unknown) => {
                stopClock();
                return (await iterator.return?.(value)) ?? { done: true, value: undefined };
              },
            };
          },
        },
      };
    },
  };
}
