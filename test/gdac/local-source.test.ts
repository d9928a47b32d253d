/**
 * The GDAC source over a local directory: whole and ranged reads through a file handle,
 * missing files, traversal refused, streaming.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { AbortedError, UpstreamError, UpstreamNotFoundError } from '../../src/errors.js';
import { createGdacSource } from '../../src/gdac/index.js';
import type { GdacSource } from '../../src/gdac/types.js';
import { skipWithoutShared } from '../kit/shared-sample.js';

const FILE = 'dac/test/1900001/profiles/R1900001_001.nc';

async function tree(t: TestContext, files: Record<string, Uint8Array>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gdac-local-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [path, bytes] of Object.entries(files)) {
    const full = join(dir, ...path.split('/'));
    await mkdir(join(full, '..'), { recursive: true });
    await writeFile(full, bytes);
  }
  return dir;
}

function source(t: TestContext, root: string): GdacSource {
  const s = createGdacSource({ roots: [root], downloadWorkers: 2, maxRetries: 2, retryBackoffMs: 5, timeoutMs: 1_000 });
  t.after(() => s.close());
  return s;
}

test('whole and ranged reads', async (t) => {
  const bytes = randomBytes(10_000);
  const gdac = source(t, await tree(t, { [FILE]: bytes }));
  assert.deepEqual(Buffer.from(await gdac.get(FILE)), bytes);
  assert.deepEqual(Buffer.from(await gdac.get(`/${FILE}`)), bytes);
  assert.deepEqual(Buffer.from(await gdac.getRange(FILE, { offset: 9_000, length: 100 })), bytes.subarray(9_000, 9_100));
  assert.deepEqual(Buffer.from(await gdac.getRange(FILE, { offset: 9_990, length: 100 })), bytes.subarray(9_990));
  assert.equal((await gdac.getRange(FILE, { offset: 20_000, length: 100 })).length, 0);
  const stats = gdac.stats();
  assert.equal(stats.requests, 5);
  assert.equal(stats.bytes, 10_000 * 2 + 100 + 10);
  assert.match(gdac.description, /GDAC directory/);
  assert.deepEqual(gdac.indexPaths, ['ar_index_global_prof.txt.gz', 'ar_index_global_prof.txt'], 'a local copy keeps its index at the root');
});

test('missing files and directories are UpstreamNotFoundError, never retried', async (t) => {
  const gdac = source(t, await tree(t, { [FILE]: randomBytes(10) }));
  await assert.rejects(gdac.get('dac/test/1900001/profiles/nope.nc'), UpstreamNotFoundError);
  await assert.rejects(gdac.get('dac/test'), UpstreamNotFoundError);
  await assert.rejects(gdac.get(`${FILE}/below-a-file`), UpstreamNotFoundError);
  await assert.rejects(gdac.stream('nope.txt'), UpstreamNotFoundError);
  assert.equal(gdac.stats().retries, 0);
});

test('paths that leave the root are refused', async (t) => {
  const root = await tree(t, { [FILE]: randomBytes(10) });
  const gdac = source(t, join(root, 'dac'));
  await assert.rejects(gdac.get('../dac/test/1900001/profiles/R1900001_001.nc'), (error: unknown) => {
    assert.ok(error instanceof UpstreamError);
    assert.ok(!(error instanceof UpstreamNotFoundError));
    return true;
  });
  await assert.rejects(gdac.get('test/../../etc/passwd'), UpstreamError);
  assert.equal(gdac.stats().requests, 0);
});

test('stream, and abort', async (t) => {
  const big = randomBytes(1_000_000);
  const gdac = source(t, await tree(t, { 'ar_index_global_prof.txt': big }));
  const chunks: Uint8Array[] = [];
  for await (const chunk of await gdac.stream('ar_index_global_prof.txt')) chunks.push(chunk);
  assert.deepEqual(Buffer.concat(chunks), big);

  const controller = new AbortController();
  const stream = await gdac.stream('ar_index_global_prof.txt', { signal: controller.signal });
  await assert.rejects(
    (async () => {
      for await (const _ of stream) controller.abort();
    })(),
    AbortedError,
  );
  await assert.rejects(gdac.get('ar_index_global_prof.txt', { signal: AbortSignal.abort() }), AbortedError);
});

test('reads the shared sample directly', async (t) => {
  const dir = skipWithoutShared(t);
  if (!dir) return;
  const gdac = source(t, dir);
  const onDisk = await readFile(join(dir, 'ar_index_global_prof.txt'));
  let total = 0;
  for await (const chunk of await gdac.stream('ar_index_global_prof.txt')) total += chunk.length;
  assert.equal(total, onDisk.length);
  assert.deepEqual(Buffer.from(await gdac.getRange('ar_index_global_prof.txt', { offset: 0, length: 7 })), Buffer.from('# Title'));
});
