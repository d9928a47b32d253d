/**
 * The query-level deadline (issue 19, "no query-level deadline"): ARGO_QUERY_TIMEOUT_SECONDS ends
 * a request that runs too long, whatever its upstreams do.
 *
 * - After the headers (the GDAC stalls every read, the fetch timeout far away): the body ends with
 *   the 504 error line (NDJSON) or `error` member (JSON) naming the limit, at the limit; the GDAC
 *   reads in flight are cancelled (the mirror sees their connections close) and none starts after.
 * - Before the headers (the index store black-holed, its own deadline far away): a 504
 *   problem+json naming the limit, at the limit.
 *
 * Before: no query deadline, so each waited for the upstream timeouts (20 s a GDAC attempt, 30 s
 * the store), and a GDAC that stalls for good held a query for (retries + 1) × timeout per batch.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sleep, within } from './kit/bounded.js';
import { buildMonths, eventually, getProfiles, startFixture } from './kit/harness.js';
import { answerOf, assertProblem } from './kit/problem.js';
import { startRestartableS3 } from './kit/restartable-s3.js';
import { startTcpProxy } from './kit/tcp-proxy.js';

const Q = 'start=2023-01-01&end=2023-02-01&variables=TEMP,PSAL&depth=10,100,1000';
const MESSAGE = 'the query exceeded its time limit of 1 s; narrow the window or lower max_profiles';
/** The deadline is 1 s; 8 s leaves room for a busy machine and is far below the upstream timeouts. */
const BOUND_MS = 8_000;

test('past the query deadline mid-body: the 504 error line, the GDAC reads cancelled, none after', async (t) => {
  const fx = await startFixture(t, {
    months: ['2023-01'],
    perMonth: 8,
    seed: 43,
    // No data cache: every query reads the GDAC. Fetch attempts of 20 s: only the query deadline can end it early.
    env: { ARGO_QUERY_TIMEOUT_SECONDS: '1', ARGO_FETCH_TIMEOUT_SECONDS: '20', ARGO_PROFILE_CACHE_MB: '0', ARGO_RESPONSE_CACHE_MB: '0' },
  });
  const app = await fx.app();
  assert.equal((await buildMonths(app, ['2023-01'])).status, 'succeeded');

  for (const format of ['ndjson', 'json'] as const) {
    fx.mirror.setFault('dac/**', { kind: 'stall', ms: 60_000 });
    const started = Date.now();
    const r = await within(BOUND_MS, getProfiles(app, `${Q}&format=${format}`), `${format} query, GDAC stalled`);
    const ms = Date.now() - started;
    assert.equal(r.status, 200, 'the headers went out before the reads stalled');
    if (format === 'ndjson') {
      assert.deepEqual(r.lines, [{ error: { status: 504, message: MESSAGE } }], r.body);
    } else {
      const body = JSON.parse(r.body) as Record<string, unknown>;
      assert.deepEqual(body.profiles, []);
      assert.deepEqual(body.error, { status: 504, message: MESSAGE });
    }
    assert.ok(ms >= 900 && ms < BOUND_MS, `${format}: answered after ${ms} ms`);

    // The reads in flight were cancelled: the mirror sees their connections close at once.
    assert.ok(await eventually(async () => fx.mirror.stats.inFlight === 0, { timeoutMs: 3_000, everyMs: 50 }), `${fx.mirror.stats.inFlight} GDAC reads still open`);
    const requests = fx.mirror.stats.requests;
    await sleep(1_500);
    assert.equal(fx.mirror.stats.requests, requests, `${format}: GDAC requests after the deadline`);
    fx.mirror.clearFaults();
  }

  // The same replica answers in full once the GDAC answers again.
  const healed = await getProfiles(app, Q);
  assert.equal(healed.lines.length, 8);
  assert.ok(healed.lines.every((l) => l.error === undefined));
});

test('past the query deadline before the headers (index store black-holed): a 504 problem naming the limit', async (t) => {
  const s3 = await startRestartableS3({ buckets: ['argo-index'] });
  t.after(() => s3.dispose());
  const proxy = await startTcpProxy({ targetPort: s3.port });
  t.after(() => proxy.stop());
  const fx = await startFixture(t, {
    months: ['2023-01'],
    perMonth: 4,
    seed: 44,
    env: { ...s3.env('s3://argo-index/deadline'), ARGO_S3_ENDPOINT: proxy.url, ARGO_STORE_TIMEOUT_SECONDS: '30', ARGO_QUERY_TIMEOUT_SECONDS: '1' },
  });
  const app = await fx.app();
  assert.equal((await buildMonths(app, ['2023-01'])).status, 'succeeded');

  proxy.setMode('stall');
  const started = Date.now();
  const answer = await within(BOUND_MS, app.inject({ method: 'GET', url: `/v1/profiles?${Q}` }), 'query, store stalled');
  const ms = Date.now() - started;
  const problem = assertProblem(answerOf(answer), { status: 504 }, 'query past its deadline');
  assert.equal(problem.detail, MESSAGE);
  assert.ok(ms >= 900 && ms < BOUND_MS, `answered after ${ms} ms`);
  proxy.setMode('pass');
});

test('a query that ends in time over real HTTP is cached as usual: the end of a request is not a hang-up', async (t) => {
  // The route's signal fires when every response closes (that stops the query's clock); a body
  // that ended cleanly must still be stored, and the next identical request served from it.
  const fx = await startFixture(t, { months: ['2023-01'], perMonth: 12, seed: 45, env: { ARGO_QUERY_TIMEOUT_SECONDS: '1' } });
  const app = await fx.app();
  assert.equal((await buildMonths(app, ['2023-01'])).status, 'succeeded');
  await app.listen({ port: 0, host: '127.0.0.1' });
  // ~250 KB: a body that takes several socket writes, so the response closes soon after the
  // body's last chunk went through (a small body hid a bug here: the close came first).
  const big = 'start=2023-01-01&end=2023-02-01&variables=TEMP,PSAL,PRES&depth=0:999:1';
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/v1/profiles?${big}`;
  // Not compressed: compression's thread-pool turns would hide the order of events.
  const get = async (): Promise<string> => (await fetch(url, { headers: { 'accept-encoding': 'identity' } })).text();
  const first = await get();
  await sleep(50);
  const requests = fx.mirror.stats.requests;
  const second = await get();
  assert.equal(second, first);
  assert.equal(first.trim().split('\n').length, 12);
  assert.ok(first.length > 200_000, `${first.length} bytes`);
  const stats = app.profileResponder.cacheStats();
  assert.deepEqual([stats.stored, stats.hits], [1, 1], 'stored once, then served from the cache');
  assert.equal(fx.mirror.stats.requests, requests, 'no GDAC read for the cached answer');
  // Well past the 1 s limit: nothing fires late on a finished request (the next one is whole too).
  await sleep(1_500);
  assert.equal(await get(), first);
});
