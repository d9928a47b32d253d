/**
 * Key-set pagination cursors: an opaque token naming the last profile a page returned, by its
 * key in result order, plus a fingerprint of the query's filters.
 *
 * - Key: time (ms), platform, cycle, direction (the result order, SEMANTICS.md; `compareProfiles`
 *   of the month index) and the profile id as the final tiebreak, so the order is total.
 * - The next page is every match strictly after that key (`isAfterCursor`). Because the cursor
 *   names a position in the order and not an offset, a month rebuilt between two pages neither
 *   repeats nor skips a profile that did not change: profiles before the key were served, those
 *   after it are still to come, whatever was added or removed around them. (A profile whose
 *   time changed in the rebuild moves in the order; it may then be seen twice or not at all.)
 * - Fingerprint: the filters that decide which profiles match and in which order (window, mode,
 *   dataset, bbox, shapes, platforms, …), canonical JSON hashed with SHA-256 and cut to 96 bits.
 *   A cursor sent with other filters is a 400 naming `cursor`; output options (format, depth,
 *   variables, max_profiles) may change between pages.
 * - Wire form: base64url of a small JSON array `[version, time, platform, cycle, direction, id,
 *   fingerprint]`. Not signed: a hand-made cursor can only start a page at another position,
 *   which the window parameters allow anyway.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../errors.js';
import { compareProfiles } from '../month-index/codec.js';

/** Bumped when the wire form or the key changes; older cursors then get a clear 400. */
export const CURSOR_VERSION = 1;

/** Longest cursor accepted, characters: a real one is ~150; this bounds the work on garbage. */
export const MAX_CURSOR_LENGTH = 1024;

/** A profile's position in the result order. */
export interface CursorKey {
  timeMs: number;
  platform: string;
  cycle: number;
  direction: string;
  id: string;
}

/** The filters a cursor is bound to: any JSON-like object (undefined members are ignored). */
export type CursorFilter = Readonly<Record<string, unknown>>;

/** The result order, total: time, platform, cycle, direction (A before D), then id. */
export function compareCursorKeys(a: CursorKey, b: CursorKey): number {
  return compareProfiles(a, b);
}

/** Whether `key` comes strictly after `cursor` in the result order (it belongs to a later page). */
export function isAfterCursor(key: CursorKey, cursor: CursorKey): boolean {
  return compareCursorKeys(key, cursor) > 0;
}

/** The cursor key of a planned profile (the planner's field names). */
export function cursorKeyOf(profile: { timeMs: number; platformNumber: string; cycleNumber: number; direction: string; id: string }): CursorKey {
  return { timeMs: profile.timeMs, platform: profile.platformNumber, cycle: profile.cycleNumber, direction: profile.direction, id: profile.id };
}

/** JSON with object keys sorted at every depth and undefined members dropped. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** 96 bits of SHA-256 of the canonical filters, base64url: equal filters, equal fingerprints. */
export function filterFingerprint(filter: CursorFilter): string {
  return createHash('sha256').update(canonicalJson(filter)).digest().subarray(0, 12).toString('base64url');
}

/** The cursor that continues after `key` for a query with these filters. */
export function encodeCursor({ key, filter }: { key: CursorKey; filter: CursorFilter }): string {
  const body = [CURSOR_VERSION, key.timeMs, key.platform, key.cycle, key.direction, key.id, filterFingerprint(filter)];
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

function invalid(message: string, cause?: unknown): ValidationError {
  return new ValidationError({
    message: `cursor ${message}`,
    context: { parameter: 'cursor' },
    cause,
    issues: [{ parameter: 'cursor', message }],
  });
}

const NOT_OURS = 'is not a cursor of this service; use the next link of a previous page as it is';

/**
 * The key a cursor continues after, checked against the query's filters. Throws a
 * `ValidationError` (400) naming `cursor` when the text is not a cursor, comes from another
 * version, or belongs to a query with other filters.
 */
export function decodeCursor(text: string, { filter }: { filter: CursorFilter }): CursorKey {
  const t = text.trim();
  if (t.length === 0 || t.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(t)) throw invalid(NOT_OURS);
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(t, 'base64url').toString('utf8'));
  } catch (error) {
    throw invalid(NOT_OURS, error);
  }
  if (!Array.isArray(body) || body.length < 1) throw invalid(NOT_OURS);
  if (body[0] !== CURSOR_VERSION) {
    throw invalid('was made by another version of the service; start again without cursor');
  }
  const [, timeMs, platform, cycle, direction, id, fingerprint] = body as unknown[];
  const ok =
    body.length === 7 &&
    Number.isSafeInteger(timeMs) &&
    typeof platform === 'string' &&
    platform.length > 0 &&
    platform.length <= 32 &&
    Number.isSafeInteger(cycle) &&
    typeof direction === 'string' &&
    direction.length === 1 &&
    typeof id === 'string' &&
    id.length > 0 &&
    id.length <= 512 &&
    typeof fingerprint === 'string';
  if (!ok) throw invalid(NOT_OURS);
  if (fingerprint !== filterFingerprint(filter)) {
    throw invalid(
      'belongs to a query with other filters (window, mode, dataset, area, platforms); ' +
        'send it with the same parameters as the page it came from, or drop it to start again',
    );
  }
  return { timeMs: timeMs as number, platform: platform as string, cycle: cycle as number, direction: direction as string, id: id as string };
}
