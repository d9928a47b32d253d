/**
 * The GDAC source over `s3://bucket/prefix`, against s3rver on loopback (test/kit/s3-server.ts):
 * get/getRange/stream, NoSuchKey, anonymous access, retries when the endpoint is down, abort.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { AbortedError, UpstreamError, UpstreamNotFoundError, UpstreamTimeoutError, isAbortError } from '../../src/errors.js';
import { createGdacSource, type GdacSourceOptions } from '../../src/gdac/index.js';
import { isTransient } from '../../src/gdac/transient.js';
import type { GdacSource } from '../../src/gdac/types.js';
import { startS3Server, type S3TestServer } from '../kit/s3-server.js';
import { sharedSampleDir } from '../kit/shared-sample.js';

const FILE = 'dac/test/1900001/profiles/R1900001_001.nc';
const bytes = randomBytes(50_000);
const index = randomBytes(300_000);

async function server(t: TestContext): Promise<S3TestServer> {
  const s3 = await startS3Server({ buckets: ['argo-gdac'] });
  t.after(() => s3.stop());
  await s3.putObject('argo-gdac', `pub/${FILE}`, bytes);
  await s3.putObject('argo-gdac', 'pub/ar_index_global_prof.txt', index);
  return s3;
}

function source(t: TestContext, options: Partial<GdacSourceOptions> & Pick<GdacSourceOptions, 'roots'>): GdacSource {
  const s = createGdacSource({ downloadWorkers: 4, maxRetries: 2, retryBackoffMs: 5, timeoutMs: 2_000, ...options });
  t.after(() => s.close());
  return s;
}

test('get, getRange and stream from a bucket prefix', async (t) => {
  const s3 = await server(t);
  const gdac = source(t, { roots: ['s3://argo-gdac/pub'], s3: s3.config });
  assert.deepEqual(Buffer.from(await gdac.get(FILE)), bytes);
  assert.deepEqual(Buffer.from(await gdac.getRange(FILE, { offset: 40_000, length: 1_000 })), bytes.subarray(40_000, 41_000));
  assert.deepEqual(Buffer.from(await gdac.getRange(FILE, { offset: 49_990, length: 100 })), bytes.subarray(49_990));
  assert.equal((await gdac.getRange(FILE, { offset: 60_000, length: 10 })).length, 0);
  const chunks: Uint8Array[] = [];
  for await (const chunk of await gdac.stream('ar_index_global_prof.txt')) chunks.push(chunk);
  assert.deepEqual(Buffer.concat(chunks), index);
  const stats = gdac.stats();
  assert.equal(stats.requests, 5);
  assert.equal(stats.retries, 0);
  assert.deepEqual(stats.rangeIgnoredBy, []);
  assert.equal(gdac.description, 'GDAC s3://argo-gdac/pub');
  // Where the S3 GDAC keeps its index: idx/ first (s3://argo-gdac-sandbox/pub/idx/), then the root.
  assert.deepEqual(gdac.indexPaths, ['idx/ar_index_global_prof.txt.gz', 'idx/ar_index_global_prof.txt', 'ar_index_global_prof.txt.gz', 'ar_index_global_prof.txt']);
});

test('NoSuchKey is UpstreamNotFoundError, not retried', async (t) => {
  const s3 = await server(t);
  const gdac = source(t, { roots: ['s3://argo-gdac/pub'], s3: s3.config });
  await assert.rejects(gdac.get('dac/none.nc'), UpstreamNotFoundError);
  await assert.rejects(gdac.getRange('dac/none.nc', { offset: 0, length: 8 }), UpstreamNotFoundError);
  await assert.rejects(gdac.stream('dac/none.nc'), UpstreamNotFoundError);
  assert.equal(gdac.stats().requests, 3);
  assert.equal(gdac.stats().retries, 0);

  // A missing bucket is a misconfiguration, not a missing file.
  const wrong = source(t, { roots: ['s3://no-such-bucket/pub'], s3: s3.config });
  await assert.rejects(wrong.get(FILE), (error: unknown) => {
    assert.ok(error instanceof UpstreamError);
    assert.ok(!(error instanceof UpstreamNotFoundError));
    assert.ok(!isTransient(error));
    return true;
  });
});

test('anonymous by default when no credentials are configured (the public Argo bucket)', async (t) => {
  const s3 = await server(t);
  const { credentials: _unused, ...withoutCredentials } = s3.config;
  const gdac = source(t, { roots: ['s3://argo-gdac/pub/'], s3: withoutCredentials });
  assert.deepEqual(Buffer.from(await gdac.getRange(FILE, { offset: 0, length: 16 })), bytes.subarray(0, 16));
});

test('an endpoint that is down: retried, then a transient UpstreamError', async (t) => {
  const s3 = await startS3Server({ buckets: ['argo-gdac'] });
  const config = s3.config;
  await s3.stop();
  const gdac = source(t, { roots: ['s3://argo-gdac/pub'], s3: config, maxRetries: 2 });
  await assert.rejects(gdac.get(FILE), (error: unknown) => {
    assert.ok(error instanceof UpstreamError);
    assert.ok(isTransient(error));
    return true;
  });
  assert.equal(gdac.stats().requests, 3);
  assert.equal(gdac.stats().retries, 2);
});

test('abort rejects with AbortedError', async (t) => {
  const s3 = await server(t);
  const gdac = source(t, { roots: ['s3://argo-gdac/pub'], s3: s3.config });
  await assert.rejects(gdac.get(FILE, { signal: AbortSignal.abort() }), AbortedError);
  const controller = new AbortController();
  const stream = await gdac.stream('ar_index_global_prof.txt', { signal: controller.signal });
  await assert.rejects(
    (async () => {
      for await (const _ of stream) controller.abort();
    })(),
    AbortedError,
  );
});

test('a GDAC tree uploaded from the shared sample reads back identically', async (t) => {
  const dir = sharedSampleDir();
  if (!dir) {
    t.skip('needs the shared Argo GDAC sample (absent in this checkout)');
    return;
  }
  const s3 = await startS3Server({ buckets: ['argo-gdac'] });
  t.after(() => s3.stop());
  await s3.uploadDirectory({ bucket: 'argo-gdac', prefix: 'pub', dir: join(dir, 'dac', 'coriolis') });
  const gdac = source(t, { roots: ['s3://argo-gdac/pub'], s3: s3.config });
  const path = '6903247/profiles/R6903247_001.nc';
  const onDisk = await readFile(join(dir, 'dac', 'coriolis', ...path.split('/')));
  assert.deepEqual(Buffer.from(await gdac.get(path)), onDisk);
});

/**
 * An S3-speaking endpoint on loopback that stalls: `headers` → never answers a request;
 * `body` → answers GetObject with its headers and the first 16 bytes of a 100 KB body, then
 * nothing more (a connection that dies mid-body without closing).
 */
async function stallingS3(t: TestContext, mode: 'headers' | 'body'): Promise<{ endpoint: string; requests: () => number }> {
  let requests = 0;
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    requests++;
    if (mode === 'headers') return;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '100000', etag: '"0123"' });
    res.write(Buffer.alloc(16, 0x41));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((done) => server.close(() => done()));
  });
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

const stalledConfig = (endpoint: string) => ({
  endpoint,
  forcePathStyle: true,
  region: 'us-east-1',
  credentials: { accessKeyId: 'K', secretAccessKey: 'S' },
});

/** The outcome of `work`, or 'hung' after `ms`. */
function orHung<T>(work: Promise<T>, ms = 8_000): Promise<T | unknown> {
  return Promise.race([work.catch((error: unknown) => error), new Promise((r) => setTimeout(() => r('hung'), ms).unref())]);
}

test('an S3 GDAC that never answers: a timely UpstreamTimeoutError (an error line, not a quiet end)', async (t) => {
  const s3 = await stallingS3(t, 'headers');
  const gdac = source(t, { roots: ['s3://argo-gdac/pub'], s3: stalledConfig(s3.endpoint), timeoutMs: 300, maxRetries: 1 });
  const started = Date.now();
  const outcome = await orHung(gdac.getRange(FILE, { offset: 0, length: 100 }));
  assert.ok(outcome instanceof UpstreamTimeoutError, String(outcome));
  // Before: the SDK's AbortError in its cause chain made it look like a client that left, so a
  // query body ended quietly, short, with no error line.
  assert.equal(isAbortError(outcome), false);
  assert.ok(Date.now() - started < 4_000, `${Date.now() - started} ms`);
  assert.equal(s3.requests(), 2);
});

test('an S3 GDAC whose index stream stops mid-body: the stream fails after the idle timeout instead of hanging', async (t) => {
  const s3 = await stallingS3(t, 'body');
  const gdac = source(t, { roots: ['s3://argo-gdac/pub'], s3: stalledConfig(s3.endpoint), timeoutMs: 500 });
  const started = Date.now();
  const outcome = await orHung(
    (async () => {
      let received = 0;
      for await (const chunk of await gdac.stream('ar_index_global_prof.txt')) received += chunk.length;
      return received;
    })(),
  );
  // Before: past its headers the stream had no deadline but the caller's signal: it hung.
  assert.ok(outcome instanceof UpstreamError || outcome instanceof UpstreamTimeoutError, String(outcome));
  assert.equal(isAbortError(outcome), false);
  assert.ok(Date.now() - started < 5_000, `${Date.now() - started} ms`);
});
