/** GET /v1/months and GET /v1/months/{month}: values from a build of a generated demo GDAC. */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateDemoGdac } from '../../fixtures/index.js';
import { build } from '../helpers/build.js';
import { tempDir } from '../month-index/helpers.js';

const MONTHS = ['2024-01', '2024-02'];

test('the months routes report what was built', async (t) => {
  const gdacDir = await tempDir(t, 'demo-gdac-');
  const storeDir = await tempDir(t, 'store-');
  const demo = await generateDemoGdac({ outDir: gdacDir, months: MONTHS, profilesPerMonth: 20, seed: 5 });
  // One listed file is missing from the GDAC: it is reported as failed.
  const missing = demo.profiles.find((p) => p.timeMs !== null && p.latitude !== null && new Date(p.timeMs).toISOString().startsWith('2024-02'))!;
  await rm(join(gdacDir, 'dac', missing.id));
  const app = await build(t, { env: { ARGO_GDAC: gdacDir, ARGO_GDAC_INDEX: 'ar_index_global_prof.txt', ARGO_INDEX_STORE: storeDir } });

  const empty = await app.inject('/v1/months');
  assert.equal(empty.statusCode, 200);
  assert.deepEqual(empty.json(), []);

  const job = await app.builds.wait(app.builds.submit({ months: MONTHS }).id);
  assert.equal(job.status, 'succeeded');

  const res = await app.inject('/v1/months');
  assert.equal(res.statusCode, 200);
  const listed = res.json() as Array<Record<string, unknown>>;
  const expected = MONTHS.map((month) => {
    const inMonth = demo.profiles.filter((p) => p.timeMs !== null && p.latitude !== null && p.id !== missing.id && new Date(p.timeMs).toISOString().startsWith(month));
    const times = inMonth.map((p) => p.timeMs!).sort((a, b) => a - b);
    return {
      month,
      profiles: inMonth.length,
      start: new Date(times[0]).toISOString(),
      end: new Date(times[times.length - 1]).toISOString(),
      failed: month === '2024-02' ? 1 : 0,
      dataset: 'phy',
    };
  });
  assert.deepEqual(
    listed.map(({ built_at, pack, ...rest }) => {
      assert.ok(!Number.isNaN(Date.parse(String(built_at))), 'built_at is a date');
      // Each month's data pack: a row per profile.
      const p = pack as { key: string; bytes: number; rows: number };
      assert.match(p.key, new RegExp(`^packs/2024/${String(rest.month)}\\..+\\.parquet$`));
      assert.equal(p.rows, rest.profiles);
      assert.ok(p.bytes > 0);
      return rest;
    }),
    expected,
  );

  const detail = await app.inject('/v1/months/2024-02');
  assert.equal(detail.statusCode, 200);
  const body = detail.json();
  assert.equal(body.month, '2024-02');
  assert.equal(body.profiles, expected[1].profiles);
  assert.equal(body.excluded, 1, 'the profile without a position');
  assert.match(body.source, /GDAC directory .*; index ar_index_global_prof\.txt/);
  assert.deepEqual(body.failures, [{ id: missing.id, reason: 'not found on the GDAC (404)', date_update: missing.dateUpdate }]);
  assert.equal(body.end, expected[1].end);
  assert.deepEqual(body.pack, listed[1].pack, 'the detail names the same pack');

  const notBuilt = await app.inject('/v1/months/2023-12');
  assert.equal(notBuilt.statusCode, 404);
  assert.match(String(notBuilt.headers['content-type']), /application\/problem\+json/);
  assert.match(notBuilt.json().detail, /2023-12 has no built index/);

  for (const bad of ['2024-13', '2024-1', 'abc', '..%2F..%2Fmaster_index.json', '2024-01.json.zst']) {
    const r = await app.inject(`/v1/months/${bad}`);
    assert.equal(r.statusCode, 400, bad);
    assert.equal(r.json().errors?.[0]?.parameter, 'month', bad);
  }
});
