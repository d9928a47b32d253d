/** The one single-flight: shared work per key, cancellation per caller, failures not kept. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AbortedError } from '../../src/errors.js';
import { createSingleFlight } from '../../src/util/single-flight.js';

/** Work that finishes when told to; records each run's signal. */
function gated<V>() {
  const runs: { signal: AbortSignal; finish: (v: V) => void; fail: (e: unknown) => void }[] = [];
  const work = (signal: AbortSignal): Promise<V> =>
    new Promise<V>((resolve, reject) => {
      runs.push({ signal, finish: resolve, fail: reject });
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  return { work, runs };
}

test('concurrent callers of one key share one run; other keys run apart; finished flights are forgotten', async () => {
  const flights = createSingleFlight<string, number>();
  const { work, runs } = gated<number>();
  const a = flights.run('k', work);
  const b = flights.run('k', work, { signal: new AbortController().signal });
  const other = flights.run('other', work);
  assert.equal(runs.length, 2, 'started at once, one per key');
  assert.equal(flights.size, 2);
  runs[0].finish(1);
  runs[1].finish(2);
  assert.deepEqual(await Promise.all([a, b, other]), [1, 1, 2]);
  assert.equal(flights.size, 0);
  const later = flights.run('k', work);
  assert.equal(runs.length, 3);
  runs[2].finish(3);
  assert.equal(await later, 3);
});

test('a caller that gives up stops waiting; the work is cancelled only when nobody waits', async () => {
  const flights = createSingleFlight<string, number>();
  const { work, runs } = gated<number>();
  const first = new AbortController();
  const second = new AbortController();
  const a = flights.run('k', work, { signal: first.signal, context: { id: 'k' } });
  const b = flights.run('k', work, { signal: second.signal });
  first.abort();
  await assert.rejects(a, (error: unknown) => error instanceof AbortedError && error.context.id === 'k');
  assert.equal(runs[0].signal.aborted, false, 'the other caller still wants it');
  second.abort();
  await assert.rejects(b, AbortedError);
  assert.equal(runs[0].signal.aborted, true, 'the last one out cancels the work');
  const c = flights.run('k', work);
  assert.equal(runs.length, 2, 'a new caller starts afresh');
  runs[1].finish(7);
  assert.equal(await c, 7);
  await assert.rejects(flights.run('k', work, { signal: AbortSignal.abort() }), AbortedError);
});

test('a failure reaches every waiter and is not kept; forget() starts the next caller afresh', async () => {
  const flights = createSingleFlight<string, number>();
  const { work, runs } = gated<number>();
  const a = flights.run('k', work);
  const b = flights.run('k', work);
  runs[0].fail(new Error('store down'));
  await assert.rejects(a, /store down/);
  await assert.rejects(b, /store down/);
  const c = flights.run('k', work);
  flights.forget('k');
  const d = flights.run('k', work);
  assert.equal(runs.length, 3, 'forgotten: the next caller did not join');
  runs[1].finish(1);
  runs[2].finish(2);
  assert.deepEqual(await Promise.all([c, d]), [1, 2]);
  await assert.rejects(flights.run('sync', () => { throw new Error('thrown at once'); }), /thrown at once/);
});
