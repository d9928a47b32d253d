/** The month index codec: round trip, order, layout dedupe, compactness, corruption. Pure. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compress } from '@mongodb-js/zstd';
import { CorruptIndexError } from '../../src/errors.js';
import {
  compareProfiles,
  decodeMonthIndex,
  decodeMonthSummary,
  encodeMonthIndex,
  profileAt,
  summaryOf,
  type MonthIndexContent,
  type ProfileEntry,
} from '../../src/month-index/codec.js';
import { isNewerKey, monthEndMs, monthOf, monthStartMs, monthsBetween, newMonthKey, parseMonthKey } from '../../src/month-index/months.js';
import type { FileLayout } from '../../src/month-index/types.js';

function layout(nLevels: number, withPsal = true): FileLayout {
  const f = nLevels * 4;
  const c = nLevels;
  const variables: FileLayout['variables'] = {
    PRES: { type: 'float', rel: 0, length: f, fillValue: 99999 },
    PRES_QC: { type: 'char', rel: f, length: c },
    TEMP: { type: 'float', rel: f + c, length: f, fillValue: 99999 },
  };
  if (withPsal) variables.PSAL = { type: 'float', rel: 2 * f + c, length: f, fillValue: 99999 };
  return { nLevels, variables };
}

/** A deterministic synthetic month of n profiles (like a real month's spread of floats). */
function syntheticMonth(n: number, month = '2023-04'): MonthIndexContent {
  const start = monthStartMs(month);
  const span = monthEndMs(month) - start;
  let seed = 7;
  const rnd = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
  const dacs = ['aoml', 'coriolis', 'jma', 'csiro', 'bodc', 'incois', 'kma', 'meds'];
  const profiles: ProfileEntry[] = [];
  for (let i = 0; i < n; i++) {
    const float = Math.floor(rnd() * (n / 3));
    const wmo = String(1900000 + float * 37);
    const cycle = 1 + Math.floor(rnd() * 300);
    const mode = rnd() < 0.5 ? 'D' : 'R';
    profiles.push({
      id: `${dacs[float % dacs.length]}/${wmo}/profiles/${mode}${wmo}_${String(cycle).padStart(3, '0')}.nc`,
      platform: wmo,
      cycle,
      direction: rnd() < 0.05 ? 'D' : 'A',
      dataMode: mode === 'D' ? 'D' : rnd() < 0.3 ? 'A' : 'R',
      timeMs: start + Math.floor(rnd() * span),
      latitude: Math.round((rnd() * 140 - 70) * 1000) / 1000,
      longitude: Math.round((rnd() * 360 - 180) * 1000) / 1000,
      positionQc: rnd() < 0.97 ? '1' : '4',
      juldQc: '1',
      dateUpdate: `2023${String(5 + Math.floor(rnd() * 5)).padStart(2, '0')}${String(10 + Math.floor(rnd() * 18))}${String(100000 + Math.floor(rnd() * 130000))}`,
      size: 15000 + Math.floor(rnd() * 50000),
      base: 11000 + Math.floor(rnd() * 9000),
      layout: layout(50 + Math.floor(rnd() * 60) * 10, rnd() > 0.02),
    });
  }
  return {
    month,
    builtAt: '2023-05-02T03:10:44.512Z',
    source: 'test',
    key: `months/2023/${month}.20230502T031044512Z-abcd.json.zst`,
    profiles,
    failures: [{ id: 'aoml/1/profiles/R1_001.nc', reason: 'not found on the GDAC (404)', dateUpdate: '20230501000000' }],
    excluded: [{ id: 'aoml/2/profiles/R2_001.nc', reason: 'no valid position', dateUpdate: '20230501000000' }],
    outside: [{ id: 'aoml/3/profiles/R3_001.nc', reason: '2023-05', dateUpdate: '20230501000000' }],
    counts: { reused: 1, fetched: n, failed: 1, dropped: 2, excluded: 1 },
  };
}

test('month arithmetic and keys', () => {
  assert.equal(monthStartMs('2024-02'), Date.UTC(2024, 1, 1));
  assert.equal(monthEndMs('2024-12'), Date.UTC(2025, 0, 1));
  assert.equal(monthOf(Date.UTC(2024, 0, 31, 23, 59, 59, 999)), '2024-01');
  assert.deepEqual(monthsBetween('2023-11', '2024-02'), ['2023-11', '2023-12', '2024-01', '2024-02']);
  assert.deepEqual(monthsBetween('2024-02', '2024-01'), []);
  const a = newMonthKey('2023-04', new Date('2023-05-02T03:10:44.512Z'), () => 'aa');
  assert.equal(a, 'months/2023/2023-04.20230502T031044512Z-aa.json.zst');
  assert.deepEqual(parseMonthKey(a), { key: a, month: '2023-04', writtenMs: Date.parse('2023-05-02T03:10:44.512Z') });
  const b = newMonthKey('2023-04', new Date('2023-05-02T03:10:44.513Z'), () => '00');
  assert.ok(isNewerKey(b, a) && !isNewerKey(a, b) && isNewerKey(a, undefined));
  assert.equal(parseMonthKey('months/2023/2024-04.20230502T031044512Z-aa.json.zst'), undefined, 'year folder must match');
  assert.equal(parseMonthKey('master_index.json'), undefined);
});

test('round trip: every column, the layouts, failures, exclusions and neighbours', async () => {
  const content = syntheticMonth(500);
  const bytes = await encodeMonthIndex(content);
  const index = await decodeMonthIndex(bytes, { key: content.key });
  assert.equal(index.count, 500);
  assert.equal(index.month, '2023-04');
  assert.equal(index.key, content.key);
  assert.equal(index.builtAt, content.builtAt);
  const sorted = [...content.profiles].sort(compareProfiles);
  for (let i = 0; i < index.count; i++) {
    const got = profileAt(index, i);
    assert.deepEqual(got, sorted[i], `row ${i}`);
  }
  for (let i = 1; i < index.count; i++) assert.ok(index.time[i] >= index.time[i - 1]);
  assert.ok(index.layouts.length < 80, `layouts are deduplicated (${index.layouts.length})`);
  assert.deepEqual(index.failures, content.failures);
  assert.deepEqual(index.excluded, content.excluded);
  assert.deepEqual(index.outside, content.outside);
  assert.deepEqual(index.counts, content.counts);
  assert.ok(index.byteSize > 500 * 100, 'byteSize estimates the decoded size');

  const summary = await decodeMonthSummary(bytes, content.key);
  assert.deepEqual(summary, summaryOf(index));
  assert.equal(summary.failed, 1);
  assert.equal(summary.start, new Date(sorted[0].timeMs).toISOString());
});

test('ids whose directory differs from the platform number survive', async () => {
  const content = syntheticMonth(3);
  content.profiles[1] = { ...content.profiles[1], id: 'kma/2901746/profiles/R2901746_001.nc', platform: '2901746' };
  content.profiles[2] = { ...content.profiles[2], id: 'meds/4901079/profiles/R4901079_135.nc', platform: 'Q4901079' };
  const index = await decodeMonthIndex(await encodeMonthIndex(content));
  assert.ok(index.id.includes('meds/4901079/profiles/R4901079_135.nc'));
  assert.equal(index.platform[index.id.indexOf('meds/4901079/profiles/R4901079_135.nc')], 'Q4901079');
});

test('result order: time, then platform (numeric), cycle, direction A before D, then id', () => {
  const base = { timeMs: 1000, platform: '2901623', cycle: 5, direction: 'A', id: 'b' };
  const list = [
    { ...base, direction: 'D' },
    { ...base, cycle: 4 },
    { ...base, platform: '13857' },
    { ...base, timeMs: 999 },
    base,
    { ...base, id: 'a' },
  ];
  const sorted = [...list].sort(compareProfiles);
  assert.deepEqual(sorted, [list[3], list[2], list[1], list[5], list[4], list[0]]);
});

test('compact: at most 150 bytes per profile on a 13,000-profile month', async (t) => {
  const content = syntheticMonth(13000);
  const bytes = await encodeMonthIndex(content);
  const perProfile = bytes.length / 13000;
  assert.ok(perProfile <= 150, `${perProfile.toFixed(1)} B/profile`);
  t.diagnostic(`synthetic 13,000-profile month: ${perProfile.toFixed(1)} B/profile`);
});

test('an empty month round-trips', async () => {
  const content = { ...syntheticMonth(0), failures: [], excluded: [], outside: [] };
  const index = await decodeMonthIndex(await encodeMonthIndex(content));
  assert.equal(index.count, 0);
  assert.equal(summaryOf(index).start, null);
});

test('corrupt or foreign objects are CorruptIndexError', async () => {
  const good = JSON.parse(
    Buffer.from(await (await import('@mongodb-js/zstd')).decompress(Buffer.from(await encodeMonthIndex(syntheticMonth(5))))).toString(),
  ) as Record<string, unknown>;
  const z = async (value: unknown): Promise<Uint8Array> => new Uint8Array(await compress(Buffer.from(JSON.stringify(value)), 3));
  const cases: [string, Uint8Array][] = [
    ['garbage', new Uint8Array([1, 2, 3, 4, 5])],
    ['not JSON', new Uint8Array(await compress(Buffer.from('{"format":'), 3))],
    ['other format', await z({ ...good, format: 'something-else' })],
    ['future version', await z({ ...good, formatVersion: 99 })],
    ['short column', await z({ ...good, columns: { ...(good.columns as object), lat: [1] } })],
    ['missing layout', await z({ ...good, layouts: [] })],
    ['bad failure', await z({ ...good, failures: [{ id: 1 }] })],
  ];
  for (const [name, bytes] of cases) {
    await assert.rejects(decodeMonthIndex(bytes, { key: 'k' }), CorruptIndexError, name);
  }
  // The previous format (no valid ranges in layouts) still reads.
  const v1 = await decodeMonthIndex(await z({ ...good, formatVersion: 1 }), { key: 'k' });
  assert.equal(v1.formatVersion, 1);
  assert.equal(v1.count, 5);
  await assert.rejects(decodeMonthSummary(new Uint8Array([9, 9, 9]), 'k'), CorruptIndexError);
});
