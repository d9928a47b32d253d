/** The one pool: the shared limiter and runPool (a list with at most N at once), and back-off. */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { AbortedError } from '../../src/errors.js';
import { backoffDelay } from '../../src/util/backoff.js';
import { createLimiter, runPool } from '../../src/util/pool.js';

test('full-jitter back-off: within [0, base·2^n), capped', () => {
  assert.equal(backoffDelay(0, { baseMs: 100, maxMs: 30_000, random: () => 0.999 }), 99);
  assert.equal(backoffDelay(3, { baseMs: 100, maxMs: 30_000, random: () => 0.5 }), 400);
  assert.equal(backoffDelay(20, { baseMs: 100, maxMs: 30_000, random: () => 0.5 }), 15_000);
  assert.equal(backoffDelay(5, { baseMs: 100, maxMs: 30_000, random: () => 0 }), 0);
  assert.equal(backoffDelay(2000, { baseMs: 100, random: () => 0.5 }), Infinity, 'no ceiling unless given');
  for (let i = 0; i < 100; i++) {
    const d = backoffDelay(2, { baseMs: 10 });
    assert.ok(d >= 0 && d < 40 && Number.isInteger(d), String(d));
  }
});

test('limiter: FIFO, bounded, and a waiter can abort', async () => {
  const limiter = createLimiter(2);
  const a = await limiter.acquire();
  const b = await limiter.acquire();
  assert.equal(limiter.active, 2);
  const controller = new AbortController();
  const c = limiter.acquire(controller.signal);
  const d = limiter.acquire();
  assert.equal(limiter.waiting, 2);
  controller.abort();
  await assert.rejects(c, AbortedError);
  assert.equal(limiter.waiting, 1);
  a();
  a(); // idempotent
  const releaseD = await d;
  assert.equal(limiter.active, 2);
  b();
  releaseD();
  assert.equal(limiter.active, 0);
  assert.throws(() => createLimiter(0), RangeError);
});

test('limiter: a hundred waiters on one signal hold one abort listener, released as they are granted', async () => {
  const limiter = createLimiter(1);
  const release = await limiter.acquire();
  const controller = new AbortController();
  const waiters = Array.from({ length: 100 }, () => limiter.acquire(controller.signal));
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
  release();
  for (const waiter of waiters) (await waiter)();
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'no listener left once every waiter was granted');
});

test('runPool: every item, at most N at once, in order of start', async () => {
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  await runPool(Array.from({ length: 20 }, (_, i) => i), { concurrency: 3 }, async (i) => {
    started.push(i);
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 1));
    running--;
  });
  assert.deepEqual(started, Array.from({ length: 20 }, (_, i) => i));
  assert.equal(peak, 3);
  await runPool([], { concurrency: 4 }, async () => assert.fail('no items'));
});

test('runPool: the first failure stops new tasks, lets the running ones end, and is thrown', async () => {
  const started: number[] = [];
  let finishOne!: () => void;
  const oneRunning = new Promise<void>((resolve) => (finishOne = resolve));
  let oneFinished = false;
  const pool = runPool([0, 1, 2, 3, 4, 5], { concurrency: 2 }, async (i) => {
    started.push(i);
    if (i === 1) {
      await oneRunning;
      oneFinished = true;
    }
    if (i === 2) throw new Error('item 2 failed');
  });
  // Worker A ran 0 then failed on 2; worker B is still in 1.
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [0, 1, 2], 'nothing started after the failure');
  finishOne();
  await assert.rejects(pool, /item 2 failed/);
  assert.equal(oneFinished, true, 'the task running beside it was waited for');
  assert.deepEqual(started, [0, 1, 2]);
});

test('runPool: an abort stops it between tasks with AbortedError', async () => {
  const controller = new AbortController();
  const started: number[] = [];
  await assert.rejects(
    runPool([0, 1, 2, 3, 4], { concurrency: 1, signal: controller.signal }, async (i) => {
      started.push(i);
      if (i === 1) controller.abort();
    }),
    AbortedError,
  );
  assert.deepEqual(started, [0, 1]);
});
