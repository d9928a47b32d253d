/**
 * Turns of the event loop for work that never waits: a clock per query (`createYieldClock`) and
 * `withEventLoopYield`, an async iterable that gives the event loop a turn (`setImmediate`) once
 * the clock's budget of work ran without one.
 *
 * Why it is needed: when every profile of a query is a cache hit, each step of the pipeline (the
 * look-ahead, the caches, the serializer, a socket write the kernel accepts at once) settles in
 * a promise job or a `nextTick`, and those run before the event loop's next phase. Without a
 * yield a warm 10,000-profile × 1,000-level query held the process for seconds: no other request,
 * no `/healthz`, no timer. A microtask (`await Promise.resolve()`) would not help; a macrotask
 * (`setImmediate`) lets timers and I/O of every other request run.
 *
 * Why by time and not every N profiles: a profile costs from a few µs (a cached 20-level line) to
 * milliseconds (thousands of levels computed and encoded), so no N suits both. The clock counts
 * wall time since the loop's last turn, so what runs between two checks counts whoever does it:
 * the consumer's work between two pulls (serializing, writing) and the look-ahead's computations.
 * A query checks it at both ends of its pipeline: before each profile's computation (the
 * look-ahead starts up to ARGO_QUERY_CONCURRENCY of them at once, and with cache hits they would
 * all run in one turn) and after each profile its consumer took.
 */
/**
 * Work a query may do in one turn of the event loop: 5 ms, chosen by measurement (2 vCPU shared
 * with other work; five warm 10,000-profile × 1,000-level queries at once, 218 MB of NDJSON each,
 * `/healthz` polled from another process every 20 ms). A turn of an idle loop costs ~7 µs, so a
 * yield every 5 ms costs ~0.15 % of a query's time, and the five queries' total time did not move
 * with the budget (2.3–3.0 s at 2, 5, 10 and 50 ms). `/healthz` did: median / worst answer 6 / 117
 * ms at 2 ms, 9 / 106 ms at 5 ms, 34 / 216 ms at 10 ms, 180 / 352 ms at 50 ms (without yielding: a
 * single answer after the queries had ended, 5.6 s). Below 5 ms little is gained (the worst
 * answers are GC pauses and the machine's other processes). A warm 1-day dashboard window
 * (~450 profiles on 17 levels, ~3 ms of CPU) usually fits in one turn: it seldom yields at all.
 */
export const YIELD_BUDGET_MS = 5;

/**
 * A clock of work since the event loop's last turn, shared by the steps of one query. Use it as
 *
 *     while (clock.due()) await clock.turn();
 *     work(); // synchronously after the check
 *
 * The check must come right before the work, with no `await` between: calls that are ready
 * together (a look-ahead of cache hits) run one after the other in one burst of promise jobs, and
 * a check that passed before an `await` would let all of them run before any had spent the budget.
 * Waiters share one turn, and each checks again after it, so a burst still runs one budget's
 * worth (or one piece of work longer than that) per turn.
 */
export interface YieldClock {
  /** True when the budget ran out since the event loop's last turn. */
  due(): boolean;
  /** Resolves after the event loop's next turn (one `setImmediate`, shared by every waiter). */
  turn(): Promise<void>;
}

/**
 * When the event loop last reached its check phase (where `setImmediate` callbacks run), as far as
 * the clocks know: a marker is armed by a clock past its budget and set when that turn ends. A
 * query's work counts from its own last yield or from the loop's last turn, whichever is later:
 * the budget bounds one turn of the loop, however many requests share it, and a query whose
 * steps were spread over turns by other requests' I/O does not keep yielding for time it did not
 * hold (under load some clock is always past its budget, so the marker stays fresh; when the
 * marker is stale, a query yields once more than it had to, which is cheap).
 */
let loopTurnAt = performance.now();
let markerArmed = false;
function armTurnMarker(): void {
  if (markerArmed) return;
  markerArmed = true;
  setImmediate(() => {
    markerArmed = false;
    loopTurnAt = performance.now();
  });
}

export function createYieldClock({ budgetMs = YIELD_BUDGET_MS }: { budgetMs?: number } = {}): YieldClock {
  let since = performance.now();
  let next: Promise<void> | undefined;
  return {
    due() {
      const now = performance.now();
      // Under the budget by the query's own clock: not due, whatever the loop did (the common
      // case, which costs one clock read and arms nothing).
      if (now - since < budgetMs) return false;
      armTurnMarker();
      return now - Math.max(since, loopTurnAt) >= budgetMs;
    },
    turn: () =>
      (next ??= new Promise((resolve) =>
        setImmediate(() => {
          next = undefined;
          since = performance.now();
          resolve();
        }),
      )),
  };
}

/**
 * `items`, with a turn of the event loop whenever the clock's budget of work ran without one
 * (`clock`: shared with the steps that make the items; default: a clock of its own). The clock
 * is checked before each pull, that is after the consumer's turn with the previous item (what it
 * did with it counts too). Not an async generator: under the budget a pull is the source's own
 * `next()`, with no promise of its own, so the warm path pays one clock read per item.
 */
export function withEventLoopYield<T>(items: AsyncIterable<T>, { clock }: { clock?: YieldClock } = {}): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const turns = clock ?? createYieldClock();
      const source = items[Symbol.asyncIterator]();
      const pull = (): Promise<IteratorResult<T>> => (turns.due() ? turns.turn().then(pull) : source.next());
      return {
        next: pull,
        return: (value?: unknown) => source.return?.(value) ?? Promise.resolve({ done: true, value: undefined }),
        throw: (error?: unknown) => source.throw?.(error) ?? Promise.reject(error),
      };
    },
  };
}
