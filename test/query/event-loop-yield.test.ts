/**
 * The yield clock (src/query/event-loop-yield.ts): work that never waits on I/O still gives the
 * event loop a turn once its budget is spent, and calls waiting together do not all run in the
 * turn they shared.
 *
 * Turns are counted by a `setImmediate` chain (each tick schedules the next): what ran between two
 * ticks ran in one turn. No timing is asserted, only which turn each piece of work ran in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createYieldClock, withEventLoopYield } from '../../src/query/event-loop-yield.js';

/** Busy for `ms`: CPU work that never waits, like a cache hit computed and encoded. */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

/** Counts turns of the event loop until stopped. */
function turnCounter(): { readonly turns: number; stop(): void } {
  let turns = 0;
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  return {
    get turns() {
      return turns;
    },
    stop() {
      stopped = true;
    },
  };
}

/** Items that are ready at once (microtasks only), each costing `ms` of CPU. */
async function* busyItems(n: number, ms: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) {
    spin(ms);
    yield i;
  }
}

test('without a yield, ready-at-once items run in one turn of the event loop (what the clock is for)', async () => {
  const counter = turnCounter();
  const turnsSeen = new Set<number>();
  for await (const _ of busyItems(10, 2)) turnsSeen.add(counter.turns);
  counter.stop();
  assert.equal(turnsSeen.size, 1, 'every item in the same turn: nothing else could run meanwhile');
});

test('withEventLoopYield: the event loop turns once the budget is spent, and the items are unchanged', async () => {
  const counter = turnCounter();
  const turnOf: number[] = [];
  const items: number[] = [];
  for await (const i of withEventLoopYield(busyItems(10, 2), { clock: createYieldClock({ budgetMs: 1 }) })) {
    turnOf.push(counter.turns);
    items.push(i);
  }
  counter.stop();
  assert.deepEqual(items, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // Each item costs more than the budget: each comes in a turn of its own.
  for (let k = 1; k < turnOf.length; k++) assert.ok(turnOf[k] > turnOf[k - 1], `items ${k - 1} and ${k} in one turn: ${turnOf}`);
});

test('withEventLoopYield: under the budget, no turn is taken (cheap items pass straight through)', async () => {
  const counter = turnCounter();
  const turnsSeen = new Set<number>();
  for await (const _ of withEventLoopYield(busyItems(20, 0), { clock: createYieldClock({ budgetMs: 60_000 }) })) turnsSeen.add(counter.turns);
  counter.stop();
  assert.equal(turnsSeen.size, 1);
});

test('createYieldClock: calls waiting together share a turn, and each checks again: one budget of work per turn', async () => {
  const clock = createYieldClock({ budgetMs: 1 });
  const counter = turnCounter();
  // A look-ahead of 8 computations, all ready at once (cache hits), each longer than the budget.
  const ranIn: number[] = [];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      await Promise.resolve(); // ready together: a level-cache hit resolves at once
      while (clock.due()) await clock.turn();
      ranIn.push(counter.turns);
      spin(2);
    }),
  );
  counter.stop();
  assert.equal(new Set(ranIn).size, ranIn.length, `two computations ran in one turn: ${ranIn}`);
});
