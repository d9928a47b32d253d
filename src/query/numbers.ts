/**
 * Numbers as written in the output. A value stored as float32 in the file (PRES, TEMP, PSAL and
 * the BGC parameters, raw or adjusted) is written with the shortest decimal that reads back as the
 * same float32: `25.3`, not `25.299999` nor `25.299999237060547`. So a reader that stores it as
 * float32 again (pandas, numpy, Arrow, Parquet FLOAT) gets the file's exact value, and the text is
 * as short as it can be. Values we compute (interpolation, depth) keep 6 decimals (output.ts). It lives in
 * query/ because the profile JSON is made there, once (query/ never imports serialize/).
 *
 * `shortestFloat32` returns a double, not a string: the double nearest that shortest decimal,
 * whose own shortest form (what `JSON.stringify` and `String` print) is that decimal. So output
 * objects keep numbers, and every serializer prints them right without knowing where they came
 * from.
 *
 * Hot path (every level of every native profile): the usual case, 1e-5 ≤ |x| < 2^24, tries 0, 1,
 * 2, … decimals with integer arithmetic (round x·10^d, divide back, compare with Math.fround), no
 * strings. Magnitudes outside that range take a slower exact search through decimal strings.
 */

/** Powers of ten that are exact doubles (10^0 … 10^22). */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/**
 * Most decimals the fast path may need: a float32 needs at most 9 significant digits, so for
 * |x| ≥ 1e-5 (at most 4 zeros after the point) 9 + 4 = 13 decimals suffice.
 */
const FAST_MAX_DECIMALS = 13;
/** Fast path range: below 2^24 a float32 has a fractional part or is an exact integer < 10^8. */
const FAST_MIN = 1e-5;
const FAST_LIMIT = 16777216;

/** Whether the double `v` reads back (through float32 rounding) as `target`. */
function readsBackAs(v: number, target: number): boolean {
  return Math.fround(v) === target;
}

/**
 * Fast path for FAST_MIN ≤ a < FAST_LIMIT, a > 0 a float32: the fewest decimals d such that a
 * d-decimal number reads back as a; of those, the nearest (the even one on a tie). `n / 10^d` (both exact) is the double
 * nearest n·10^-d, exactly what parsing that decimal gives.
 */
function shortestFast(a: number): number {
  for (let d = 0; d <= FAST_MAX_DECIMALS; d++) {
    const scale = POW10[d];
    const t = a * scale;
    let n = Math.round(t);
    // Exactly halfway (a is itself a decimal ending in 5, e.g. 4104728.25): the even candidate,
    // as ECMAScript's Number::toString and Ryu choose. t is exact then (a small dyadic).
    if (n - t === 0.5 && n % 2 === 1 && readsBackAs((n - 1) / scale, a)) n -= 1;
    const v = n / scale;
    if (readsBackAs(v, a)) return v;
    // At a power of two the gap below is half the gap above, so the nearest candidate can fall
    // outside below while the next one up is inside (e.g. 2^-10 ⇒ 0.0009765625). Only the
    // candidate on the wide (upper) side can be in then.
    if (n < t) {
      const up = (n + 1) / scale;
      if (readsBackAs(up, a)) return up;
    }
  }
  return shortestSlow(a);
}

/**
 * Any positive finite float32: for 1, 2, … 9 significant digits, the candidates around a·10^-q
 * (q from the decimal exponent) parsed from strings (correctly rounded), the nearest that reads
 * back (the even one on a tie). Used outside the fast path's range only.
 */
function shortestSlow(a: number): number {
  const exponent = Math.floor(Math.log10(a));
  for (let digits = 1; digits <= 9; digits++) {
    // The estimate of the exponent may be one off near a power of ten: try its neighbours too,
    // the coarser first, so a candidate with more digits never wins over one with fewer.
    for (const e of [exponent + 1, exponent, exponent - 1]) {
      const q = e - digits + 1;
      const n = Math.round(a * 10 ** -q);
      let best: number | undefined;
      let bestN = 0;
      for (const m of [n - 1, n, n + 1]) {
        if (m <= 0) continue;
        const v = Number(`${m}e${q}`);
        if (!readsBackAs(v, a)) continue;
        if (best === undefined) {
          best = v;
          bestN = m;
          continue;
        }
        // The differences are exact (Sterbenz); a tie between the decimals shows as differences
        // within the doubles' own rounding (a few units in the last place): then the even one.
        const d = Math.abs(v - a) - Math.abs(best - a);
        const tie = Math.abs(d) <= 4 * Number.EPSILON * a;
        if ((tie && m % 2 === 0 && bestN % 2 === 1) || (!tie && d < 0)) {
          best = v;
          bestN = m;
        }
      }
      if (best !== undefined) return best;
    }
  }
  // Unreachable for a float32 (9 digits always suffice); the exact value is still right.
  return a;
}

/**
 * The double whose shortest decimal form is the shortest decimal that reads back as the float32
 * `Math.fround(x)`. NaN and ±Infinity (no value) → null; -0 → 0 (so CSV never shows `-0`).
 * `x` should already be a float32 value; anything else is first rounded to float32.
 */
export function shortestFloat32(x: number): number | null {
  if (!Number.isFinite(x)) return null;
  const f = Math.fround(x);
  if (f === 0) return 0;
  const a = f < 0 ? -f : f;
  const v = a >= FAST_MIN && a < FAST_LIMIT ? shortestFast(a) : shortestSlow(a);
  return f < 0 ? -v : v;
}

/**
 * The shortest decimal text that reads back as the float32 `Math.fround(x)` (`25.3`). JavaScript
 * number syntax: exponent form below 1e-6 and from 1e21 (`1e-7`), which JSON and CSV readers take.
 * Non-finite inputs give `NaN`/`Infinity`: callers write missing values as null/empty first.
 */
export function formatFloat32(x: number): string {
  const v = shortestFloat32(x);
  return v === null ? String(x) : String(v);
}

/** `shortestFloat32` over an array of float32 values (NaN → null), e.g. a level column. */
export function shortestFloat32Array(values: ArrayLike<number>): (number | null)[] {
  const out = new Array<number | null>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = shortestFloat32(values[i]);
  return out;
}
