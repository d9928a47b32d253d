/** Interpolation rules of SEMANTICS.md, edge case by edge case. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interpolate, usablePoints } from '../../src/argo/index.js';

const interp = (x: number[], y: number[], targets: number[]) => Array.from(interpolate({ x, y, targets }));

test('linear between points, exact hits take the value, outside → NaN', () => {
  assert.deepEqual(interp([0, 10, 20], [1, 2, 4], [-1, 0, 5, 10, 15, 20, 21]), [NaN, 1, 1.5, 2, 3, 4, NaN]);
});

test('fewer than 2 usable points → all NaN, even at an exact hit', () => {
  assert.deepEqual(interp([5], [1], [5, 6]), [NaN, NaN]);
  assert.deepEqual(interp([5, NaN, 7], [1, 2, NaN], [5]), [NaN]);
  assert.deepEqual(interp([], [], [0]), [NaN]);
  // Two points with the same coordinate are one point after dropping repeats.
  assert.deepEqual(interp([5, 5], [1, 2], [5]), [NaN]);
});

test('unusable points (NaN coordinate or value) are skipped', () => {
  assert.deepEqual(interp([0, NaN, 10, 20], [0, 99, NaN, 20], [5, 10]), [5, 10]);
});

test('unsorted input is sorted stably; repeated coordinates keep the first in file order', () => {
  // Descending profile with a repeated level: 20 appears twice, the first (value 2) wins.
  assert.deepEqual(interp([30, 20, 20, 10], [3, 2, 99, 1], [10, 15, 20, 25, 30]), [1, 1.5, 2, 2.5, 3]);
  const { xs, ys } = usablePoints([3, 1, 2, 1], [30, 10, 20, 11]);
  assert.deepEqual(Array.from(xs), [1, 2, 3]);
  assert.deepEqual(Array.from(ys), [10, 20, 30]);
  // A repeated coordinate in an otherwise increasing profile.
  assert.deepEqual(interp([0, 10, 10, 20], [0, 1, 5, 2], [10, 15]), [1, 1.5]);
});

test('NaN targets give NaN; targets in any order; out buffer is filled', () => {
  const out = new Float64Array(3);
  const res = interpolate({ x: [0, 10], y: [0, 100], targets: [NaN, 7, 3], out });
  assert.equal(res, out);
  assert.deepEqual(Array.from(out), [NaN, 70, 30]);
});
