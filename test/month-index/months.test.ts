/** Month names and month arithmetic (month-index/months.ts): the one place month names are spelled. Pure. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addMonths, formatMonth, monthEndMs, monthOf, monthStartMs, monthsBetween } from '../../src/month-index/months.js';
import { monthsOfWindow } from '../../src/query/planner.js';

const at = (year: number, month0: number, day = 1): number => {
  const d = new Date(0);
  d.setUTCFullYear(year, month0, day);
  return d.getTime();
};

test('years 0-99 are those years, not 1900-1999 (Date.UTC reads them so)', () => {
  assert.equal(monthStartMs('0050-03'), at(50, 2));
  assert.equal(monthEndMs('0050-12'), at(51, 0));
  assert.equal(monthOf(at(0, 0, 15)), '0000-01');
  assert.equal(addMonths('0000-12', 1), '0001-01');
  assert.deepEqual(monthsBetween('0099-11', '0100-02'), ['0099-11', '0099-12', '0100-01', '0100-02']);
  assert.equal(monthOf(Date.UTC(2024, 0, 31, 23, 59, 59, 999)), '2024-01');
});

test('a month outside the years 0000-9999 has no name: a RangeError, never a garbled one', () => {
  // Before: year -1 came out as "00-1-12" and year 10000 as "10000-01".
  assert.throws(() => monthOf(at(-1, 11)), RangeError);
  assert.throws(() => monthOf(at(10000, 0)), RangeError);
  assert.throws(() => addMonths('0000-01', -1), RangeError);
  assert.throws(() => formatMonth(2023, 12), RangeError);
  assert.equal(formatMonth(9999, 11), '9999-12');
});

test('monthsOfWindow spells months through the same code', () => {
  assert.deepEqual(monthsOfWindow(at(0, 0), at(0, 2)), ['0000-01', '0000-02']);
  assert.deepEqual(monthsOfWindow(at(50, 11, 31), at(51, 0, 2)), ['0050-12', '0051-01']);
  // Year -1: the query schema refuses such windows; here it must throw, not garble.
  assert.throws(() => monthsOfWindow(at(-1, 11, 31), at(0, 0, 2)), RangeError);
});
