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

/** The years a month name can spell: four digits (`MONTH_PATTERN`, and the store's month keys). */
export const FIRST_NAMEABLE_YEAR = 0;
export const LAST_NAMEABLE_YEAR = 9999;

/**
 * First instant of month `month0` (0-based, may overflow into other years) of `year`, epoch ms
 * UTC. Not `Date.UTC`: it reads years 0–99 as 1900–1999.
 */
function utcMonthStart(year: number, month0: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month0, 1);
  return d.getTime();
}

/**
 * The `YYYY-MM` name of a month. The one place month names are spelled: a year outside
 * 0000–9999 has no four-digit name, and is a RangeError (never `00-1-12` or `10000-01`, which no
 * month key, month pattern or client could read back).
 */
export function formatMonth(year: number, month0: number): string {
  if (!Number.isInteger(year) || year < FIRST_NAMEABLE_YEAR || year > LAST_NAMEABLE_YEAR || !(month0 >= 0 && month0 <= 11)) {
    throw new RangeError(`no YYYY-MM month name for year ${year}, month ${month0 + 1}`);
  }
  return `${String(year).padStart(4, '0')}-${String(month0 + 1).padStart(2, '0')}`;
}

/** First instant of the month, epoch ms UTC. */
export function monthStartMs(month: string): number {
  const { year, month0 } = parts(month);
  return utcMonthStart(year, month0);
}

/** First instant of the next month, epoch ms UTC. */
export function monthEndMs(month: string): number {
  const { year, month0 } = parts(month);
  return utcMonthStart(year, month0 + 1);
}

/** The month (YYYY-MM) an instant falls in; a RangeError outside years 0000–9999 (see formatMonth). */
export function monthOf(ms: number): string {
  const d = new Date(ms);
  return formatMonth(d.getUTCFullYear(), d.getUTCMonth());
}

export function addMonths(month: string, n: number): string {
  const { year, month0 } = parts(month);
  return monthOf(utcMonthStart(year, month0 + n));
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
