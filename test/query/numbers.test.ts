/**
 * `shortestFloat32` against an exact oracle written here with BigInt arithmetic: a float32
 * a = m·2^e reads back from a decimal when the decimal lies in a's rounding interval (half the
 * gap to each neighbour; the gap below is halved at a power of two; the ends belong to a when m is
 * even, ties-to-even). The oracle takes the fewest significant digits, then the nearest, then
 * the even one (0.000244140625 = 2^-12 → 0.00024414062).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatFloat32, shortestFloat32, shortestFloat32Array } from '../../src/query/numbers.js';
import { loadReference } from '../kit/reference.js';
import { skipWithoutShared } from '../kit/shared-sample.js';
import { createRandom } from '../geo/random.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function fromBits(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0];
}

/** A positive finite float32 as m·2^e exactly, and whether it sits on a binade's lower end. */
function decompose(a: number): { m: bigint; e: number; narrowBelow: boolean } {
  f32[0] = a;
  const bits = u32[0];
  const biased = (bits >>> 23) & 0xff;
  const fraction = bits & 0x7fffff;
  if (biased === 0) return { m: BigInt(fraction), e: -149, narrowBelow: false };
  return { m: BigInt(fraction | 0x800000), e: biased - 150, narrowBelow: fraction === 0 && biased > 1 };
}

const pow = (b: bigint, n: number) => b ** BigInt(n);

/** The oracle: the shortest (then nearest) decimal for positive float32 `a`, as `n e q`. */
function oracle(a: number): string {
  const { m, e, narrowBelow } = decompose(a);
  // Everything over the common denominator 2^(2-e) when e < 2 (numerators exact integers).
  const shift = Math.max(0, 2 - e);
  const den = pow(2n, shift);
  const toNum = (k: bigint, ex: number) => (ex + shift >= 0 ? k * pow(2n, ex + shift) : 0n);
  const value = toNum(m, e);
  const hi = toNum(2n * m + 1n, e - 1);
  const lo = narrowBelow ? toNum(4n * m - 1n, e - 2) : toNum(2n * m - 1n, e - 1);
  const inclusive = m % 2n === 0n;
  // Exact decimal exponent of a: 10^E ≤ a < 10^(E+1).
  let E = Math.floor(Math.log10(a));
  const ge = (num: bigint, q: number) => (q >= 0 ? num >= pow(10n, q) * den : num * pow(10n, -q) >= den);
  while (!ge(value, E)) E--;
  while (ge(value, E + 1)) E++;
  for (let digits = 1; digits <= 9; digits++) {
    const q = E - digits + 1;
    // Scaled so that a candidate n·10^q compares as n·S against N·T.
    const S = q >= 0 ? pow(10n, q) * den : den;
    const T = q >= 0 ? 1n : pow(10n, -q);
    const nMin = (lo * T + S - 1n) / S;
    const nMax = (hi * T) / S;
    let best: bigint | undefined;
    let bestDist = 0n;
    for (let n = nMin > 0n ? nMin : 1n; n <= nMax; n++) {
      const x = n * S;
      if (!inclusive && (x === lo * T || x === hi * T)) continue;
      const dist = x > value * T ? x - value * T : value * T - x;
      // Equally near: the even one (as ECMAScript's Number::toString and Ryu choose).
      if (best === undefined || dist < bestDist || (dist === bestDist && n % 2n === 0n)) {
        best = n;
        bestDist = dist;
      }
    }
    if (best !== undefined) return `${best}e${q}`;
  }
  throw new Error(`no decimal for ${a}`);
}

function check(a: number): void {
  if (a === 0) return;
  const got = shortestFloat32(a)!;
  const want = a < 0 ? -Number(oracle(-a)) : Number(oracle(a));
  assert.equal(got, want, `float32 ${a} (bits ${u32[0].toString(16)}): got ${got}, oracle ${want}`);
  assert.equal(Math.fround(got), a, `${got} must read back as ${a}`);
}

describe('shortest float32 decimals', () => {
  test('the examples: 25.3, not 25.299999', () => {
    assert.equal(formatFloat32(Math.fround(25.3)), '25.3');
    assert.equal(formatFloat32(25.299999237060547), '25.3');
    assert.equal(formatFloat32(Math.fround(35.1234)), '35.1234');
    assert.equal(formatFloat32(Math.fround(-1.85)), '-1.85');
    assert.equal(formatFloat32(Math.fround(1999.9)), '1999.9');
    assert.equal(formatFloat32(Math.fround(0.1)), '0.1');
    assert.equal(formatFloat32(16777216), '16777216');
    assert.equal(formatFloat32(Math.fround(99999)), '99999');
    assert.equal(formatFloat32(Math.fround(1e-7)), '1e-7');
    assert.equal(formatFloat32(Math.fround(3.4028234663852886e38)), '3.4028235e+38');
    assert.equal(formatFloat32(2 ** -10), '0.0009765625');
    // Exactly between two 8-digit candidates: the even one.
    assert.equal(formatFloat32(2 ** -12), '0.00024414062');
    assert.equal(formatFloat32(4104728.25), '4104728.2');
    assert.equal(formatFloat32(4104728.75), '4104728.8');
    assert.equal(JSON.stringify([shortestFloat32(Math.fround(21.928432464599609))]), '[21.928432]');
  });

  test('no value, zeros and arrays', () => {
    assert.equal(shortestFloat32(NaN), null);
    assert.equal(shortestFloat32(Infinity), null);
    assert.ok(Object.is(shortestFloat32(-0), 0), '-0 is written as 0');
    assert.equal(formatFloat32(NaN), 'NaN');
    assert.deepEqual(shortestFloat32Array(Float32Array.of(25.3, NaN, -0.5)), [25.3, null, -0.5]);
    // A double that is not a float32 is taken as the float32 it rounds to.
    assert.equal(shortestFloat32(25.30000001), 25.3);
  });

  test('every power of two, normal and subnormal, matches the oracle', () => {
    for (let k = -149; k <= 127; k++) check(Math.fround(2 ** k));
  });

  test('random float32 bit patterns of every magnitude match the oracle', () => {
    const random = createRandom(32);
    for (let i = 0; i < 30_000; i++) {
      const a = fromBits(random.int(0x7f800000));
      if (a === 0) continue;
      check(random.next() < 0.5 ? a : -a);
    }
  });

  test('float32 values that are decimals ending in 5 (ties one digit shorter) match the oracle', () => {
    const random = createRandom(5);
    let exact = 0;
    for (let k = -46; k <= 38; k++) {
      for (let i = 0; i < 400; i++) {
        const digits = 1 + random.int(10);
        const v = Number(`${Math.floor(random.next() * 10 ** (digits - 1)) * 10 + 5}e${k}`);
        const a = Math.fround(v);
        if (a !== v || !Number.isFinite(a)) continue;
        exact++;
        check(a);
      }
    }
    assert.ok(exact > 1000, `only ${exact} exact decimals`);
  });

  test('ocean-like values (the fast path) match the oracle', () => {
    const random = createRandom(2024);
    for (let i = 0; i < 60_000; i++) {
      const decimals = random.int(7);
      const magnitude = [1, 40, 2000, 0.01, 1e5][i % 5];
      const v = Number(random.between(-magnitude, magnitude).toFixed(decimals));
      check(Math.fround(v));
      // And the float32 neighbours, whose shortest forms are long.
      f32[0] = v;
      check(fromBits(u32[0] + 1));
    }
  });

  test('native reference values: within 1e-4 of the reference, so its tests still pass', (t) => {
    const dir = skipWithoutShared(t);
    if (!dir) return;
    const reference = loadReference(dir);
    let compared = 0;
    for (const profile of Object.values(reference.profiles)) {
      for (const variable of ['PRES', 'TEMP', 'PSAL'] as const) {
        for (const v of profile.expert.native?.[variable] ?? []) {
          if (v === null) continue;
          // The reference holds the file's float32 rounded to 6 decimals; the file value is its float32.
          const written = shortestFloat32(Math.fround(v))!;
          assert.ok(Math.abs(written - v) < 1e-4, `${v} written as ${written}`);
          assert.ok(String(written).replace(/^-?\d*\.?/, '').length <= 9, `${written} is short`);
          compared++;
        }
      }
    }
    assert.ok(compared > 10_000, `compared ${compared}`);
  });
});
