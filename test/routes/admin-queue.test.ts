/**
 * The build queue is capped (ARGO_MAX_QUEUED_BUILDS): beyond it POST /admin/builds answers a 503
 * problem saying so, and nothing is queued; once the queue drains, builds are taken again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BuildQueueFullError } from '../../src/errors.js';
import { parseConfig } from '../../src/config.js';
import { build } from '../helpers/build.js';
import { startGdacMirror } from '../kit/gdac-mirror.js';
import { tempDir } from '../month-index/helpers.js';
import { INDEX_PATH, makeFixtureGdac } from '../reliability/kit/fixture-gdac.js';

const TOKEN = 'queue-test-token';

test('ARGO_MAX_QUEUED_BUILDS: default 16, at least 1', () => {
  assert.equal(parseConfig({}).builds.maxQueued, 16);
  assert.equal(parseConfig({ ARGO_MAX_QUEUED_BUILDS: '2' }).builds.maxQueued, 2);
  assert.throws(() => parseConfig({ ARGO_MAX_QUEUED_BUILDS: '0' }), /ARGO_MAX_QUEUED_BUILDS/);
});

test('POST /admin/builds beyond the queue cap: 503 problem+json naming the cause; nothing queued', async (t) => {
  const fx = makeFixtureGdac({ seed: 2, months: ['2023-01', '2023-02', '2023-03', '2023-04'], perMonth: 2 });
  const mirror = await startGdacMirror({ files: fx.files });
  t.after(() => mirror.stop());
  // The running build waits on an index that does not come; the queue fills behind it.
  mirror.setFault(INDEX_PATH, { kind: 'stall', ms: 60_000 });
  const app = await build(t, {
    env: { ARGO_GDAC: mirror.url, ARGO_GDAC_INDEX: INDEX_PATH, ARGO_INDEX_STORE: await tempDir(t, 'store-'), ARGO_ADMIN_TOKEN: TOKEN, ARGO_MAX_QUEUED_BUILDS: '2', ARGO_FETCH_TIMEOUT_SECONDS: '60' },
  });
  const headers = { authorization: `Bearer ${TOKEN}` };
  const submit = (month: string) => app.inject({ method: 'POST', url: '/admin/builds', payload: { months: [month] }, headers });

  const statuses = [];
  for (const month of fx.months.slice(0, 3)) statuses.push((await submit(month)).statusCode);
  assert.deepEqual(statuses, [202, 202, 202], 'one running, two queued');
  const refused = await submit('2023-04');
  assert.equal(refused.statusCode, 503);
  assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
  assert.equal(refused.json().detail, 'The build queue is full (2 jobs waiting); try again when one of them has started.');
  // A month already queued still joins its job: that adds nothing to the queue.
  const joined = await submit('2023-03');
  assert.equal(joined.statusCode, 202);

  // Cancel a queued job: there is room again.
  const builds = app.builds;
  const queued = builds.list().find((j) => j.months[0] === '2023-03')!;
  assert.equal(builds.cancel(queued.id), 'queued');
  assert.equal((await submit('2023-04')).statusCode, 202);
  assert.throws(() => builds.submit({ months: ['2023-03'] }), BuildQueueFullError);
});
