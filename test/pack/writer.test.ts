/**
 * The pack writer (createPackWriter): on a worker thread it writes the same pack, byte for byte,
 * as on the caller's thread; an unreadable file is refused alone; a write that throws or a worker
 * that crashes rejects with PackWriteError, and an aborted signal stops the worker with an abort.
 * Files from the fixture writers (a small fixture GDAC), decoded by the builder's own reader.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PackWriteError, isAbortError } from '../../src/errors.js';
import { compareProfiles, type ProfileEntry } from '../../src/month-index/codec.js';
import { readProfileBytes } from '../../src/month-index/builder.js';
import { createPackWriter, openPack, readPackProfiles, type PackWriter } from '../../src/pack/index.js';
import { makeFixtureGdac } from '../reliability/kit/fixture-gdac.js';
import { countingReader } from './helpers.js';

interface File {
  id: string;
  bytes: Uint8Array;
  entry: ProfileEntry;
}

/** A month of fixture files, each with its month-index entry, in result order. */
function fixtureFiles(): File[] {
  const fx = makeFixtureGdac({ seed: 5, months: ['2023-01'], perMonth: 12 });
  const files = fx.profiles.map((p) => {
    const bytes = fx.files.get(p.path)!;
    const outcome = readProfileBytes(p.id, bytes, p.dateUpdate);
    assert.ok(outcome.entry, `${p.id} is a profile`);
    return { id: p.id, bytes, entry: outcome.entry };
  });
  return files.sort((a, b) => compareProfiles(a.entry, b.entry));
}

/** Copies: a worker writer takes the bytes it is given. */
async function addAll(writer: PackWriter, files: readonly File[]): Promise<void> {
  await Promise.all(files.map((f) => writer.addFile({ id: f.id, bytes: f.bytes.slice() })));
}

test('worker (one thread or two) and caller threads write the same pack; the worker takes the file bytes over', async (t) => {
  const files = fixtureFiles();
  const packs: Uint8Array[] = [];
  // The worker write split over two threads (between days) as a big month's is, in one part, and on the caller's thread.
  const variants = [{ thread: 'worker', splitMinRows: 1 }, { thread: 'worker' }, { thread: 'caller' }] as const;
  for (const variant of variants) {
    const thread = JSON.stringify(variant);
    const writer = createPackWriter(variant);
    t.after(() => writer.close());
    await addAll(writer, files);
    const written = await writer.write({ profiles: files.map((f) => f.entry), month: '2023-01', zstdLevel: 3 });
    assert.equal(written.rows, files.length, thread);
    assert.deepEqual(written.missing, [], thread);
    packs.push(written.bytes);
    writer.close();
  }
  assert.deepEqual(packs[0], packs[2], 'byte-identical packs (split write)');
  assert.deepEqual(packs[1], packs[2], 'byte-identical packs');

  const bytes = files[0].bytes.slice();
  const writer = createPackWriter();
  t.after(() => writer.close());
  await writer.addFile({ id: files[0].id, bytes });
  assert.equal(bytes.byteLength, 0, 'the buffer was transferred, not copied');

  const pack = await openPack({ size: packs[0].length, readRange: countingReader(packs[0]).readRange });
  const ids: string[] = [];
  for await (const p of readPackProfiles({ pack, window: { start: -Infinity, end: Infinity } })) ids.push(p.meta.id);
  assert.deepEqual(ids, files.map((f) => f.id));
});

test('an unreadable file is refused alone: the pack is written without it', async (t) => {
  const files = fixtureFiles();
  const writer = createPackWriter({ splitMinRows: 1 });
  t.after(() => writer.close());
  await addAll(writer, files.slice(1));
  await assert.rejects(writer.addFile({ id: files[0].id, bytes: new TextEncoder().encode('not a NetCDF file') }), (error: Error) => {
    assert.match(error.message, /netcdf|CDF|magic/i);
    return true;
  });
  const written = await writer.write({ profiles: files.map((f) => f.entry), month: '2023-01', zstdLevel: 3 });
  assert.equal(written.rows, files.length - 1);
  assert.deepEqual(written.missing, [files[0].id]);
});

test('a write that throws in the worker rejects with PackWriteError naming the month', async (t) => {
  const files = fixtureFiles();
  const writer = createPackWriter({ context: { month: '2023-01' } });
  t.after(() => writer.close());
  await addAll(writer, files);
  // Out of the query's order: writePack refuses it.
  const reversed = files.map((f) => f.entry).reverse();
  await assert.rejects(writer.write({ profiles: reversed, month: '2023-01', zstdLevel: 3 }), (error: unknown) => {
    assert.ok(error instanceof PackWriteError, String(error));
    assert.equal(error.tag, 'pack_write');
    assert.deepEqual(error.context, { month: '2023-01' });
    assert.match(error.message, /result order/);
    return true;
  });
});

test('a worker that crashes fails what is pending and every later call with PackWriteError', async (t) => {
  const files = fixtureFiles();
  const writer = createPackWriter({ context: { month: '2023-01' } });
  t.after(() => writer.close());
  await addAll(writer, files);
  // Levels whose arrays do not match nLevels throw inside the worker's message handler: an
  // uncaught error there ends the thread.
  writer.addLevels('broken', { nLevels: 3, PRES: new Float32Array(5) });
  await assert.rejects(writer.write({ profiles: files.map((f) => f.entry), month: '2023-01', zstdLevel: 3 }), (error: unknown) => {
    assert.ok(error instanceof PackWriteError, String(error));
    assert.match(error.message, /worker (crashed|exited)/);
    return true;
  });
  await assert.rejects(writer.addFile({ id: files[0].id, bytes: files[0].bytes.slice() }), PackWriteError);
});

test('the signal stops the worker: pending and later calls reject with an abort', async (t) => {
  const files = fixtureFiles();
  const controller = new AbortController();
  const writer = createPackWriter({ signal: controller.signal });
  t.after(() => writer.close());
  await addAll(writer, files);
  const writing = writer.write({ profiles: files.map((f) => f.entry), month: '2023-01' });
  controller.abort(new Error('build cancelled'));
  await assert.rejects(writing, (error: unknown) => isAbortError(error));
  await assert.rejects(writer.addFile({ id: files[0].id, bytes: files[0].bytes.slice() }), (error: unknown) => isAbortError(error));
});
