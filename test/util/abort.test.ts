/** AbortSignal plumbing: one real listener per signal however many wait on it; raceAbort; sleep. */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { AbortedError } from '../../src/errors.js';
import { onAbort, raceAbort } from '../../src/util/abort.js';
import { sleep } from '../../src/util/sleep.js';

test('onAbort: a thousand callbacks on one signal add one listener, and all run once', async () => {
  const controller = new AbortController();
  let calls = 0;
  const stops = Array.from({ length: 1000 }, () => onAbort(controller.signal, () => calls++));
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
  stops[0]();
  stops[0](); // idempotent
  controller.abort();
  assert.equal(calls, 999, 'an unregistered callback does not run');
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
});

test('onAbort: the listener leaves with its last callback; an aborted signal calls back on a microtask', async () => {
  const controller = new AbortController();
  const stops = [onAbort(controller.signal, () => assert.fail('unregistered')), onAbort(controller.signal, () => assert.fail('unregistered'))];
  for (const stop of stops) stop();
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'nothing left on a long-lived signal');
  // A new registration after that works again.
  let fired = false;
  onAbort(controller.signal, () => (fired = true));
  controller.abort();
  assert.equal(fired, true);

  let late = 0;
  onAbort(controller.signal, () => late++);
  const cancelled = onAbort(controller.signal, () => late++);
  cancelled();
  assert.equal(late, 0, 'not synchronously');
  await Promise.resolve();
  assert.equal(late, 1);
});

test('raceAbort: the value, the error, or AbortedError when the signal fires first', async () => {
  assert.equal(await raceAbort(Promise.resolve(1), undefined), 1);
  assert.equal(await raceAbort(Promise.resolve(2), new AbortController().signal), 2);
  await assert.rejects(raceAbort(Promise.reject(new Error('boom')), new AbortController().signal), /boom/);
  await assert.rejects(raceAbort(Promise.resolve(3), AbortSignal.abort()), AbortedError);
  const controller = new AbortController();
  const never = raceAbort(new Promise<number>(() => undefined), controller.signal, { message: 'gave up', context: { what: 'x' } });
  controller.abort(new Error('why'));
  await assert.rejects(never, (error: unknown) => {
    assert.ok(error instanceof AbortedError);
    assert.equal(error.message, 'gave up');
    assert.deepEqual(error.context, { what: 'x' });
    assert.match(String((error.cause as Error).message), /why/);
    return true;
  });
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
});

test('sleep: waits, or ends with AbortedError the moment the signal fires', async () => {
  await sleep(1);
  await assert.rejects(sleep(10, { signal: AbortSignal.abort() }), AbortedError);
  const controller = new AbortController();
  const long = sleep(60_000, { signal: controller.signal, message: 'waiting for a retry', context: { path: 'x' } });
  controller.abort();
  await assert.rejects(long, { name: 'AbortedError', message: 'waiting for a retry' });
  // A sleep that ends normally leaves no listener behind.
  const kept = new AbortController();
  await sleep(1, { signal: kept.signal });
  assert.equal(getEventListeners(kept.signal, 'abort').length, 0);
});

test('onAbort: a callback unregistered by an earlier one during the abort does not run', () => {
  const controller = new AbortController();
  const ran: string[] = [];
  let stopSecond = (): void => undefined;
  onAbort(controller.signal, () => {
    ran.push('first');
    stopSecond();
  });
  stopSecond = onAbort(controller.signal, () => ran.push('second'));
  onAbort(controller.signal, () => ran.push('third'));
  controller.abort();
  assert.deepEqual(ran, ['first', 'third']);
});
