/**
 * GET /metrics carries the services' series with values that follow from what happened: a build of
 * one demo month, then queries that miss and hit each cache in turn.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateDemoGdac } from '../../fixtures/index.js';
import { build } from '../helpers/build.js';
import { tempDir } from '../month-index/helpers.js';

/** The value of one series in Prometheus text (labels in any order); undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.keys(labels).length !== Object.keys(found).length) continue;
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

test('the GDAC, cache, build and month series after a build and queries', async (t) => {
  const gdacDir = await tempDir(t, 'demo-gdac-');
  await generateDemoGdac({ outDir: gdacDir, months: ['2024-01'], profilesPerMonth: 12, seed: 3 });
  const app = await build(t, { env: { ARGO_GDAC: gdacDir, ARGO_GDAC_INDEX: 'ar_index_global_prof.txt', ARGO_INDEX_STORE: await tempDir(t, 'store-') } });

  const before = (await app.inject('/metrics')).body;
  assert.equal(sample(before, 'argo_gdac_requests_total', { outcome: 'ok' }), 0);
  assert.equal(sample(before, 'argo_months_built'), 0);
  assert.equal(before.match(/^argo_newest_month_age_seconds\{/m), null, 'no month, no age');

  // Core months only: a default build would also look for the synthetic index this GDAC lacks (two 404s).
  const job = await app.builds.wait(app.builds.submit({ months: ['2024-01'], datasets: ['phy'] }).id);
  assert.equal(job.status, 'succeeded');
  const [result] = job.results;

  // A real socket: the response cache keeps a body once it was sent whole over the connection.
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    assert.equal(res.status, 200, path);
    return { headers: res.headers, body: await res.text() };
  };
  const window = '/v1/profiles?start=2024-01-01&end=2024-02-01&mode=expert';
  const first = await get(`${window}&depth=10,50`); // response, output and level misses
  const n = Number(first.headers.get('x-argo-profiles-matched'));
  assert.ok(n >= 5, `${n} profiles`);
  assert.equal(first.body.trim().split('\n').length, n);
  assert.equal((await get(`${window}&depth=10,50`)).body, first.body); // response hit
  await get(`${window}&depth=10,50&format=csv`); // response miss, output hits
  await get(`${window}&depth=20`); // response and output misses, level hits

  const text = (await get('/metrics')).body;
  const value = (name: string, labels?: Record<string, string>) => {
    const v = sample(text, name, labels);
    assert.notEqual(v, undefined, `${name} ${JSON.stringify(labels ?? {})} is exported`);
    return v!;
  };

  // The GDAC: the build's whole files and the queries' ranges, all answered.
  const gdac = app.gdac.stats();
  assert.ok(value('argo_gdac_requests_total', { outcome: 'ok' }) > n, 'the build and the first reads');
  assert.equal(value('argo_gdac_requests_total', { outcome: 'ok' }), gdac.requests);
  for (const outcome of ['not_found', 'timeout', 'transient', 'error', 'aborted']) assert.equal(value('argo_gdac_requests_total', { outcome }), 0, outcome);
  assert.equal(value('argo_gdac_read_bytes_total'), gdac.bytes);
  assert.ok(gdac.bytes > 0);
  assert.equal(value('argo_gdac_retries_total'), 0);
  assert.equal(value('argo_gdac_failovers_total'), 0);

  // Each cache, hit and missed as the queries above dictate.
  assert.deepEqual([value('argo_cache_hits_total', { cache: 'response' }), value('argo_cache_misses_total', { cache: 'response' })], [1, 3]);
  assert.deepEqual([value('argo_cache_hits_total', { cache: 'output' }), value('argo_cache_misses_total', { cache: 'output' })], [n, 2 * n]);
  assert.deepEqual([value('argo_cache_hits_total', { cache: 'level' }), value('argo_cache_misses_total', { cache: 'level' })], [n, n]);
  assert.equal(value('argo_cache_misses_total', { cache: 'month' }), 1, 'the month was loaded once');
  assert.ok(value('argo_cache_hits_total', { cache: 'month' }) >= 3, 'and served from memory after');
  assert.equal(value('argo_cache_entries', { cache: 'response' }), 3);
  assert.equal(value('argo_cache_entries', { cache: 'output' }), 2 * n);
  assert.equal(value('argo_cache_entries', { cache: 'level' }), n);
  assert.equal(value('argo_cache_entries', { cache: 'month' }), 1);
  for (const cache of ['month', 'level', 'output', 'response']) assert.ok(value('argo_cache_size_bytes', { cache }) > 0, cache);
  assert.ok(value('argo_master_index_loads_total') >= 1);

  // The build: one job, its files by outcome.
  assert.equal(value('argo_build_duration_seconds_count', { status: 'succeeded' }), 1);
  assert.ok(value('argo_build_duration_seconds_sum', { status: 'succeeded' }) >= 0);
  for (const outcome of ['reused', 'fetched', 'failed', 'dropped', 'excluded'] as const) {
    assert.equal(value('argo_build_files_total', { outcome }), result[outcome], outcome);
  }
  assert.ok(result.fetched > 0);

  // The months: one built just now, holding January 2024's profiles.
  assert.equal(value('argo_months_built'), 1);
  const builtAgo = value('argo_newest_month_age_seconds', { month: '2024-01' });
  assert.ok(builtAgo >= 0 && builtAgo < 600, `built ${builtAgo} s ago`);
  const month = (await app.catalog.listMonths())[0];
  const profileAge = value('argo_newest_profile_age_seconds', { month: '2024-01' });
  const expected = (Date.now() - Date.parse(month.end!)) / 1000;
  assert.ok(Math.abs(profileAge - expected) < 60, `newest profile ${profileAge} s old, expected about ${expected}`);
});

test('a store that cannot list its months leaves the age gauges out, and the scrape still answers', async (t) => {
  const app = await build(t, { env: { ARGO_INDEX_STORE: 's3://nowhere/prefix', ARGO_S3_ENDPOINT: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' } });
  const res = await app.inject('/metrics');
  assert.equal(res.statusCode, 200);
  assert.equal(res.body.match(/^argo_newest_(month|profile)_age_seconds\{/m), null);
  assert.equal(sample(res.body, 'argo_cache_hits_total', { cache: 'month' }), 0);
});
