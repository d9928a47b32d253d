/**
 * Cursors: the wire form round-trips, a cursor of other filters or a broken one is a 400 naming
 * `cursor`, the comparator is the month index's result order made total by the id, and paging
 * with it yields exactly the uncapped result, also when the data is rebuilt between pages.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ValidationError } from '../../src/errors.js';
import { compareProfiles } from '../../src/month-index/codec.js';
import {
  compareCursorKeys,
  cursorKeyOf,
  decodeCursor,
  encodeCursor,
  filterFingerprint,
  isAfterCursor,
  type CursorKey,
} from '../../src/query/cursor.js';
import { createRandom } from '../geo/random.js';

const T0 = Date.parse('2023-01-01T00:00:00Z');
const FILTER = { startMs: T0, endMs: T0 + 365 * 86_400_000, mode: 'standard', bbox: [-30, 20, -10, 40], platforms: undefined };

function randomKey(random: ReturnType<typeof createRandom>): CursorKey {
  // Few distinct values, so ties on every member of the key are frequent.
  const platform = String([13857, 1900001, 1900002, 6903247, 3900123][random.int(5)]);
  const cycle = random.int(4);
  const direction = random.next() < 0.7 ? 'A' : 'D';
  return {
    timeMs: T0 + random.int(40) * 3_600_000,
    platform,
    cycle,
    direction,
    id: `dac/${platform}/profiles/R${platform}_${String(cycle).padStart(3, '0')}${direction === 'D' ? 'D' : ''}${random.next() < 0.1 ? 'x' : ''}.nc`,
  };
}

function assertCursorError(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ValidationError, String(error));
    assert.deepEqual(error.issues.map((i) => i.parameter), ['cursor']);
    assert.match(error.issues[0].message, message);
    return true;
  });
}

/**
 * One page the way the planner will make it: the first `size` profiles of `data` (in result
 * order) strictly after the cursor, and the next cursor when more remain.
 */
function page(data: readonly CursorKey[], size: number, cursor: string | undefined): { keys: CursorKey[]; next?: string } {
  const after = cursor === undefined ? undefined : decodeCursor(cursor, { filter: FILTER });
  const matching = data.filter((k) => after === undefined || isAfterCursor(k, after));
  const keys = matching.slice(0, size);
  return matching.length > size ? { keys, next: encodeCursor({ key: keys[keys.length - 1], filter: FILTER }) } : { keys };
}

describe('cursor codec', () => {
  test('round trip: the key comes back, the token is URL-safe and short', () => {
    const key: CursorKey = { timeMs: 1539927660000, platform: '6903247', cycle: 1, direction: 'A', id: 'coriolis/6903247/profiles/R6903247_001.nc' };
    const cursor = encodeCursor({ key, filter: FILTER });
    assert.match(cursor, /^[A-Za-z0-9_-]+$/);
    assert.ok(cursor.length < 200, `${cursor.length} characters`);
    assert.deepEqual(decodeCursor(cursor, { filter: FILTER }), key);
    assert.deepEqual(decodeCursor(` ${cursor} `, { filter: { ...FILTER } }), key);
  });

  test('the fingerprint ignores key order and undefined members, and sees every value', () => {
    assert.equal(filterFingerprint({ a: 1, b: [1, 2], c: undefined }), filterFingerprint({ b: [1, 2], a: 1 }));
    assert.notEqual(filterFingerprint({ b: [1, 2] }), filterFingerprint({ b: [2, 1] }));
    assert.notEqual(filterFingerprint({ a: 1 }), filterFingerprint({ a: '1' }));
    assert.notEqual(filterFingerprint({ polygon: [[0, 0], [1, 0], [1, 1]] }), filterFingerprint({ polygon: [[0, 0], [1, 0], [1, 2]] }));
  });

  test('a cursor sent with other filters is a 400 naming cursor', () => {
    const cursor = encodeCursor({ key: randomKey(createRandom(1)), filter: FILTER });
    for (const other of [{ ...FILTER, mode: 'research' }, { ...FILTER, bbox: [-30, 20, -10, 41] }, { ...FILTER, endMs: FILTER.endMs + 1 }, { ...FILTER, platforms: ['13857'] }]) {
      assertCursorError(() => decodeCursor(cursor, { filter: other }), /other filters/);
    }
  });

  test('garbage, tampering and other versions are 400s naming cursor', () => {
    const key = randomKey(createRandom(2));
    const cursor = encodeCursor({ key, filter: FILTER });
    const wire = (body: unknown) => Buffer.from(JSON.stringify(body)).toString('base64url');
    const fingerprint = filterFingerprint(FILTER);
    const bad: [string, RegExp][] = [
      ['', /not a cursor/],
      ['abc!def', /not a cursor/],
      ['a'.repeat(2000), /not a cursor/],
      [cursor.slice(0, -5), /not a cursor/],
      [Buffer.from('hello').toString('base64url'), /not a cursor/],
      [wire({ v: 1 }), /not a cursor/],
      [wire([2, key.timeMs, key.platform, key.cycle, key.direction, key.id, fingerprint]), /another version/],
      [wire([1, 'soon', key.platform, key.cycle, key.direction, key.id, fingerprint]), /not a cursor/],
      [wire([1, key.timeMs, key.platform, 1.5, key.direction, key.id, fingerprint]), /not a cursor/],
      [wire([1, key.timeMs, key.platform, key.cycle, 'AD', key.id, fingerprint]), /not a cursor/],
      [wire([1, key.timeMs, key.platform, key.cycle, key.direction, key.id]), /not a cursor/],
      [wire([1, key.timeMs, key.platform, key.cycle, key.direction, key.id, 'x'.repeat(16)]), /other filters/],
    ];
    for (const [text, message] of bad) assertCursorError(() => decodeCursor(text, { filter: FILTER }), message);
  });

  test('the comparator is the month index order, made total by the id', () => {
    const random = createRandom(3);
    const keys = Array.from({ length: 2000 }, () => randomKey(random));
    const sorted = [...keys].sort(compareCursorKeys);
    for (let i = 1; i < sorted.length; i++) {
      const [a, b] = [sorted[i - 1], sorted[i]];
      assert.ok(compareProfiles(a, b) <= 0, 'never against the month index order');
      assert.ok(compareCursorKeys(a, b) <= 0 && compareCursorKeys(b, a) >= 0, 'antisymmetric');
      if (compareCursorKeys(a, b) === 0) assert.deepEqual(a, b, 'zero only for equal keys');
      assert.equal(isAfterCursor(b, a), compareCursorKeys(a, b) < 0);
      assert.equal(isAfterCursor(a, a), false, 'strictly after');
    }
    // The order the semantics name: numeric platforms as numbers, A before D.
    const base = { timeMs: T0, cycle: 1, id: 'x' };
    assert.ok(compareCursorKeys({ ...base, platform: '13857', direction: 'A' }, { ...base, platform: '1900001', direction: 'A' }) < 0);
    assert.ok(compareCursorKeys({ ...base, platform: '13857', direction: 'A' }, { ...base, platform: '13857', direction: 'D' }) < 0);
    assert.deepEqual(
      cursorKeyOf({ timeMs: 5, platformNumber: '13857', cycleNumber: 2, direction: 'D', id: 'a/13857/profiles/R13857_002D.nc' }),
      { timeMs: 5, platform: '13857', cycle: 2, direction: 'D', id: 'a/13857/profiles/R13857_002D.nc' },
    );
  });

  test('following every next cursor yields exactly the uncapped result, in order', () => {
    const random = createRandom(4);
    const data = [...new Map(Array.from({ length: 700 }, () => randomKey(random)).map((k) => [k.id + k.timeMs, k])).values()].sort(compareCursorKeys);
    for (const size of [1, 7, 100, 699, 700, 1000]) {
      const seen: CursorKey[] = [];
      let cursor: string | undefined;
      for (let pages = 0; ; pages++) {
        assert.ok(pages <= data.length, 'paging terminates');
        const result = page(data, size, cursor);
        seen.push(...result.keys);
        if (!result.next) break;
        cursor = result.next;
      }
      assert.deepEqual(seen, data, `page size ${size}`);
    }
  });

  test('a rebuild between pages: no duplicate, no unchanged profile skipped, order kept', () => {
    const random = createRandom(5);
    for (let round = 0; round < 40; round++) {
      let data = [...new Map(Array.from({ length: 300 }, () => randomKey(random)).map((k) => [k.id + k.timeMs, k])).values()].sort(compareCursorKeys);
      const changed = new Set<string>();
      const seen: CursorKey[] = [];
      let cursor: string | undefined;
      for (let pages = 0; ; pages++) {
        const result = page(data, 1 + random.int(40), cursor);
        seen.push(...result.keys);
        if (!result.next) break;
        cursor = result.next;
        // The rebuild: some profiles removed, some added, some moved in time (a corrected JULD).
        const next = data.filter((k) => {
          const drop = random.next() < 0.03;
          if (drop) changed.add(JSON.stringify(k));
          return !drop;
        });
        for (let i = 0; i < 5; i++) {
          const added = randomKey(random);
          changed.add(JSON.stringify(added));
          next.push(added);
        }
        for (let i = 0; i < 2 && next.length > 0; i++) {
          const j = random.int(next.length);
          changed.add(JSON.stringify(next[j]));
          next[j] = { ...next[j], timeMs: next[j].timeMs + (random.int(5) - 2) * 3_600_000 };
          changed.add(JSON.stringify(next[j]));
        }
        data = [...new Map(next.map((k) => [JSON.stringify(k), k])).values()].sort(compareCursorKeys);
        assert.ok(pages < 1000, `still paging after ${pages} pages (${data.length} profiles)`);
      }
      const seenText = seen.map((k) => JSON.stringify(k));
      assert.equal(new Set(seenText).size, seenText.length, 'no profile twice');
      for (let i = 1; i < seen.length; i++) assert.ok(compareCursorKeys(seen[i - 1], seen[i]) < 0, 'pages concatenate in order');
      // Every profile that was there from the first page to the last, unchanged, was returned.
      const unchanged = data.filter((k) => !changed.has(JSON.stringify(k)));
      for (const k of unchanged) assert.ok(seenText.includes(JSON.stringify(k)), `skipped ${JSON.stringify(k)}`);
      assert.ok(unchanged.length > 100, `only ${unchanged.length} unchanged profiles: the check would be weak`);
    }
  });
});
