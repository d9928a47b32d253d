/**
 * The GDAC source over HTTP mirrors, against the test mirror (test/kit/gdac-mirror.ts) on
 * loopback: retries, failover, permanent errors, Retry-After, Range fallback, abort, timeouts,
 * truncated bodies, streaming and the concurrency limit.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import {
  AbortedError,
  UpstreamError,
  UpstreamNotFoundError,
  UpstreamTimeoutError,
} from '../../src/errors.js';
import { createGdacSource, type GdacSourceOptions } from '../../src/gdac/index.js';
import { isTransient } from '../../src/gdac/transient.js';
import type { GdacSource } from '../../src/gdac/types.js';
import { startGdacMirror, type GdacMirror, type GdacMirrorOptions } from '../kit/gdac-mirror.js';
import { skipWithoutShared } from '../kit/shared-sample.js';

const FILE = 'dac/test/1900001/profiles/R1900001_001.nc';
const OTHER = 'dac/test/1900001/profiles/R1900001_002.nc';
const INDEX = 'ar_index_global_prof.txt';
const bytes = randomBytes(20_000);
const other = randomBytes(3_000);
const index = randomBytes(600_000);
const files = (): Map<string, Uint8Array> =>
  new Map<string, Uint8Array>([
    [FILE, bytes],
    [OTHER, other],
    [INDEX, index],
  ]);

async function mirror(t: TestContext, options: GdacMirrorOptions = {}): Promise<GdacMirror> {
  const m = await startGdacMirror({ files: files(), ...options });
  t.after(() => m.stop());
  return m;
}

function source(t: TestContext, roots: string[], options: Partial<GdacSourceOptions> = {}): GdacSource {
  const s = createGdacSource({
    roots,
    downloadWorkers: 4,
    maxRetries: 3,
    retryBackoffMs: 5,
    timeoutMs: 2_000,
    ...options,
  });
  t.after(() => s.close());
  return s;
}

const requestsFor = (m: GdacMirror, path: string): number => m.stats.byPath.get(path) ?? 0;

test('get and getRange return exactly the bytes asked for', async (t) => {
  const m = await mirror(t);
  const gdac = source(t, [m.url]);
  assert.deepEqual(Buffer.from(await gdac.get(FILE)), bytes);
  assert.deepEqual(Buffer.from(await gdac.getRange(FILE, { offset: 1000, length: 500 })), bytes.subarray(1000, 1500));
  // Past the end: shorter, then empty (the mirror answers 416).
  assert.deepEqual(Buffer.from(await gdac.getRange(FILE, { offset: 19_990, length: 100 })), bytes.subarray(19_990));
  assert.equal((await gdac.getRange(FILE, { offset: 50_000, length: 10 })).length, 0);
  // An empty range costs no request.
  assert.equal((await gdac.getRange(FILE, { offset: 10, length: 0 })).length, 0);
  assert.equal(requestsFor(m, FILE), 4);
  const stats = gdac.stats();
  assert.equal(stats.requests, 4);
  assert.equal(stats.bytes, 20_000 + 500 + 10);
  assert.equal(stats.retries, 0);
  assert.deepEqual(stats.rangeIgnoredBy, []);
  assert.match(gdac.description, /127\.0\.0\.1/);
});

test('a transient failure is retried, then succeeds', async (t) => {
  const m = await mirror(t);
  const gdac = source(t, [m.url]);
  m.setFault(FILE, { kind: 'status', status: 503, times: 2 });
  assert.deepEqual(Buffer.from(await gdac.get(FILE)), bytes);
  assert.equal(requestsFor(m, FILE), 3);
  assert.equal(gdac.stats().retries, 2);

  m.setFault(FILE, { kind: 'reset', times: 1 });
  assert.deepEqual(Buffer.from(await gdac.getRange(FILE, { offset: 0, length: 100 })), bytes.subarray(0, 100));
  assert.equal(requestsFor(m, FILE), 5);
});

test('a truncated body (shorter than Content-Length) is retried', async (t) => {
  const m = await mirror(t);
  const gdac = source(t, [m.url]);
  m.setFault(FILE, { kind: 'truncate', bytes: 1000, times: 1 });
  assert.deepEqual(Buffer.from(await gdac.get(FILE)), bytes);
  m.setFault(FILE, { kind: 'truncate', bytes: 10, times: 1 });
  assert.deepEqual(Buffer.from(await gdac.getRange(FILE, { offset: 100, length: 400 })), bytes.subarray(100, 500));
  assert.equal(requestsFor(m, FILE), 4);
  assert.equal(gdac.stats().retries, 2);
});

test('retries run out: a transient UpstreamError carrying the last cause', async (t) => {
  const m = await mirror(t);
  const gdac = source(t, [m.url], { maxRetries: 2 });
  m.setFault(FILE, { kind: 'status', status: 500 });
  await assert.rejects(gdac.get(FILE), (error: unknown) => {
    assert.ok(error instanceof UpstreamError);
    assert.ok(isTransient(error));
    assert.match(error.message, /failed after 3 attempts/);
    assert.equal((error.cause as UpstreamError).context.status, 500);
    return true;
  });
  assert.equal(requestsFor(m, FILE), 3);
});

test('fails over to the second mirror, and keeps using it while the first cools down', async (t) => {
  const a = await mirror(t);
  const b = await mirror(t);
  const gdac = source(t, [a.url, b.url], { maxRetries: 1 });
  a.setFault('**', { kind: 'status', status: 502 });
  assert.deepEqual(Buffer.from(await gdac.get(FILE)), bytes);
  assert.equal(requestsFor(a, FILE), 2);
  assert.equal(requestsFor(b, FILE), 1);
  assert.equal(gdac.stats().failovers, 1);

  // The first mirror just failed: the next read goes straight to the second.
  assert.deepEqual(Buffer.from(await gdac.get(OTHER)), other);
  assert.equal(requestsFor(a, OTHER), 0);
  assert.equal(requestsFor(b, OTHER), 1);
});

test('fails over on connection refused', async (t) => {
  const dead = await startGdacMirror({ files: files() });
  const deadUrl = dead.url;
  await dead.stop();
  const b = await mirror(t);
  const gdac = source(t, [deadUrl, b.url], { maxRetries: 1 });
  assert.deepEqual(Buffer.from(await gdac.get(FILE)), bytes);
  assert.equal(gdac.stats().failovers, 1);
});

test('404 is final: one request, no retry, no failover', async (t) => {
  const a = await mirror(t);
  const b = await mirror(t);
  const gdac = source(t, [a.url, b.url]);
  const missing = 'dac/test/1900001/profiles/R1900001_999.nc';
  await assert.rejects(gdac.get(missing), UpstreamNotFoundError);
  await assert.rejects(gdac.getRange(missing, { offset: 0, length: 10 }), UpstreamNotFoundError);
  await assert.rejects(gdac.stream(missing), UpstreamNotFoundError);
  assert.equal(requestsFor(a, missing), 3);
  assert.equal(requestsFor(b, missing), 0);
  assert.equal(gdac.stats().retries, 0);
});

test('403 is a permanent UpstreamError: no retry', async (t) => {
  const m = await mirror(t);
  const gdac = source(t, [m.url]);
  m.setFault(FILE, { kind: 'status', status: 403 });
  await assert.rejects(gdac.get(FILE), (error: unknown) => {
    assert.ok(error instanceof UpstreamError);
    assert.ok(!isTransient(error));
    assert.equal((error as UpstreamError).context.status, 403);
    return true;
  });
  assert.equal(requestsFor(m, FILE), 1);
});

test('429 Retry-After is honoured', async (t) => {
  const m = await mirror(t);
  const gdac = source(t, [m.url]);
  m.setFault(FILE, { kind: '429', retryAfterSeconds: 1, times: 1 });
  const started = Date.now();
  assert.deepEqual(Buffer.from(await gdac.get(FILE)), bytes);
  // The back-off alone would be ≤ 5 ms: waiting ~1 s means the header was read.
  assert.ok(Date.now() - started >= 950, `waited only ${Date.now() - started} ms`);
  assert.equal(requestsFor(m, FILE), 2);
});

test('a Retry-After longer than maxRetryAfterMs moves on instead of waiting', async (t) => {
  const a = await mirror(t);
  const b = await mirror(t);
  const gdac = source(t, [a.url, b.url], { maxRetryAfterMs: 1_000 });
  a.setFault(FILE, { kind: '429', retryAfterSeconds: 3600, asHttpDate: true });
  assert.deepEqual(Buffer.from(await gdac.get(FILE)), bytes);
  assert.equal(requestsFor(a, FILE), 1);
  assert.equal(requestsFor(b, FILE), 1);
});

test('a mirror that ignores Range: correct bytes, remembered, whole file reused', async (t) => {
  const m = await mirror(t, { ignoreRange: true });
  const gdac = source(t, [m.url]);
  const sized = { expectedSize: bytes.length };
  assert.deepEqual(Buffer.from(await gdac.getRange(FILE, { offset: 300, length: 200 }, sized)), bytes.subarray(300, 500));
  assert.deepEqual(gdac.stats().rangeIgnoredBy, [m.url]);
  // The next ranged read of the same file comes from the whole body already fetched.
  assert.deepEqual(Buffer.from(await gdac.getRange(FILE, { offset: 10_000, length: 50 }, sized)), bytes.subarray(10_000, 10_050));
  assert.equal(requestsFor(m, FILE), 1);
  // Another file: fetched whole (honestly, without Range), sliced correctly.
  assert.deepEqual(Buffer.from(await gdac.getRange(OTHER, { offset: 2_990, length: 50 }, { expectedSize: other.length })), other.subarray(2_990));
  assert.equal(requestsFor(m, OTHER), 1);
});

test('a 200 to a ranged read with no recorded size to check: sliced for that read only, not remembered, not cached', async (t) => {
  const m = await mirror(t, { ignoreRange: true });
  const gdac = source(t, [m.url]);
  assert.deepEqual(Buffer.from(await gdac.getRange(FILE, { offset: 300, length: 200 })), bytes.subarray(300, 500));
  assert.deepEqual(Buffer.from(await gdac.getRange(FILE, { offset: 10_000, length: 50 })), bytes.subarray(10_000, 10_050));
  assert.equal(requestsFor(m, FILE), 2);
  assert.deepEqual(gdac.stats().rangeIgnoredBy, []);
});

test('without the whole-object cache, every ranged read refetches but stays correct', async (t) => {
  const m = await mirror(t, { ignoreRange: true });
  const gdac = source(t, [m.url], { wholeObjectCacheBytes: 0 });
  for (const offset of [0, 7_000, 19_999]) {
    assert.deepEqual(Buffer.from(await gdac.getRange(FILE, { offset, length: 64 }, { expectedSize: bytes.length })), bytes.subarray(offset, offset + 64));
  }
  assert.equal(requestsFor(m, FILE), 3);
  assert.deepEqual(gdac.stats().rangeIgnoredBy, [m.url]);
});

test('abort: rejects at once with AbortedError, and no more requests are made', async (t) => {
  const m = await mirror(t);
  // random 0.99: a full-jitter back-off near its 60 s cap, never an instant retry.
  const gdac = source(t, [m.url], { retryBackoffMs: 60_000, timeoutMs: 30_000, random: () => 0.99 });

  // During a stalled request.
  m.setFault(FILE, { kind: 'stall', ms: 10_000 });
  const controller = new AbortController();
  const pending = gdac.get(FILE, { signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  const started = Date.now();
  await assert.rejects(pending, AbortedError);
  assert.ok(Date.now() - started < 5_000);

  // During a back-off sleep (60 s here).
  m.clearFaults();
  m.setFault(OTHER, { kind: 'status', status: 503 });
  const second = new AbortController();
  const retrying = gdac.get(OTHER, { signal: second.signal });
  setTimeout(() => second.abort(), 100);
  await assert.rejects(retrying, AbortedError);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(requestsFor(m, OTHER), 1);

  // Already aborted: no request at all.
  await assert.rejects(gdac.get(INDEX, { signal: AbortSignal.abort() }), AbortedError);
  assert.equal(requestsFor(m, INDEX), 0);
});

test('a stalled answer times out, is retried, then succeeds', async (t) => {
  const m = await mirror(t);
  const gdac = source(t, [m.url], { timeoutMs: 200 });
  m.setFault(FILE, { kind: 'stall', ms: 2_000, times: 1 });
  assert.deepEqual(Buffer.from(await gdac.get(FILE)), bytes);
  // A body that stops halfway.
  m.setFault(FILE, { kind: 'stall', ms: 2_000, afterBytes: 1_000, times: 1 });
  assert.deepEqual(Buffer.from(await gdac.get(FILE)), bytes);
  assert.equal(gdac.stats().retries, 2);
});

test('a mirror that never answers in time: UpstreamTimeoutError', async (t) => {
  const m = await mirror(t);
  const gdac = source(t, [m.url], { timeoutMs: 100, maxRetries: 1 });
  m.setFault(FILE, { kind: 'stall', ms: 2_000 });
  await assert.rejects(gdac.get(FILE), UpstreamTimeoutError);
  assert.equal(requestsFor(m, FILE), 2);
});

test('stream gives the whole object in chunks, and can be abandoned or aborted', async (t) => {
  const m = await mirror(t);
  const gdac = source(t, [m.url]);
  const chunks: Uint8Array[] = [];
  for await (const chunk of await gdac.stream(INDEX)) chunks.push(chunk);
  assert.ok(chunks.length > 1);
  assert.deepEqual(Buffer.concat(chunks), index);

  // Opening is retried like any read.
  m.setFault(INDEX, { kind: 'status', status: 503, times: 1 });
  let total = 0;
  for await (const chunk of await gdac.stream(INDEX)) total += chunk.length;
  assert.equal(total, index.length);

  // Breaking out early frees the slot (downloadWorkers 1 would deadlock otherwise).
  const one = source(t, [m.url], { downloadWorkers: 1 });
  for await (const chunk of await one.stream(INDEX)) {
    assert.ok(chunk.length > 0);
    break;
  }
  assert.equal((await one.get(OTHER)).length, other.length);

  // Aborting mid-stream ends the iteration with AbortedError.
  m.setFault(INDEX, { kind: 'stall', ms: 5_000, afterBytes: 1_000 });
  const controller = new AbortController();
  const stream = await gdac.stream(INDEX, { signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(
    (async () => {
      for await (const _ of stream) void _;
    })(),
    AbortedError,
  );
});

test('at most downloadWorkers requests in flight', async (t) => {
  const m = await mirror(t, { latencyMs: 30 });
  const gdac = source(t, [m.url], { downloadWorkers: 2 });
  const results = await Promise.all(Array.from({ length: 8 }, () => gdac.get(OTHER)));
  for (const r of results) assert.equal(r.length, other.length);
  assert.equal(m.stats.maxInFlight, 2);
});

test('paths outside the GDAC root are refused without a request', async (t) => {
  const m = await mirror(t);
  const gdac = source(t, [m.url]);
  for (const bad of ['../etc/passwd', 'dac/../../x', 'dac//x', '', 'dac\\x']) {
    await assert.rejects(gdac.get(bad), UpstreamError, bad);
  }
  assert.equal(m.stats.requests, 0);
});

test('a mirror root with a path (like usgodae /pub/outgoing/argo)', async (t) => {
  const m = await mirror(t, { basePath: '/pub/outgoing/argo' });
  const gdac = source(t, [`${m.url}/`]);
  assert.deepEqual(Buffer.from(await gdac.getRange(FILE, { offset: 5, length: 5 })), bytes.subarray(5, 10));
});

test('reads the shared sample through the mirror byte for byte', async (t) => {
  const dir = skipWithoutShared(t);
  if (!dir) return;
  const m = await startGdacMirror({ root: dir });
  t.after(() => m.stop());
  const gdac = source(t, [m.url]);
  const path = 'dac/coriolis/6903247/profiles/R6903247_001.nc';
  const onDisk = await readFile(join(dir, ...path.split('/'))).catch(() => undefined);
  if (!onDisk) {
    t.skip(`${path} is not in the shared sample`);
    return;
  }
  assert.deepEqual(Buffer.from(await gdac.get(path)), onDisk);
  assert.deepEqual(Buffer.from(await gdac.getRange(path, { offset: 0, length: 4 })), onDisk.subarray(0, 4));
});
