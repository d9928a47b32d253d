/**
 * What the GDAC answers is checked before anything uses it (src/gdac/answer-check.ts): against the
 * size the month index recorded and the NetCDF magic. Over the loopback test mirror (HTML pages,
 * wrong Content-Range totals, replaced files), s3rver and a local directory.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { UpstreamError } from '../../src/errors.js';
import { GdacFileChangedError, checkAnswer, provesWholeObject, sniffFormat } from '../../src/gdac/answer-check.js';
import { createGdacSource, type GdacSourceOptions } from '../../src/gdac/index.js';
import { isTransient } from '../../src/gdac/transient.js';
import type { GdacSource } from '../../src/gdac/types.js';
import { startGdacMirror, type GdacMirror, type GdacMirrorOptions } from '../kit/gdac-mirror.js';
import { startS3Server } from '../kit/s3-server.js';

const FILE = 'dac/test/1900001/profiles/R1900001_001.nc';
/** A NetCDF classic magic, then bytes: what the checks look at. */
function netcdfLike(size: number): Buffer {
  const bytes = randomBytes(size);
  bytes.set([0x43, 0x44, 0x46, 0x01]);
  return bytes;
}
const original = netcdfLike(20_000);
const NC = { expectedSize: original.length, expect: 'netcdf' as const };

async function mirror(t: TestContext, options: GdacMirrorOptions = {}): Promise<GdacMirror> {
  const m = await startGdacMirror({ files: new Map([[FILE, original]]), ...options });
  t.after(() => m.stop());
  return m;
}

function source(t: TestContext, roots: string[], options: Partial<GdacSourceOptions> = {}): GdacSource {
  const s = createGdacSource({ roots, downloadWorkers: 4, maxRetries: 2, retryBackoffMs: 1, timeoutMs: 2_000, ...options });
  t.after(() => s.close());
  return s;
}

const requestsFor = (m: GdacMirror): number => m.stats.byPath.get(FILE) ?? 0;

/** Rejects when some error in the cause chain says `pattern`. */
function saying(pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    for (let e = error as Error | undefined; e; e = e.cause as Error | undefined) if (pattern.test(e.message)) return true;
    assert.fail(`no "${pattern.source}" in ${String(error)}`);
  };
}

test('sniffFormat, provesWholeObject and checkAnswer on their own', () => {
  assert.equal(sniffFormat(netcdfLike(8)), 'netcdf-classic');
  assert.equal(sniffFormat(Buffer.from('CDF\x02rest')), 'netcdf-classic');
  assert.equal(sniffFormat(Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0])), 'hdf5');
  assert.equal(sniffFormat(Buffer.from('<!DOCTYPE html>')), 'other');
  assert.equal(sniffFormat(Buffer.from('CDF')), 'other');
  assert.equal(provesWholeObject(NC, original), true);
  assert.equal(provesWholeObject({ expect: 'netcdf' }, original), false, 'no recorded size: no proof');
  assert.equal(provesWholeObject(NC, original.subarray(1)), false);
  assert.equal(provesWholeObject(NC, Buffer.alloc(original.length, 0x3c)), false, 'right size, wrong magic');
  const request = { path: FILE, range: { offset: 100, length: 10 }, ...NC };
  assert.doesNotThrow(() => checkAnswer(request, { bytes: original.subarray(100, 110), whole: false, objectSize: original.length }, {}));
  assert.doesNotThrow(() => checkAnswer(request, { bytes: original.subarray(100, 110), whole: false }, {}), 'bytes a-b/*: nothing to compare');
  assert.throws(() => checkAnswer(request, { bytes: original.subarray(100, 110), whole: false, objectSize: 20_001 }, {}), GdacFileChangedError);
  assert.throws(
    () => checkAnswer(request, { bytes: Buffer.from('<html>'), whole: true, objectSize: 6 }, {}),
    (error: unknown) => isTransient(error) && /not a NetCDF file/.test((error as Error).message),
  );
});

test('a 200 text/html page (~1 MB) to a ranged read: an upstream error, never data; the mirror is not marked as ignoring Range', async (t) => {
  const m = await mirror(t);
  const gdac = source(t, [m.url]);
  m.setFault(FILE, { kind: 'html' });
  await assert.rejects(gdac.getRange(FILE, { offset: 1000, length: 200 }, NC), (error: unknown) => {
    assert.ok(error instanceof UpstreamError && isTransient(error), String(error));
    let cause: unknown = error;
    while ((cause as Error).cause) cause = (cause as Error).cause;
    assert.match((cause as Error).message, /not a NetCDF file \(\d+ bytes starting "<!DOCTYPE html>/);
    return true;
  });
  assert.equal(requestsFor(m), 3, 'retried as transient (a proxy page may clear)');
  assert.deepEqual(gdac.stats().rangeIgnoredBy, []);
  // The mirror recovers: the right bytes, by Range (nothing of the page was kept).
  m.clearFaults();
  m.resetStats();
  assert.deepEqual(Buffer.from(await gdac.getRange(FILE, { offset: 1000, length: 200 }, NC)), original.subarray(1000, 1200));
  assert.deepEqual(Buffer.from(await gdac.getRange(FILE, { offset: 5000, length: 10 }, NC)), original.subarray(5000, 5010));
  assert.equal(requestsFor(m), 2);
  assert.deepEqual(gdac.stats().rangeIgnoredBy, []);
});

test('an HTML page of exactly the recorded size is still not the file', async (t) => {
  const m = await mirror(t);
  const gdac = source(t, [m.url], { maxRetries: 0 });
  m.setFault(FILE, { kind: 'html', bytes: original.length });
  await assert.rejects(gdac.getRange(FILE, { offset: 1000, length: 200 }, NC), saying(/not a NetCDF file/));
  assert.deepEqual(gdac.stats().rangeIgnoredBy, []);
});

test('a 206 whose Content-Range total is not the recorded size: GdacFileChangedError at once, no retry, nothing kept', async (t) => {
  const m = await mirror(t);
  const gdac = source(t, [m.url]);
  m.setFault(FILE, { kind: 'wrong-total', delta: 4096 });
  await assert.rejects(gdac.getRange(FILE, { offset: 1000, length: 200 }, NC), (error: unknown) => {
    assert.ok(error instanceof GdacFileChangedError, String(error));
    assert.deepEqual([error.expectedSize, error.actualSize], [20_000, 24_096]);
    assert.equal(isTransient(error), false);
    return true;
  });
  assert.equal(requestsFor(m), 1);
  m.clearFaults();
  assert.deepEqual(Buffer.from(await gdac.getRange(FILE, { offset: 1000, length: 200 }, NC)), original.subarray(1000, 1200));
});

test('a file replaced on the GDAC: a 206 and a 200 of the new file are both GdacFileChangedError; neither cached nor taken as evidence', async (t) => {
  const replaced = netcdfLike(26_000);
  for (const ignoreRange of [false, true]) {
    const m = await mirror(t, { ignoreRange });
    const gdac = source(t, [m.url]);
    m.setFile(FILE, replaced);
    await assert.rejects(gdac.getRange(FILE, { offset: 300, length: 100 }, NC), GdacFileChangedError);
    assert.deepEqual(gdac.stats().rangeIgnoredBy, [], `ignoreRange ${ignoreRange}`);
    // The new file read whole, as a caller that knows it changed does: the new bytes.
    assert.deepEqual(Buffer.from(await gdac.get(FILE, { expect: 'netcdf' })), replaced);
    // The original back: the right bytes, nothing of the replaced file was kept.
    m.setFile(FILE, original);
    assert.deepEqual(Buffer.from(await gdac.getRange(FILE, { offset: 300, length: 100 }, NC)), original.subarray(300, 400));
    assert.deepEqual(gdac.stats().rangeIgnoredBy, ignoreRange ? [m.url] : [], 'a verified whole file is evidence');
  }
});

test('the whole-object cache answers only requests expecting the size it holds', async (t) => {
  const m = await mirror(t, { ignoreRange: true });
  const gdac = source(t, [m.url]);
  assert.deepEqual(Buffer.from(await gdac.getRange(FILE, { offset: 0, length: 10 }, NC)), original.subarray(0, 10));
  assert.deepEqual(Buffer.from(await gdac.getRange(FILE, { offset: 10, length: 10 }, NC)), original.subarray(10, 20));
  assert.equal(requestsFor(m), 1, 'the second read came from the kept whole file');
  // The month is rebuilt after the file changed: the new recorded size is not served the old copy.
  const replaced = netcdfLike(26_000);
  m.setFile(FILE, replaced);
  const fresh = { expectedSize: replaced.length, expect: 'netcdf' as const };
  assert.deepEqual(Buffer.from(await gdac.getRange(FILE, { offset: 10, length: 10 }, fresh)), replaced.subarray(10, 20));
  assert.equal(requestsFor(m), 2);
});

test('s3 and local GDACs: an object of another size than recorded is GdacFileChangedError', async (t) => {
  const s3 = await startS3Server({ buckets: ['argo-gdac'] });
  t.after(() => s3.stop());
  await s3.putObject('argo-gdac', `pub/${FILE}`, netcdfLike(21_000));
  const fromS3 = source(t, ['s3://argo-gdac/pub'], { s3: s3.config });
  await assert.rejects(fromS3.getRange(FILE, { offset: 100, length: 50 }, NC), GdacFileChangedError);
  assert.equal(fromS3.stats().requests, 1);

  const dir = await mkdtemp(join(tmpdir(), 'gdac-answer-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'dac/test/1900001/profiles'), { recursive: true });
  await writeFile(join(dir, FILE), netcdfLike(19_000));
  const local = source(t, [dir]);
  await assert.rejects(local.getRange(FILE, { offset: 100, length: 50 }, NC), GdacFileChangedError);
  await writeFile(join(dir, FILE), Buffer.from('<html>not the file</html>'));
  await assert.rejects(local.get(FILE, { expect: 'netcdf' }), saying(/not a NetCDF file \(25 bytes starting "<html>not the file<\/html"\)/));
});
