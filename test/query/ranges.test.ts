import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COALESCE_GAP_BYTES, coalesceRanges, sliceMember } from '../../src/query/ranges.js';

const r = (offset: number, length: number, name = `${offset}`) => ({ offset, length, name });

test('adjacent and near ranges merge; far ones do not', () => {
  const groups = coalesceRanges([r(0, 100), r(100, 50), r(160, 10), r(10_000, 10)], 1000);
  assert.deepEqual(
    groups.map((g) => [g.offset, g.length, g.members.map((m) => m.name)]),
    [
      [0, 170, ['0', '100', '160']],
      [10_000, 10, ['10000']],
    ],
  );
});

test('the gap threshold is strict: a gap of exactly maxGap splits', () => {
  assert.equal(coalesceRanges([r(0, 10), r(10 + 999, 1)], 1000).length, 1);
  assert.equal(coalesceRanges([r(0, 10), r(10 + 1000, 1)], 1000).length, 2);
});

test('input order does not matter; overlaps and containment merge', () => {
  const groups = coalesceRanges([r(500, 10), r(0, 600), r(100, 20)], 0);
  assert.deepEqual(groups.map((g) => [g.offset, g.length]), [[0, 600]]);
  assert.deepEqual(groups[0].members.map((m) => m.offset), [0, 100, 500]);
});

test('empty input, empty ranges dropped', () => {
  assert.deepEqual(coalesceRanges([]), []);
  assert.deepEqual(coalesceRanges([r(5, 0)]), []);
});

test('a typical standard-mode D-file layout is one request with the default gap', () => {
  // 500 levels: PRES_ADJUSTED(float) PRES_ADJUSTED_QC(char) | skip PRES_ADJUSTED_ERROR, TEMP, TEMP_QC | TEMP_ADJUSTED…
  const n = 500;
  const pad4 = (x: number) => Math.ceil(x / 4) * 4;
  let at = 20_000;
  const layout: Record<string, [number, number]> = {};
  for (const [name, size] of [
    ['PRES', 4], ['PRES_QC', 1], ['PRES_ADJUSTED', 4], ['PRES_ADJUSTED_QC', 1], ['PRES_ADJUSTED_ERROR', 4],
    ['TEMP', 4], ['TEMP_QC', 1], ['TEMP_ADJUSTED', 4], ['TEMP_ADJUSTED_QC', 1], ['TEMP_ADJUSTED_ERROR', 4],
    ['PSAL', 4], ['PSAL_QC', 1], ['PSAL_ADJUSTED', 4], ['PSAL_ADJUSTED_QC', 1],
  ] as const) {
    layout[name] = [at, n * size];
    at += pad4(n * size);
  }
  const wanted = ['PRES_ADJUSTED', 'PRES_ADJUSTED_QC', 'TEMP_ADJUSTED', 'TEMP_ADJUSTED_QC', 'PSAL_ADJUSTED', 'PSAL_ADJUSTED_QC'];
  const groups = coalesceRanges(wanted.map((w) => r(layout[w][0], layout[w][1], w)), COALESCE_GAP_BYTES);
  assert.equal(groups.length, 1);
});

test('sliceMember cuts a member out of its group, clamped to a short read', () => {
  const group = { offset: 100, length: 10 };
  const bytes = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual([...sliceMember(group, bytes, { offset: 103, length: 3 })], [3, 4, 5]);
  assert.deepEqual([...sliceMember(group, bytes.subarray(0, 4), { offset: 103, length: 3 })], [3]);
  assert.deepEqual([...sliceMember(group, bytes.subarray(0, 2), { offset: 105, length: 3 })], []);
});
