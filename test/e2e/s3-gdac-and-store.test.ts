/**
 * An S3 GDAC beside an S3 index store on another endpoint (issue 17): two s3rver instances, one
 * laid out as the public S3 GDAC (`s3://argo-gdac-sandbox/pub`: index files under `pub/idx/`,
 * profile files under `pub/dac/`), one as the index store (a MinIO stand-in). The app is
 * configured only through the environment names (ARGO_GDAC_S3_ENDPOINT for the GDAC,
 * ARGO_S3_ENDPOINT and the AWS keys for the store), builds two months and answers queries, and
 * the answers are the same bytes as from the same GDAC read from a local directory.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import { generateDemoGdac } from '../../fixtures/index.js';
import type { BuildJob } from '../../src/month-index/types.js';
import { testConfig } from '../helpers/config.js';
import { build } from '../helpers/build.js';
import { tempDir } from '../month-index/helpers.js';
import { startS3Server, type S3TestServer } from '../kit/s3-server.js';

const MONTHS = ['2024-01', '2024-02'];
const GDAC_BUCKET = 'argo-gdac-sandbox';
const STORE_BUCKET = 'argo-index';
const WINDOW = 'start=2024-01-01&end=2024-03-01&depth=0,10,50,100,500&max_profiles=10000';

async function keys(s3: S3TestServer, bucket: string): Promise<string[]> {
  const out = await s3.client().send(new ListObjectsV2Command({ Bucket: bucket }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

async function buildAll(app: FastifyInstance): Promise<BuildJob> {
  const submitted = app.builds.submit({ months: MONTHS });
  return app.builds.wait(submitted.id, { signal: AbortSignal.timeout(60_000) });
}

async function demo(t: TestContext): Promise<{ dir: string; indexText: string; count: number }> {
  const dir = await tempDir(t, 'split-demo-gdac-');
  const made = await generateDemoGdac({ outDir: dir, months: MONTHS, profilesPerMonth: 30, seed: 17 });
  const indexText = await readFile(join(dir, made.indexPath), 'latin1');
  return { dir, indexText, count: made.profiles.length };
}

test('an S3 GDAC (own endpoint, anonymous, idx/ layout) and an S3 index store on another endpoint', async (t) => {
  const { dir, indexText } = await demo(t);
  const gdacS3 = await startS3Server({ buckets: [GDAC_BUCKET] });
  t.after(() => gdacS3.stop());
  const storeS3 = await startS3Server({ buckets: [STORE_BUCKET] });
  t.after(() => storeS3.stop());

  // The public bucket's layout: data under pub/dac/, the gzipped index under pub/idx/.
  await gdacS3.uploadDirectory({ bucket: GDAC_BUCKET, prefix: 'pub/dac', dir: join(dir, 'dac') });
  await gdacS3.putObject(GDAC_BUCKET, 'pub/idx/ar_index_global_prof.txt.gz', gzipSync(Buffer.from(indexText, 'latin1')));

  const env = {
    ARGO_GDAC: `s3://${GDAC_BUCKET}/pub`,
    ARGO_GDAC_S3_ENDPOINT: gdacS3.endpoint,
    ARGO_INDEX_STORE: `s3://${STORE_BUCKET}/v1`,
    ARGO_S3_ENDPOINT: storeS3.endpoint,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    ARGO_MASTER_TTL_SECONDS: '0',
    ARGO_MAX_FETCH_RETRIES: '1',
    ARGO_RETRY_BACKOFF_SECONDS: '0.01',
  };
  const app = await build(t, { env });
  assert.equal(testConfig(env).gdac.s3.anonymous, true, 'the GDAC is read unsigned by default');
  assert.equal(testConfig(env).gdac.s3.endpoint, gdacS3.endpoint);
  assert.equal(testConfig(env).s3.endpoint, storeS3.endpoint);

  const job = await buildAll(app);
  assert.equal(job.status, 'succeeded', job.error);
  assert.deepEqual(job.results.map((r) => r.month), MONTHS);
  assert.ok(job.results.every((r) => r.profiles > 0 && r.failed === 0), JSON.stringify(job.results));

  // Everything went where it belongs: month objects in the store only, nothing written to the GDAC.
  const storeKeys = await keys(storeS3, STORE_BUCKET);
  assert.ok(storeKeys.includes('v1/master_index.json'), storeKeys.join(', '));
  for (const m of MONTHS) assert.ok(storeKeys.some((k) => k.startsWith(`v1/months/2024/${m}.`)), `${m} in the store`);
  const gdacKeys = await keys(gdacS3, GDAC_BUCKET);
  assert.ok(gdacKeys.every((k) => k.startsWith('pub/dac/') || k === 'pub/idx/ar_index_global_prof.txt.gz'), 'the GDAC bucket is untouched');

  const months = await app.inject({ method: 'GET', url: '/v1/months' });
  assert.equal(months.statusCode, 200);
  const listed = JSON.parse(months.body) as { month: string; profiles: number }[];
  assert.deepEqual(listed.map((m) => [m.month, m.profiles]), job.results.map((r) => [r.month, r.profiles]));

  const answer = await app.inject({ method: 'GET', url: `/v1/profiles?${WINDOW}` });
  assert.equal(answer.statusCode, 200, answer.body);
  assert.equal(answer.headers['x-argo-months-missing'], '');
  const lines = answer.body.trim().split('\n').map((l) => JSON.parse(l) as { id: string; TEMP: (number | null)[] });
  // Standard mode leaves out the demo's few profiles without a good position or date.
  assert.equal(lines.length, Number(answer.headers['x-argo-profiles-matched']));
  assert.ok(lines.length >= 50, `${lines.length} profiles`);
  assert.ok(lines.every((l) => l.id && Array.isArray(l.TEMP) && l.TEMP.length === 5));
  assert.ok(lines.some((l) => l.TEMP.some((v) => v !== null)), 'level data read from the S3 GDAC');

  // The same GDAC as a local directory, the same answer byte for byte.
  const local = await build(t, { env: { ARGO_GDAC: dir, ARGO_INDEX_STORE: await tempDir(t, 'split-local-store-'), ARGO_MASTER_TTL_SECONDS: '0' } });
  const localJob = await buildAll(local);
  assert.equal(localJob.status, 'succeeded', localJob.error);
  const localAnswer = await local.inject({ method: 'GET', url: `/v1/profiles?${WINDOW}` });
  assert.equal(localAnswer.body, answer.body);
});

test('an S3 GDAC laid out like an HTTPS mirror (index at the root) is read too; ARGO_GDAC_INDEX can name an s3:// index', async (t) => {
  const { dir, indexText } = await demo(t);
  const gdacS3 = await startS3Server({ buckets: ['gdac-copy'] });
  t.after(() => gdacS3.stop());
  const storeS3 = await startS3Server({ buckets: [STORE_BUCKET] });
  t.after(() => storeS3.stop());
  await gdacS3.uploadDirectory({ bucket: 'gdac-copy', prefix: 'argo/dac', dir: join(dir, 'dac') });
  await gdacS3.putObject('gdac-copy', 'argo/ar_index_global_prof.txt', indexText);
  await gdacS3.putObject('gdac-copy', 'argo/elsewhere/profiles-index.txt', indexText);
  const env = {
    ARGO_GDAC: 's3://gdac-copy/argo',
    ARGO_GDAC_S3_ENDPOINT: gdacS3.endpoint,
    // A private copy: requests signed with the AWS keys (s3rver accepts both).
    ARGO_GDAC_S3_ANONYMOUS: 'false',
    ARGO_INDEX_STORE: `s3://${STORE_BUCKET}/v1`,
    ARGO_S3_ENDPOINT: storeS3.endpoint,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    ARGO_MAX_FETCH_RETRIES: '0',
  };
  const app = await build(t, { env });
  const job = await buildAll(app);
  assert.equal(job.status, 'succeeded', job.error);
  assert.ok(job.results.every((r) => r.profiles > 0));

  const namedEnv = { ...env, ARGO_INDEX_STORE: `s3://${STORE_BUCKET}/v2`, ARGO_GDAC_INDEX: 's3://gdac-copy/argo/elsewhere/profiles-index.txt' };
  const named = await build(t, { env: namedEnv });
  assert.equal(testConfig(namedEnv).gdac.index, 'elsewhere/profiles-index.txt');
  const namedJob = await buildAll(named);
  assert.equal(namedJob.status, 'succeeded', namedJob.error);
  assert.deepEqual(namedJob.results.map((r) => r.profiles), job.results.map((r) => r.profiles));
});
