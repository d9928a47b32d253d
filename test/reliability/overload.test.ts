/**
 * Load shedding, deterministically (the 50-client version is test-reliability/load/overload.test.ts):
 * the event loop is blocked on purpose for 1.5 s, so @fastify/under-pressure's next sample sees a
 * delay far over ARGO_MAX_EVENT_LOOP_DELAY_MS; until the sample after it, the service must answer
 * 503 problem+json, not crash, not 500; then it must answer normally again.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { FAST_ENV, tempDir } from './kit/harness.js';
import { build } from '../helpers/build.js';
import { answerOf, assertProblem } from './kit/problem.js';

const QUERY = '/v1/profiles?start=2023-01-01&end=2023-02-01';

function blockEventLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Busy: nothing else runs, exactly like a CPU-bound request.
  }
}

async function overloaded(app: FastifyInstance): Promise<void> {
  blockEventLoop(1500);
  // Let the overdue pressure sample run (it is a timer), then the service is under pressure.
  await sleep(20);
  const probe = await app.inject({ method: 'GET', url: QUERY });
  assert.equal(probe.statusCode, 503, 'under pressure after a 1.5 s stall');
}

async function appUnderTest(t: Parameters<typeof build>[0]): Promise<FastifyInstance> {
  const storeDir = await tempDir(t, 'rel-overload-');
  return build(t, { env: { ...FAST_ENV, ARGO_GDAC: 'http://127.0.0.1:9', ARGO_INDEX_STORE: storeDir, ARGO_MAX_EVENT_LOOP_DELAY_MS: '200' } });
}

/** Polls the query until it answers 200 (at most 5 s): the pressure sample is taken every second. */
async function until200(app: FastifyInstance): Promise<number> {
  let status = 0;
  for (let i = 0; i < 10 && status !== 200; i++) {
    if (i > 0) await sleep(500);
    status = (await app.inject({ method: 'GET', url: QUERY })).statusCode;
  }
  return status;
}

test('under pressure: queries and months get a 503 problem+json; once the loop is free, 200 again', async (t) => {
  const app = await appUnderTest(t);
  assert.equal(await until200(app), 200);
  await overloaded(app);
  for (const url of [QUERY, '/v1/months', '/v1/months/2023-01']) {
    const r = await app.inject({ method: 'GET', url });
    assertProblem(answerOf(r), { status: 503 }, url);
  }
  // A quiet sample or two later the pressure is gone.
  assert.equal(await until200(app), 200, 'recovered');
});

test(
  'under pressure: /readyz answers 503 (not a 500 from its response schema)',
  async (t) => {
    const app = await appUnderTest(t);
    await overloaded(app);
    const r = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(r.statusCode, 503, r.body);
  },
);

test(
  'under pressure: the liveness probe /healthz still answers 200',
  async (t) => {
    const app = await appUnderTest(t);
    await overloaded(app);
    const r = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(r.statusCode, 200, r.body);
  },
);

test('under pressure: the pages and their files are still served (a shed module script would leave the page blank); their API calls are shed', async (t) => {
  const app = await appUnderTest(t);
  await overloaded(app);
  for (const url of ['/', '/explore', '/explore/assets/main.js', '/explore/vendor/d3.min.js', '/explore/vendor/land-50m.json', '/docs', '/docs/static/swagger-ui-bundle.js']) {
    const r = await app.inject({ method: 'GET', url });
    assert.equal(r.statusCode, 200, `${url}: ${r.body.slice(0, 200)}`);
    assert.ok(r.body.length > 100, url);
  }
  assertProblem(answerOf(await app.inject({ method: 'GET', url: '/v1/months' })), { status: 503 }, '/v1/months');
});
