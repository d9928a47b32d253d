/**
 * Store key rules, the same for every backend so a store can move between a directory and S3:
 * `/`-separated segments, none empty, none starting with `.` (that covers `.` and `..`, and keeps
 * the local store's temp and lock files, which start with `.`, out of every key space), no
 * backslash, no NUL, at most 1024 bytes (S3's limit).
 *
 * A bad key is a bug in the caller (keys are built by the service, never taken raw from a
 * request), so it is a `TypeError`, not a `StoreError`.
 */

const MAX_KEY_BYTES = 1024;

function segmentsOk(segments: string[]): boolean {
  return segments.every((s) => s.length > 0 && !s.startsWith('.'));
}

export function assertValidKey(key: string): void {
  const ok =
    typeof key === 'string' &&
    key.length > 0 &&
    Buffer.byteLength(key) <= MAX_KEY_BYTES &&
    !key.includes('\\') &&
    !key.includes('\0') &&
    segmentsOk(key.split('/'));
  if (!ok) throw new TypeError(`invalid store key ${JSON.stringify(key)}: use plain '/'-separated segments, none empty or starting with '.'`);
}

/** A list prefix: '' or the start of a valid key (it may end with '/' or in mid-segment). */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  const segments = prefix.split('/');
  if (segments[segments.length - 1] === '') segments.pop();
  const ok =
    typeof prefix === 'string' &&
    !prefix.includes('\\') &&
    !prefix.includes('\0') &&
    segmentsOk(segments);
  if (!ok) throw new TypeError(`invalid store prefix ${JSON.stringify(prefix)}`);
}

/** Lexicographic order by UTF-8 bytes, the order S3 lists keys in. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * A ranged read's bounds: `offset` an integer ≥ 0, `length` an integer ≥ 1, both within the safe
 * integer range. Like a bad key, a bad range is a caller bug: a `RangeError`.
 */
export function assertValidRange(range: { offset: number; length: number }): void {
  const { offset, length } = range;
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 1 || !Number.isSafeInteger(offset + length)) {
    throw new RangeError(`invalid byte range ${JSON.stringify({ offset, length })}: offset must be an integer >= 0 and length an integer >= 1`);
  }
}
