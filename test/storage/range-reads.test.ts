/**
 * `getRange` and `head`, the same contract on both backends: the local directory (a positioned
 * read) and S3 (a ranged GET, against s3rver on loopback): the exact bytes asked for, fewer at
 * the end of the object, none past it, `undefined` for a missing key, a RangeError for a bad
 * range, an abort honoured.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { AbortedError } from '../../src/errors.js';
import { createBlobStore, type BlobStore } from '../../src/storage/index.js';
import { startS3Server } from '../kit/s3-server.js';

type Backend = 'local' | 's3';

async function open(t: TestContext, backend: Backend): Promise<BlobStore> {
  if (backend === 'local') {
    const dir = await mkdtemp(join(tmpdir(), 'range-store-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    return createBlobStore({ location: join(dir, 'index') });
  }
  const server = await startS3Server({ buckets: ['argo-index'] });
  t.after(() => server.stop());
  const store = createBlobStore({ location: 's3://argo-index/v1', s3: server.config, conditionalWrites: false });
  t.after(() => store.close?.());
  return store;
}

for (const backend of ['local', 's3'] as const) {
  test(`${backend}: getRange returns exactly the bytes asked for`, async (t) => {
    const store = await open(t, backend);
    const key = 'packs/2023/2023-04.abc.parquet';
    const bytes = new Uint8Array(randomBytes(300_000));
    await store.put(key, bytes);

    for (const [offset, length] of [
      [0, 1],
      [0, 8],
      [123_456, 70_000],
      [bytes.length - 8, 8],
      [0, bytes.length],
    ]) {
      const got = await store.getRange(key, { offset, length });
      assert.ok(got, `${offset}+${length}: missing`);
      assert.equal(got.length, length, `${offset}+${length}: length`);
      assert.deepEqual(Buffer.from(got), Buffer.from(bytes.subarray(offset, offset + length)), `${offset}+${length}: bytes`);
    }
    // Past the end: what exists, then nothing.
    const tail = await store.getRange(key, { offset: bytes.length - 100, length: 1000 });
    assert.deepEqual(Buffer.from(tail!), Buffer.from(bytes.subarray(bytes.length - 100)));
    assert.equal((await store.getRange(key, { offset: bytes.length, length: 10 }))?.length, 0);
    assert.equal((await store.getRange(key, { offset: bytes.length + 5000, length: 10 }))?.length, 0);
  });

  test(`${backend}: missing key → undefined; head gives the size`, async (t) => {
    const store = await open(t, backend);
    assert.equal(await store.getRange('packs/2023/none.parquet', { offset: 0, length: 10 }), undefined);
    assert.equal(await store.head('packs/2023/none.parquet'), undefined);
    await store.put('packs/2023/x.parquet', new Uint8Array(12_345));
    const info = await store.head('packs/2023/x.parquet');
    assert.equal(info?.size, 12_345);
    assert.ok(info?.lastModified instanceof Date);
    await store.put('packs/2023/empty.parquet', new Uint8Array(0));
    assert.equal((await store.head('packs/2023/empty.parquet'))?.size, 0);
    // s3rver drops the connection on a ranged GET of an empty object (S3 answers 416): local only.
    if (backend === 'local') assert.equal((await store.getRange('packs/2023/empty.parquet', { offset: 0, length: 4 }))?.length, 0);
  });

  test(`${backend}: a bad range is a RangeError; an aborted read is an AbortedError`, async (t) => {
    const store = await open(t, backend);
    await store.put('packs/a.parquet', new Uint8Array(100));
    for (const range of [
      { offset: -1, length: 4 },
      { offset: 0, length: 0 },
      { offset: 1.5, length: 4 },
      { offset: 0, length: Number.NaN },
    ]) {
      await assert.rejects(store.getRange('packs/a.parquet', range), RangeError, JSON.stringify(range));
    }
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(store.getRange('packs/a.parquet', { offset: 0, length: 4, signal: controller.signal }), AbortedError);
  });
}
