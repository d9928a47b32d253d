/**
 * The test mirror itself: what other tests rely on (Range, 416, HEAD, faults that clear after
 * `times`, globs, basePath, stats) behaves as documented.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { request } from 'undici';
import { startGdacMirror } from './gdac-mirror.js';
import { skipWithoutShared } from './shared-sample.js';

const FILE = 'dac/test/1900001/profiles/R1900001_001.nc';

async function get(url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') {
  const res = await request(url, { headers, method });
  const body = new Uint8Array(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, body };
}

test('serves whole files, single ranges, 416 and HEAD', async (t) => {
  const bytes = randomBytes(5000);
  const mirror = await startGdacMirror({ files: new Map([[FILE, bytes]]) });
  t.after(() => mirror.stop());

  const whole = await get(`${mirror.url}/${FILE}`);
  assert.equal(whole.status, 200);
  assert.deepEqual(Buffer.from(whole.body), bytes);
  assert.equal(whole.headers['content-length'], '5000');
  assert.equal(whole.headers['accept-ranges'], 'bytes');
  assert.ok(whole.headers.etag);

  const part = await get(`${mirror.url}/${FILE}`, { range: 'bytes=100-199' });
  assert.equal(part.status, 206);
  assert.equal(part.headers['content-range'], 'bytes 100-199/5000');
  assert.deepEqual(Buffer.from(part.body), bytes.subarray(100, 200));

  const tail = await get(`${mirror.url}/${FILE}`, { range: 'bytes=-10' });
  assert.deepEqual(Buffer.from(tail.body), bytes.subarray(4990));

  const past = await get(`${mirror.url}/${FILE}`, { range: 'bytes=6000-6010' });
  assert.equal(past.status, 416);
  assert.equal(past.headers['content-range'], 'bytes */5000');

  const head = await get(`${mirror.url}/${FILE}`, {}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(head.headers['content-length'], '5000');

  assert.equal((await get(`${mirror.url}/dac/missing.nc`)).status, 404);
  assert.equal((await get(`${mirror.url}/dac/%2e%2e/%2e%2e/etc/passwd`)).status, 404);
  assert.equal(mirror.stats.requests, 7);
  assert.equal(mirror.stats.byPath.get(FILE), 5);
});

test('ignoreRange answers 200 with the whole body', async (t) => {
  const bytes = randomBytes(1000);
  const mirror = await startGdacMirror({ files: new Map([[FILE, bytes]]), ignoreRange: true });
  t.after(() => mirror.stop());
  const res = await get(`${mirror.url}/${FILE}`, { range: 'bytes=0-9' });
  assert.equal(res.status, 200);
  assert.equal(res.body.length, 1000);
  mirror.setIgnoreRange(false);
  assert.equal((await get(`${mirror.url}/${FILE}`, { range: 'bytes=0-9' })).status, 206);
});

test('faults apply to matching paths, `times` times, then clear', async (t) => {
  const bytes = randomBytes(3000);
  const mirror = await startGdacMirror({ files: new Map([[FILE, bytes]]) });
  t.after(() => mirror.stop());

  mirror.setFault('dac/*/*/profiles/*.nc', { kind: 'status', status: 503, times: 2 });
  assert.equal((await get(`${mirror.url}/${FILE}`)).status, 503);
  assert.equal((await get(`${mirror.url}/${FILE}`)).status, 503);
  assert.equal((await get(`${mirror.url}/${FILE}`)).status, 200);

  mirror.setFault('dac/**', { kind: '429', retryAfterSeconds: 7, times: 1 });
  const limited = await get(`${mirror.url}/${FILE}`);
  assert.equal(limited.status, 429);
  assert.equal(limited.headers['retry-after'], '7');

  mirror.setFault(FILE, { kind: 'corrupt', times: 1 });
  const corrupted = await get(`${mirror.url}/${FILE}`);
  assert.equal(corrupted.body.length, bytes.length);
  assert.notDeepEqual(Buffer.from(corrupted.body), bytes);
  assert.equal(corrupted.body[0], bytes[0] ^ 0xff);

  mirror.setFault(FILE, { kind: 'reset', times: 1 });
  await assert.rejects(get(`${mirror.url}/${FILE}`));

  mirror.setFault(FILE, { kind: 'truncate', bytes: 100, times: 1 });
  await assert.rejects(get(`${mirror.url}/${FILE}`));

  mirror.setFault(FILE, { kind: 'status', status: 404 });
  mirror.clearFaults();
  assert.equal((await get(`${mirror.url}/${FILE}`)).status, 200);

  mirror.resetStats();
  assert.equal(mirror.stats.requests, 0);
  assert.equal(mirror.stats.byPath.size, 0);
});

test('basePath serves the tree under a URL path', async (t) => {
  const bytes = randomBytes(10);
  const mirror = await startGdacMirror({ files: new Map([[FILE, bytes]]), basePath: '/pub/outgoing/argo' });
  t.after(() => mirror.stop());
  assert.match(mirror.url, /\/pub\/outgoing\/argo$/);
  assert.deepEqual(Buffer.from((await get(`${mirror.url}/${FILE}`)).body), bytes);
  assert.equal((await get(mirror.url.replace('/pub/outgoing/argo', '') + `/${FILE}`)).status, 404);
});

test('serves the shared sample tree from disk', async (t) => {
  const dir = skipWithoutShared(t);
  if (!dir) return;
  const mirror = await startGdacMirror({ root: dir });
  t.after(() => mirror.stop());
  const res = await get(`${mirror.url}/ar_index_global_prof.txt`);
  assert.equal(res.status, 200);
  assert.deepEqual(Buffer.from(res.body), await readFile(join(dir, 'ar_index_global_prof.txt')));
});

test('faults for answers that are not the file: an HTML page, a wrong Content-Range total, a replaced file', async (t) => {
  const bytes = randomBytes(5000);
  const mirror = await startGdacMirror({ files: new Map([[FILE, bytes]]) });
  t.after(() => mirror.stop());

  mirror.setFault(FILE, { kind: 'html', times: 1 });
  const page = await get(`${mirror.url}/${FILE}`, { range: 'bytes=100-199' });
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.ok(page.body.length >= 1_000_000 && page.body.length < 1_001_000, String(page.body.length));
  assert.match(Buffer.from(page.body.subarray(0, 15)).toString(), /^<!DOCTYPE html>/);

  mirror.setFault(FILE, { kind: 'wrong-total', delta: 123, times: 2 });
  const part = await get(`${mirror.url}/${FILE}`, { range: 'bytes=100-199' });
  assert.equal(part.status, 206);
  assert.equal(part.headers['content-range'], 'bytes 100-199/5123');
  assert.deepEqual(Buffer.from(part.body), bytes.subarray(100, 200));
  assert.equal((await get(`${mirror.url}/${FILE}`)).body.length, 5000, 'no Range: answered normally');

  const replaced = randomBytes(7000);
  mirror.setFile(FILE, replaced);
  const after = await get(`${mirror.url}/${FILE}`, { range: 'bytes=0-9' });
  assert.equal(after.headers['content-range'], 'bytes 0-9/7000');
  assert.deepEqual(Buffer.from(after.body), replaced.subarray(0, 10));
});
