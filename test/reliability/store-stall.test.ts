/**
 * The index store stalls (issue 19, defect 3): s3rver behind a loopback TCP proxy that swallows
 * every byte and never answers (a hung load balancer, a black-holed network), the service
 * configured from the environment with ARGO_STORE_TIMEOUT_SECONDS=1.
 *
 * What must hold: a query, GET /v1/months and /readyz answer a 503 problem within a few seconds
 * (before: @smithy/node-http-handler only warned when its requestTimeout passed, and a query got
 * no answer in 400 s); once the network heals the same replica answers with the same data.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { within } from './kit/bounded.js';
import { buildMonths, getProfiles, startFixture } from './kit/harness.js';
import { answerOf, assertProblem } from './kit/problem.js';
import { startRestartableS3 } from './kit/restartable-s3.js';
import { startTcpProxy } from './kit/tcp-proxy.js';

const Q = 'start=2023-01-01&end=2023-03-01&variables=TEMP,PSAL&depth=10,100,1000';
/** 1 s store deadline, not retried: a 503 in about a second; 6 s leaves room for a busy machine. */
const BOUND_MS = 6_000;

test('a stalled S3 index store: query, months and readiness answer 503 problems at the store deadline; all recover', async (t) => {
  const s3 = await startRestartableS3({ buckets: ['argo-index'] });
  t.after(() => s3.dispose());
  const proxy = await startTcpProxy({ targetPort: s3.port });
  t.after(() => proxy.stop());
  const location = 's3://argo-index/stall';
  const fx = await startFixture(t, {
    months: ['2023-01', '2023-02'],
    perMonth: 4,
    env: { ...s3.env(location), ARGO_S3_ENDPOINT: proxy.url, ARGO_STORE_TIMEOUT_SECONDS: '1' },
  });
  const app = await fx.app();
  const job = await buildMonths(app, fx.gdac.months);
  assert.equal(job.status, 'succeeded', job.error);
  const expected = await getProfiles(app, Q);
  assert.equal(expected.status, 200);

  proxy.setMode('stall');
  for (const url of [`/v1/profiles?${Q}`, '/v1/months', '/readyz']) {
    const started = Date.now();
    const answer = await within(BOUND_MS, app.inject({ method: 'GET', url }), `${url}, store stalled`);
    const ms = Date.now() - started;
    assert.equal(answer.statusCode, 503, `${url}: ${answer.body.slice(0, 200)}`);
    if (url !== '/readyz') {
      const problem = assertProblem(answerOf(answer), { status: 503 }, url);
      assert.equal(problem.detail, 'The index store is unavailable; try again later.');
    }
    assert.ok(ms < BOUND_MS, `${url}: ${ms} ms`);
  }

  // The network heals: new connections pass; the same replica answers as before the stall.
  proxy.setMode('pass');
  const healed = await within(10_000, getProfiles(app, Q), 'query, store back');
  assert.equal(healed.status, 200);
  assert.equal(healed.body, expected.body);
  assert.equal((await app.inject('/v1/months')).statusCode, 200);
});
