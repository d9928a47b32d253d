import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { build } from '../helpers/build.js';

const packageVersion = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version as string;

async function tempDir(t: import('node:test').TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'argo-health-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('GET /healthz answers while the process is up', async (t) => {
  const app = await build(t, { env: { ARGO_INDEX_STORE: await tempDir(t) } });
  const res = await app.inject('/healthz');
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assert.equal(body.status, 'ok');
  assert.equal(typeof body.uptime_seconds, 'number');
  assert.equal(body.version, packageVersion, "the package's version, not the API's");
  assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/);
});

test('a sane X-Request-Id from the caller is kept', async (t) => {
  const app = await build(t, { env: { ARGO_INDEX_STORE: await tempDir(t) } });
  const res = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'gateway-123' } });
  assert.equal(res.headers['x-request-id'], 'gateway-123');
});

test('GET /readyz is 200 when the local store is reachable', async (t) => {
  const dir = await tempDir(t);
  const app = await build(t, { env: { ARGO_INDEX_STORE: dir } });
  const res = await app.inject('/readyz');
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().status, 'ready');
  assert.equal(res.json().checks.index_store.ok, true);
});

test('GET /readyz is 503 when the store cannot be reached', async (t) => {
  // An S3 store on a closed loopback port: unreachable, and no credentials leak into the answer.
  const app = await build(t, {
    env: {
      ARGO_INDEX_STORE: 's3://nowhere/prefix',
      ARGO_S3_ENDPOINT: 'http://127.0.0.1:9',
      AWS_ACCESS_KEY_ID: 'AKIDSECRET',
      AWS_SECRET_ACCESS_KEY: 'very-secret',
    },
  });
  const res = await app.inject('/readyz');
  assert.equal(res.statusCode, 503);
  assert.equal(res.json().status, 'unavailable');
  assert.equal(res.json().checks.index_store.ok, false);
  assert.ok(!res.body.includes('very-secret') && !res.body.includes('AKIDSECRET'));
});

test('GET /metrics exposes request counts and latencies in Prometheus text', async (t) => {
  const app = await build(t, { env: { ARGO_INDEX_STORE: await tempDir(t) } });
  await app.inject('/healthz');
  await app.inject('/healthz');
  const res = await app.inject('/metrics');
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/plain/);
  assert.match(res.body, /http_requests_total\{method="GET",route="\/healthz",status="200"\} 2/);
  assert.match(res.body, /http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/healthz"\}/);
  assert.match(res.body, /process_resident_memory_bytes/);
});

test('GET /docs serves Swagger UI and /openapi.json the document', async (t) => {
  const app = await build(t, { env: { ARGO_INDEX_STORE: await tempDir(t) } });
  const docs = await app.inject('/docs/');
  assert.equal(docs.statusCode, 200);
  assert.match(docs.body, /swagger-ui/i);
  const spec = await app.inject('/openapi.json');
  assert.equal(spec.statusCode, 200);
  const doc = spec.json();
  assert.equal(doc.openapi, '3.0.3');
  assert.ok(doc.paths['/healthz'].get.operationId);
});

test('an unknown route is a 404 problem+json', async (t) => {
  const app = await build(t, { env: { ARGO_INDEX_STORE: await tempDir(t) } });
  const res = await app.inject('/nope');
  assert.equal(res.statusCode, 404);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(res.json().status, 404);
  assert.equal(res.json().title, 'Not Found');
});

test('CORS: browsers may call from any origin and read the X-Argo headers', async (t) => {
  const app = await build(t, { env: { ARGO_INDEX_STORE: await tempDir(t) } });
  const res = await app.inject({ url: '/healthz', headers: { origin: 'https://dashboard.example' } });
  assert.equal(res.headers['access-control-allow-origin'], '*');
  assert.match(String(res.headers['access-control-expose-headers']), /X-Argo-Profiles-Matched/);
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/v1/profiles',
    headers: { origin: 'https://dashboard.example', 'access-control-request-method': 'GET' },
  });
  assert.equal(preflight.statusCode, 204);
});
