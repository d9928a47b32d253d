/**
 * The composable layers on their own (no I/O): Retry-After parsing, withRetry and withFailover
 * over scripted fetchers (back-off and the limiter: test/util/).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AbortedError, UpstreamNotFoundError, UpstreamTimeoutError } from '../../src/errors.js';
import { createStatsCollector, type FetchResult, type Fetcher } from '../../src/gdac/fetcher.js';
import { TransientUpstreamError, isTransient, parseRetryAfter } from '../../src/gdac/transient.js';
import { withFailover } from '../../src/gdac/with-failover.js';
import { withRetry } from '../../src/gdac/with-retry.js';

/** A fetcher that plays a script: each call takes the next outcome (the last one repeats). */
function scripted(name: string, outcomes: Array<Error | 'ok'>): Fetcher & { calls: number } {
  const result: FetchResult = { bytes: new TextEncoder().encode(name), whole: true };
  const f = {
    name,
    calls: 0,
    async fetch() {
      const outcome = outcomes[Math.min(f.calls, outcomes.length - 1)];
      f.calls++;
      if (outcome === 'ok') return result;
      throw outcome;
    },
    async open() {
      await f.fetch();
      return (async function* () {
        yield result.bytes;
      })();
    },
  };
  return f;
}

const transient = (): Error => new TransientUpstreamError({ message: 'scripted 503' });

test('Retry-After: delta-seconds and HTTP dates', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('3', now), 3000);
  assert.equal(parseRetryAfter('Mon, 01 Jan 2024 00:00:10 GMT', now), 10_000);
  assert.equal(parseRetryAfter('Sun, 31 Dec 2023 00:00:00 GMT', now), 0);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(undefined, now), undefined);
});

test('withRetry: transient retried, permanent thrown at once, retries counted', async () => {
  const stats = createStatsCollector();
  const flaky = scripted('m', [transient(), transient(), 'ok']);
  const r = withRetry(flaky, { maxRetries: 3, backoffMs: 1, stats });
  assert.equal(new TextDecoder().decode((await r.fetch({ path: 'x' })).bytes), 'm');
  assert.equal(flaky.calls, 3);
  assert.equal(stats.retries, 2);

  const missing = scripted('m', [new UpstreamNotFoundError({ message: 'gone' })]);
  await assert.rejects(withRetry(missing, { maxRetries: 3, backoffMs: 1 }).fetch({ path: 'x' }), UpstreamNotFoundError);
  assert.equal(missing.calls, 1);

  const slow = scripted('m', [new UpstreamTimeoutError({ message: 'slow' })]);
  await assert.rejects(withRetry(slow, { maxRetries: 2, backoffMs: 1 }).fetch({ path: 'x' }), (error: unknown) => {
    assert.ok(error instanceof UpstreamTimeoutError);
    assert.match(error.message, /after 3 attempts/);
    return true;
  });
});

test('withRetry: an abort during the back-off ends it at once', async () => {
  const down = scripted('m', [transient()]);
  const controller = new AbortController();
  const pending = withRetry(down, { maxRetries: 5, backoffMs: 60_000, random: () => 0.99 }).fetch({
    path: 'x',
    signal: controller.signal,
  });
  setTimeout(() => controller.abort(), 20);
  await assert.rejects(pending, AbortedError);
  assert.equal(down.calls, 1);
});

test('withFailover: next mirror on transient, none on permanent, cool-down order', async () => {
  let clock = 0;
  const stats = createStatsCollector();
  const a = scripted('a', [transient(), 'ok']);
  const b = scripted('b', ['ok']);
  const f = withFailover([a, b], { stats, cooldownMs: 1_000, now: () => clock });
  assert.equal(new TextDecoder().decode((await f.fetch({ path: 'x' })).bytes), 'b');
  assert.equal(stats.failovers, 1);
  // a is cooling down: b first.
  assert.equal(new TextDecoder().decode((await f.fetch({ path: 'x' })).bytes), 'b');
  assert.equal(a.calls, 1);
  clock = 2_000;
  assert.equal(new TextDecoder().decode((await f.fetch({ path: 'x' })).bytes), 'a');

  const gone = scripted('a', [new UpstreamNotFoundError({ message: 'gone' })]);
  const spare = scripted('b', ['ok']);
  await assert.rejects(withFailover([gone, spare]).fetch({ path: 'x' }), UpstreamNotFoundError);
  assert.equal(spare.calls, 0);

  const all = withFailover([scripted('a', [transient()]), scripted('b', [transient()])]);
  await assert.rejects(all.fetch({ path: 'x' }), (error: unknown) => {
    assert.ok(isTransient(error));
    assert.match((error as Error).message, /all 2 GDAC mirrors failed/);
    return true;
  });
});
