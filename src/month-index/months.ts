/**
 * Month arithmetic (UTC) and the store key scheme of month objects. Pure.
 *
 * Keys: `months/<YYYY>/<YYYY-MM>.<stamp>-<random>.json.zst`, where `<stamp>` is the write time as
 * `YYYYMMDDTHHMMSSmmmZ`. Objects are immutable, so a rebuild writes a new key; the stamp makes the
 * newest version of a month the greatest key in a listing (what readers heal from when the master
 * index lags), and the random part keeps two builders writing in the same millisecond apart.
 */
import { randomBytes } from 'node:crypto';

export const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

export const MONTHS_PREFIX = 'months/';
export const MASTER_KEY = 'master_index.json';
export const UNDATED_KEY = 'undated.json.zst';

const MONTH_KEY_PATTERN = /^months\/(\d{4})\/(\d{4}-(?:0[1-9]|1[0-2]))\.(\d{8}T\d{9}Z)-([0-9a-f]+)\.json\.zst$/;

export function isMonth(value: string): boolean {
  return MONTH_PATTERN.test(value);
}

function parts(month: string): { year: number; month0: number } {
  const m = MONTH_PATTERN.exec(month);
  if (!m) throw new RangeError(`not a month (YYYY-MM): ${JSON.stringify(month)}`);
  return { year: Number(m[1]), month0: Number(m[2]) - 1 };
}

/** First instant of the month, epoch ms UTC. */
export function monthStartMs(month: string): number {
  const { year, month0 } = parts(month);
  return Date.UTC(year, month0, 1);
}

/** First instant of the next month, epoch ms UTC. */
export function monthEndMs(month: string): number {
  const { year, month0 } = parts(month);
  return Date.UTC(year, month0 + 1, 1);
}

/** The month (YYYY-MM) an instant falls in. */
export function monthOf(ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + 1;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
}

export function addMonths(month: string, n: number): string {
  const { year, month0 } = parts(month);
  return monthOf(Date.UTC(year, month0 + n, 1));
}

/** Every month from start to end, both included (empty when end < start). */
export function monthsBetween(start: string, end: string): string[] {
  const out: string[] = [];
  for (let m = start; m <= end; m = addMonths(m, 1)) out.push(m);
  return out;
}

/** A fresh, unique, sortable key for a new version of a month object. */
export function newMonthKey(month: string, at: Date, random: () => string = () => randomBytes(4).toString('hex')): string {
  const stamp = at.toISOString().replace(/[-:.]/g, '');
  return `${MONTHS_PREFIX}${month.slice(0, 4)}/${month}.${stamp}-${random()}.json.zst`;
}

export interface ParsedMonthKey {
  key: string;
  month: string;
  /** Write time from the key's stamp, epoch ms. */
  writtenMs: number;
}

/** The month and write time of a month object key; undefined for other keys. */
export function parseMonthKey(key: string): ParsedMonthKey | undefined {
  const m = MONTH_KEY_PATTERN.exec(key);
  if (!m || m[1] !== m[2].slice(0, 4)) return undefined;
  const s = m[3];
  const writtenMs = Date.UTC(
    Number(s.slice(0, 4)),
    Number(s.slice(4, 6)) - 1,
    Number(s.slice(6, 8)),
    Number(s.slice(9, 11)),
    Number(s.slice(11, 13)),
    Number(s.slice(13, 15)),
    Number(s.slice(15, 18)),
  );
  return { key, month: m[2], writtenMs };
}

/** Whether key `a` is a newer version than `b` (same month). Keys sort by write time. */
export function isNewerKey(a: string, b: string | undefined): boolean {
  return b === undefined || a > b;
}
