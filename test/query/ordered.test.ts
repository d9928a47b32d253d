import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { isAbortError } from '../../src/errors.js';
import { mapOrdered } from '../../src/query/ordered.js';

function abortable(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal });
}

test('results come out in input order even when later items finish first', async () => {
  const delays = [30, 5, 20, 1, 10, 0];
  const out: number[] = [];
  for await (const v of mapOrdered(delays.keys(), async (i, s) => (await abortable(delays[i], s), i), { window: 3 })) out.push(v);
  assert.deepEqual(out, [0, 1, 2, 3, 4, 5]);
});

test('never more than `window` calls in flight, and the window stays full', async () => {
  let inFlight = 0;
  let max = 0;
  const out: number[] = [];
  for await (const v of mapOrdered(Array.from({ length: 40 }, (_, i) => i), async (i, s) => {
    inFlight++;
    max = Math.max(max, inFlight);
    await abortable(2, s);
    inFlight--;
    return i;
  }, { window: 4 })) out.push(v);
  assert.equal(out.length, 40);
  assert.equal(max, 4);
});

test('look-ahead is bounded: a slow consumer does not make it read everything', async () => {
  let started = 0;
  const it = mapOrdered(Array.from({ length: 100 }, (_, i) => i), async (i) => (started++, i), { window: 5 });
  const first = await it.next();
  assert.equal(first.value, 0);
  await sleep(20);
  assert.ok(started <= 6, `started ${started}`);
  await it.return();
});

test('stopping early aborts the calls still in flight', async () => {
  const aborted: number[] = [];
  const it = mapOrdered([0, 1, 2, 3], async (i, s) => {
    if (i === 0) return i;
    try {
      await abortable(10_000, s);
    } catch (error) {
      aborted.push(i);
      throw error;
    }
    return i;
  }, { window: 4 });
  for await (const v of it) {
    assert.equal(v, 0);
    break;
  }
  await sleep(5);
  assert.deepEqual(aborted.sort(), [1, 2, 3]);
});

test('a failure is thrown in order and cancels the rest', async () => {
  const aborted: number[] = [];
  const out: number[] = [];
  await assert.rejects(
    (async () => {
      for await (const v of mapOrdered([0, 1, 2, 3], async (i, s) => {
        if (i === 1) {
          await sleep(5);
          throw new Error('boom');
        }
        if (i === 0) return i;
        try {
          await abortable(10_000, s);
        } catch (error) {
          aborted.push(i);
          throw error;
        }
        return i;
      }, { window: 4 })) out.push(v);
    })(),
    /boom/,
  );
  await sleep(5);
  assert.deepEqual(out, [0]);
  assert.deepEqual(aborted.sort(), [2, 3]);
});

test("the caller's signal aborts everything outstanding", async () => {
  const controller = new AbortController();
  const it = mapOrdered([0, 1, 2], async (i, s) => (await abortable(10_000, s), i), { window: 2, signal: controller.signal });
  const pending = it.next();
  setTimeout(() => controller.abort(), 5);
  await assert.rejects(pending, (error) => isAbortError(error));
});

test('no unhandled rejection from abandoned failures', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const it = mapOrdered([0, 1, 2], async (i) => {
      if (i > 0) throw new Error(`fail ${i}`);
      return i;
    }, { window: 3 });
    await it.next();
    await it.return();
    await sleep(10);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  assert.deepEqual(unhandled, []);
});

test('window must be a positive integer', async () => {
  await assert.rejects(mapOrdered([1], async (x) => x, { window: 0 }).next(), RangeError);
});
