/**
 * Data packs on generated profiles (no shared sample needed): row groups per UTC day, the footer
 * in one ranged read, a window reading only the row groups (and columns) it needs, projections
 * and filters, and bad input refused with clear errors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ArgoFormatError, CorruptIndexError } from '../../src/errors.js';
import {
  FOOTER_READ_BYTES,
  openPack,
  readPackProfiles,
  selectRowGroups,
  rowGroupSizes,
  writePack,
  type Pack,
  type PackedProfile,
  type PackProfile,
} from '../../src/pack/index.js';
import { countingReader, generatedProfiles, type CountingReader } from './helpers.js';

const DAY = 86_400_000;
const APRIL = Date.UTC(2023, 3, 1);

async function collect(iterable: AsyncIterable<PackedProfile>): Promise<PackedProfile[]> {
  const out: PackedProfile[] = [];
  for await (const p of iterable) out.push(p);
  return out;
}

async function packOf(profiles: PackProfile[], options: { maxRowGroupRows?: number } = {}): Promise<{ bytes: Uint8Array; pack: Pack; reader: CountingReader; footerBytes: number }> {
  const written = await writePack({ profiles, month: '2023-04', ...options });
  const reader = countingReader(written.bytes);
  const pack = await openPack({ readRange: reader.readRange, size: written.bytes.length });
  return { bytes: written.bytes, pack, reader, footerBytes: written.footerBytes };
}

test('rowGroupSizes: one group per UTC day (or slice), large ones split evenly', () => {
  const t = [0, 1, DAY - 1, DAY, DAY + 5, 3 * DAY];
  assert.deepEqual(rowGroupSizes(t), [3, 2, 1]);
  assert.deepEqual(rowGroupSizes(t, { maxRows: 2 }), [1, 2, 2, 1]);
  assert.deepEqual(rowGroupSizes(Array.from({ length: 10 }, () => 7), { maxRows: 4 }), [3, 3, 4]);
  assert.deepEqual(rowGroupSizes(t, { hours: 12 }), [2, 1, 2, 1]);
  assert.deepEqual(rowGroupSizes([]), []);
  assert.throws(() => rowGroupSizes(t, { hours: 5 }), RangeError);
});

test('a pack has one row group per day, with time statistics; its footer is one read', async () => {
  const profiles = generatedProfiles({ count: 300, days: 10 });
  const { pack, reader, footerBytes, bytes } = await packOf(profiles);
  assert.equal(pack.rows, 300);
  assert.equal(pack.rowGroups.length, 10);
  assert.deepEqual(pack.description.variables.slice(0, 3), ['PRES', 'PRES_QC', 'PRES_ADJUSTED']);
  assert.equal(pack.description.rowGroupHours, 24);
  pack.rowGroups.forEach((g, d) => {
    assert.ok(g.timeMin! >= APRIL + d * DAY && g.timeMax! < APRIL + (d + 1) * DAY, `group ${d} within its day`);
    assert.equal(g.rows, 30);
  });
  // Opening read the tail once: min(size, 64 KB).
  assert.deepEqual(reader.calls, [{ offset: bytes.length - Math.min(bytes.length, FOOTER_READ_BYTES), length: Math.min(bytes.length, FOOTER_READ_BYTES) }]);
  // With the footer size known, the read is exact.
  const exact = countingReader(bytes);
  const again = await openPack({ readRange: exact.readRange, size: bytes.length, footerBytes });
  assert.deepEqual(exact.calls, [{ offset: bytes.length - footerBytes, length: footerBytes }]);
  assert.equal(again.rows, 300);
});

test('a footer larger than the speculative read takes one more, exact, read', async () => {
  // Many tiny row groups make a footer of more than 64 KB.
  const profiles = generatedProfiles({ count: 1200, days: 30 });
  const { bytes, footerBytes } = await packOf(profiles, { maxRowGroupRows: 2 });
  assert.ok(footerBytes > FOOTER_READ_BYTES, `footer ${footerBytes} B`);
  const reader = countingReader(bytes);
  const pack = await openPack({ readRange: reader.readRange, size: bytes.length });
  assert.equal(reader.calls.length, 2);
  assert.deepEqual(reader.calls[1], { offset: bytes.length - footerBytes, length: footerBytes - FOOTER_READ_BYTES });
  assert.equal(pack.rowGroups.length, 600);
});

test('a one-day window reads only its day: the footer, then that row group', async () => {
  const profiles = generatedProfiles({ count: 600, days: 20 });
  const { pack, reader, bytes } = await packOf(profiles);
  reader.calls.length = 0;
  const window = { start: APRIL + 7 * DAY, end: APRIL + 8 * DAY };
  const read = await collect(readPackProfiles({ pack, window }));
  const expected = profiles.filter((p) => p.timeMs >= window.start && p.timeMs < window.end);
  assert.deepEqual(
    read.map((p) => p.meta.id),
    expected.map((p) => p.id),
  );
  const day = pack.rowGroups[7];
  assert.deepEqual(selectRowGroups(pack, window), [day]);
  // One read (every column of the group is wanted), exactly the group's bytes.
  assert.deepEqual(reader.calls, [{ offset: day.start, length: day.end - day.start }]);
  assert.ok(reader.bytes() < bytes.length / 15, `${reader.bytes()} of ${bytes.length} bytes`);
});

test('an unaligned window reads the two days it straddles, and only its rows are returned', async () => {
  const profiles = generatedProfiles({ count: 600, days: 20 });
  const { pack, reader } = await packOf(profiles);
  reader.calls.length = 0;
  const window = { start: APRIL + 3 * DAY + 6 * 3_600_000, end: APRIL + 4 * DAY + 6 * 3_600_000 };
  const read = await collect(readPackProfiles({ pack, window }));
  assert.deepEqual(
    read.map((p) => p.meta.id),
    profiles.filter((p) => p.timeMs >= window.start && p.timeMs < window.end).map((p) => p.id),
  );
  const touched = reader.calls.map((c) => pack.rowGroups.findIndex((g) => c.offset >= g.start && c.offset + c.length <= g.end));
  assert.deepEqual(touched, [3, 4]);
});

test('projection: only the key columns and the level variables asked for are read', async () => {
  // Days of 500 profiles: column chunks large enough that skipping one skips its bytes.
  const profiles = generatedProfiles({ count: 1500, days: 3 });
  const { pack, reader } = await packOf(profiles);
  const window = { start: APRIL + 1 * DAY, end: APRIL + 2 * DAY };
  reader.calls.length = 0;
  await collect(readPackProfiles({ pack, window }));
  const all = reader.bytes();
  reader.calls.length = 0;
  const read = await collect(readPackProfiles({ pack, window, variables: ['PRES', 'TEMP', 'TEMP_QC'], metadata: false }));
  assert.ok(reader.bytes() < all * 0.6, `${reader.bytes()} of ${all}`);
  assert.ok(read.length > 0);
  for (const p of read) {
    assert.deepEqual(Object.keys(p.meta).sort(), ['id', 'nLevels', 'timeMs']);
    assert.ok(p.levels.PRES instanceof Float64Array && p.levels.TEMP instanceof Float64Array && typeof p.levels.TEMP_QC === 'string');
    assert.equal(p.levels.PSAL, null);
    assert.equal(p.levels.PRES_ADJUSTED, null);
  }
});

test('levels read back: NaN where missing, nulls where absent, values exact; a filter keeps what it accepts', async () => {
  const profiles = generatedProfiles({ count: 90, days: 3 });
  const { pack } = await packOf(profiles);
  const read = await collect(readPackProfiles({ pack, window: { start: APRIL, end: APRIL + 3 * DAY }, filter: (m) => m.dataMode === 'D' }));
  const expected = profiles.filter((p) => p.dataMode === 'D');
  assert.equal(read.length, expected.length);
  read.forEach((p, i) => {
    const e = expected[i];
    assert.equal(p.meta.id, e.id);
    for (const [name, value] of Object.entries(e.levels)) {
      if (name === 'nLevels') continue;
      const got = p.levels[name as 'PRES'];
      if (value === null || typeof value === 'string') assert.equal(got, value, `${e.id} ${name}`);
      else assert.deepEqual(got, Float64Array.from(value as Float32Array), `${e.id} ${name}`);
    }
  });
});

test('an empty window or an empty pack reads nothing beyond the footer', async () => {
  const { pack, reader } = await packOf(generatedProfiles({ count: 60, days: 2 }));
  reader.calls.length = 0;
  assert.deepEqual(await collect(readPackProfiles({ pack, window: { start: APRIL + 10 * DAY, end: APRIL + 11 * DAY } })), []);
  assert.equal(reader.calls.length, 0);
  const empty = await packOf([]);
  assert.equal(empty.pack.rows, 0);
  assert.deepEqual(await collect(readPackProfiles({ pack: empty.pack, window: { start: 0, end: Date.UTC(2100, 0) } })), []);
});

test('writePack refuses rows out of order, duplicates, non-float32 values and bad lengths', async () => {
  const [a, b] = generatedProfiles({ count: 2, days: 1 });
  await assert.rejects(writePack({ profiles: [b, a] }), /result order/);
  await assert.rejects(writePack({ profiles: [a, a] }), /given twice/);
  const doubles = { ...a, levels: { ...a.levels, TEMP: Float64Array.from({ length: a.levels.nLevels }, () => 0.1) } };
  await assert.rejects(writePack({ profiles: [doubles] }), (e: unknown) => e instanceof ArgoFormatError && /TEMP\[0\] = 0\.1 is not a float32/.test(e.message));
  const short = { ...a, levels: { ...a.levels, TEMP_QC: '1' } };
  await assert.rejects(writePack({ profiles: [short] }), ArgoFormatError);
  await assert.rejects(writePack({ profiles: [a], variables: ['PRES', 'time'] }), RangeError);
});

test('openPack: not a pack, truncated, or a newer format → CorruptIndexError', async () => {
  const { bytes } = await packOf(generatedProfiles({ count: 30, days: 1 }));
  const open = (file: Uint8Array, size = file.length) => openPack({ readRange: countingReader(file).readRange, size });
  await assert.rejects(open(new Uint8Array(100)), CorruptIndexError);
  await assert.rejects(open(bytes.slice(0, 8)), CorruptIndexError);
  // Claims a size larger than the bytes there: a short read.
  await assert.rejects(open(bytes, bytes.length + 10), CorruptIndexError);
  // The footer's description, edited to a future version (same length, so the footer stays valid).
  const text = Buffer.from(bytes).toString('latin1').replace('"formatVersion":1', '"formatVersion":9');
  await assert.rejects(open(new Uint8Array(Buffer.from(text, 'latin1'))), /format version 9 is newer/);
  // Damaged column data: reading the group fails as corrupt, not with a raw decoder error.
  const pack = await open(bytes);
  const damaged = bytes.slice();
  damaged.fill(0x55, pack.rowGroups[0].start + 200, pack.rowGroups[0].end - 200);
  const bad = await openPack({ readRange: countingReader(damaged).readRange, size: damaged.length });
  await assert.rejects(collect(readPackProfiles({ pack: bad, window: { start: APRIL, end: APRIL + DAY } })), CorruptIndexError);
});

test('a read is abandoned when its signal fires', async () => {
  const { pack } = await packOf(generatedProfiles({ count: 60, days: 2 }));
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(collect(readPackProfiles({ pack, window: { start: APRIL, end: APRIL + 2 * DAY }, signal: controller.signal })), /abort/i);
});
