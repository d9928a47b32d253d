/**
 * The data pack source's choice per month (src/query/pack-reader.ts), over a fixture GDAC built by
 * the real builder: one month keeps its pack, the other loses it from the master (as a month built
 * before packs has none).
 *
 * - `pack`: a window over the month without a pack is a 503 problem naming it, before any byte of
 *   the body and with no read of the GDAC or of a pack; a window over packed months only answers.
 * - `auto`: the month without a pack is read from the GDAC, the other from its pack.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readMaster, updateMaster } from '../../src/month-index/master.js';
import { createBlobStore } from '../../src/storage/index.js';
import { assertProblem, answerOf } from '../reliability/kit/problem.js';
import { buildMonths, startFixture } from '../reliability/kit/harness.js';

const BOTH = 'start=2023-01-01&end=2023-03-01&variables=TEMP&depth=10,100';
const PACKED = 'start=2023-01-01&end=2023-02-01&variables=TEMP&depth=10,100';

test('ARGO_QUERY_SOURCE=pack: a month without a pack is a 503 problem naming it, before the body; auto reads that month from the GDAC', async (t) => {
  const fx = await startFixture(t, { months: ['2023-01', '2023-02'], perMonth: 4, seed: 17 });
  const builder = await fx.app();
  assert.equal((await buildMonths(builder, ['2023-01', '2023-02'])).status, 'succeeded');
  const clean = await builder.inject({ method: 'GET', url: `/v1/profiles?${BOTH}`, query: {} });
  assert.equal(clean.statusCode, 200);

  // 2023-02 as a month built before packs: its master entry names none.
  const store = createBlobStore({ location: fx.storeDir });
  await updateMaster({
    store,
    mutate: (master) => {
      if (!master.months['2023-02']?.pack) return false;
      delete master.months['2023-02'].pack;
      return true;
    },
  });
  assert.equal((await readMaster(store)).master.months['2023-02'].pack, undefined);
  assert.ok((await readMaster(store)).master.months['2023-01'].pack, '2023-01 keeps its pack');

  const packOnly = await fx.app({ ARGO_QUERY_SOURCE: 'pack' });
  fx.mirror.resetStats();
  const refused = await packOnly.inject({ method: 'GET', url: `/v1/profiles?${BOTH}` });
  assertProblem(answerOf(refused), { status: 503 }, 'a window over a month without a pack');
  const problem = JSON.parse(refused.body) as { detail: string };
  assert.equal(
    problem.detail,
    'Month 2023-02 has no data pack (ARGO_QUERY_SOURCE=pack); build its pack with build-index --packs-only.',
  );
  assert.equal(fx.mirror.stats.requests, 0, 'no GDAC read');
  // HEAD says the same, with no body.
  const head = await packOnly.inject({ method: 'HEAD', url: `/v1/profiles?${BOTH}` });
  assert.equal(head.statusCode, 503);

  // The packed month alone answers from its pack, without the GDAC; positions need no pack.
  const packed = await packOnly.inject({ method: 'GET', url: `/v1/profiles?${PACKED}` });
  assert.equal(packed.statusCode, 200, packed.body);
  assert.equal(packed.body.trim().split('\n').length, 4);
  const positions = await packOnly.inject({ method: 'GET', url: `/v1/profiles?${BOTH}&fields=positions` });
  assert.equal(positions.statusCode, 200, positions.body);
  assert.equal(positions.body.trim().split('\n').length, 8);
  assert.equal(fx.mirror.stats.requests, 0, 'no GDAC read');

  // auto: 2023-02 from the GDAC (its four files), 2023-01 from the pack; the same answer as before.
  const auto = await fx.app({ ARGO_QUERY_SOURCE: 'auto' });
  const both = await auto.inject({ method: 'GET', url: `/v1/profiles?${BOTH}` });
  assert.equal(both.statusCode, 200);
  assert.equal(both.body, clean.body);
  const read = [...fx.mirror.stats.byPath.keys()].filter((p) => p.startsWith('dac/'));
  assert.equal(read.length, 4, `GDAC files read: ${read.join(', ')}`);
});
