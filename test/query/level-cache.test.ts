import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LevelVariable, ProfileLevels } from '../../src/argo/types.js';
import { LEVEL_VARIABLES } from '../../src/argo/types.js';
import { UpstreamError } from '../../src/errors.js';
import { cacheKeyOf, withLevelCache } from '../../src/query/level-cache.js';
import { isProvisional, markProvisional } from '../../src/query/provisional.js';
import type { LevelReader, ProfileRef } from '../../src/query/reader.js';

const layout = {
  nLevels: 100,
  variables: {
    PRES: { type: 'float' as const, rel: 0, length: 400 },
    PRES_QC: { type: 'char' as const, rel: 400, length: 100 },
    TEMP: { type: 'float' as const, rel: 500, length: 400 },
    TEMP_QC: { type: 'char' as const, rel: 900, length: 100 },
  },
};
const ref = (id: string, dateUpdate = '20230101000000'): ProfileRef => ({ id, dateUpdate, base: 0, size: 4096, layout });

function fakeReader() {
  const calls: { id: string; names: LevelVariable[] }[] = [];
  let failNext = false;
  const reader: LevelReader = {
    async read(r, names) {
      calls.push({ id: r.id, names: [...names] });
      if (failNext) {
        failNext = false;
        throw new UpstreamError({ message: 'boom' });
      }
      const levels: Record<string, unknown> = { nLevels: r.layout.nLevels };
      for (const name of LEVEL_VARIABLES) levels[name] = null;
      for (const name of names) levels[name] = name.endsWith('_QC') ? '1'.repeat(r.layout.nLevels) : new Float64Array(r.layout.nLevels).fill(calls.length);
      return levels as ProfileLevels;
    },
  };
  return { reader, calls, failNextRead: () => (failNext = true) };
}

const signal = new AbortController().signal;

test('a second read of the same variables is a hit, with the same data', async () => {
  const { reader, calls } = fakeReader();
  const cached = withLevelCache(reader, { maxBytes: 1 << 20 });
  const a = await cached.read(ref('x'), ['PRES', 'PRES_QC'], { signal });
  const b = await cached.read(ref('x'), ['PRES', 'PRES_QC'], { signal });
  assert.equal(calls.length, 1);
  assert.deepEqual(b.PRES, a.PRES);
  assert.equal(b.TEMP, null);
  assert.deepEqual(cached.stats().hits, 1);
});

test('only the missing variables are read, and the entry grows', async () => {
  const { reader, calls } = fakeReader();
  const cached = withLevelCache(reader, { maxBytes: 1 << 20 });
  await cached.read(ref('x'), ['PRES', 'PRES_QC'], { signal });
  const both = await cached.read(ref('x'), ['PRES', 'PRES_QC', 'TEMP', 'TEMP_QC'], { signal });
  assert.deepEqual(calls.map((c) => c.names), [['PRES', 'PRES_QC'], ['TEMP', 'TEMP_QC']]);
  assert.ok(both.PRES && both.TEMP && both.TEMP_QC);
  await cached.read(ref('x'), ['TEMP'], { signal });
  assert.equal(calls.length, 2);
});

test('variables the layout lacks never cause a read', async () => {
  const { reader, calls } = fakeReader();
  const cached = withLevelCache(reader, { maxBytes: 1 << 20 });
  await cached.read(ref('x'), ['PRES'], { signal });
  const levels = await cached.read(ref('x'), ['PRES', 'PSAL', 'PSAL_QC'], { signal });
  assert.equal(calls.length, 1);
  assert.equal(levels.PSAL, null);
});

test('the key includes date_update: an updated file is read again', async () => {
  const { reader, calls } = fakeReader();
  const cached = withLevelCache(reader, { maxBytes: 1 << 20 });
  await cached.read(ref('x', '20230101000000'), ['PRES'], { signal });
  await cached.read(ref('x', '20240101000000'), ['PRES'], { signal });
  assert.equal(calls.length, 2);
  assert.equal(cacheKeyOf(ref('x', '1')), 'x@1');
});

test('nothing is cached from a failed read', async () => {
  const { reader, calls, failNextRead } = fakeReader();
  const cached = withLevelCache(reader, { maxBytes: 1 << 20 });
  failNextRead();
  await assert.rejects(cached.read(ref('x'), ['PRES'], { signal }), UpstreamError);
  assert.equal(cached.stats().entries, 0);
  await cached.read(ref('x'), ['PRES'], { signal });
  assert.equal(calls.length, 2);
});

test('bounded in bytes: old entries are evicted', async () => {
  const { reader } = fakeReader();
  // One entry with PRES (exact float32 values, kept as float32) is 100 × 4 bytes + overhead
  // ≈ 0.7 KB: 4 KB holds five.
  const cached = withLevelCache(reader, { maxBytes: 4096 });
  for (let i = 0; i < 20; i++) await cached.read(ref(`p${i}`), ['PRES'], { signal });
  const stats = cached.stats();
  assert.ok(stats.bytes <= 4096, `bytes ${stats.bytes}`);
  assert.ok(stats.entries >= 4 && stats.entries <= 6, `entries ${stats.entries}`);
});

test('float32 values are kept at half the bytes and read back identical; others stay float64', async () => {
  const f32 = new Float64Array(100).map((_, i) => (i % 7 === 0 ? NaN : Math.fround(i * 0.1 + 3)));
  const f64 = new Float64Array(100).map((_, i) => i * 0.1 + 3);
  const reader: LevelReader = {
    async read(r, names) {
      const levels: Record<string, unknown> = { nLevels: r.layout.nLevels };
      for (const name of LEVEL_VARIABLES) levels[name] = null;
      for (const name of names) levels[name] = name === 'PRES' ? f32.slice() : f64.slice();
      return levels as ProfileLevels;
    },
  };
  const cached = withLevelCache(reader, { maxBytes: 1 << 20 });
  await cached.read(ref('x'), ['PRES'], { signal });
  const narrow = cached.stats().bytes;
  await cached.read(ref('x'), ['TEMP'], { signal });
  const hit = await cached.read(ref('x'), ['PRES', 'TEMP'], { signal });
  assert.ok(hit.PRES instanceof Float64Array && hit.TEMP instanceof Float64Array);
  assert.deepEqual(hit.PRES, f32);
  assert.deepEqual(hit.TEMP, f64);
  // TEMP (not float32-exact) costs twice PRES's 400 bytes.
  assert.equal(cached.stats().bytes - narrow, 800);
});

test('maxBytes 0 disables caching', async () => {
  const { reader, calls } = fakeReader();
  const cached = withLevelCache(reader, { maxBytes: 0 });
  await cached.read(ref('x'), ['PRES'], { signal });
  await cached.read(ref('x'), ['PRES'], { signal });
  assert.equal(calls.length, 2);
});

test('a provisional read (the file changed since its month was built) is returned as read and never cached', async () => {
  const { reader, calls } = fakeReader();
  let provisional = false;
  const marking: LevelReader = {
    async read(r, names, options) {
      const levels = await reader.read(r, names, options);
      return provisional ? markProvisional(levels) : levels;
    },
  };
  const cached = withLevelCache(marking, { maxBytes: 1 << 20 });
  await cached.read(ref('x'), ['PRES', 'PRES_QC'], { signal });
  provisional = true;
  const fresh = await cached.read(ref('x'), ['PRES', 'PRES_QC', 'TEMP', 'TEMP_QC'], { signal });
  assert.ok(isProvisional(fresh));
  // Returned as the reader gave it: no column of the cached (old) file mixed in.
  assert.equal(fresh.PRES, null);
  assert.equal(cached.stats().entries, 1);
  await cached.read(ref('x'), ['TEMP'], { signal });
  assert.equal(calls.length, 3, 'TEMP was not kept');
});
