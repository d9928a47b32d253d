/**
 * Store keys of data packs. A pack is written with one month version and named after it: the
 * month index key `months/<YYYY>/<YYYY-MM>.<stamp>-<random>.json.zst` has the pack
 * `packs/<YYYY>/<YYYY-MM>.<stamp>-<random>.parquet`. Outside `months/`, so listings of month
 * objects never see packs; the twin name lets garbage collection tell which month version a pack
 * belongs to without reading anything. Pure.
 */
import { MONTHS_PREFIX, parseMonthKey } from './months.js';

export const PACKS_PREFIX = 'packs/';
const MONTH_SUFFIX = '.json.zst';
const PACK_SUFFIX = '.parquet';

/** The pack key of a month version. */
export function packKeyOf(monthKey: string): string {
  if (!parseMonthKey(monthKey)) throw new RangeError(`not a month index key: ${JSON.stringify(monthKey)}`);
  return PACKS_PREFIX + monthKey.slice(MONTHS_PREFIX.length, -MONTH_SUFFIX.length) + PACK_SUFFIX;
}

/** The month index key a pack belongs to, or undefined when `key` is not a pack key. */
export function monthKeyOfPack(key: string): string | undefined {
  if (!key.startsWith(PACKS_PREFIX) || !key.endsWith(PACK_SUFFIX)) return undefined;
  const monthKey = MONTHS_PREFIX + key.slice(PACKS_PREFIX.length, -PACK_SUFFIX.length) + MONTH_SUFFIX;
  return parseMonthKey(monthKey) ? monthKey : undefined;
}
