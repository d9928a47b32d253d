/**
 * Micro-benchmark of the float32 output path (`src/query/numbers.ts`): ns per value of
 * `shortestFloat32` against the approaches it replaces or was chosen over, on value sets shaped
 * like Argo levels. Prints a Markdown table; takes ~10 s.
 *
 *     npx tsx bench/float32-format.ts [--values 1000000] [--rounds 5]
 *
 * Value sets (float32, as read from the files):
 * - ocean: TEMP (-2…30 °C, 3 decimals), PSAL (30…40, 3–4 decimals), PRES (0…2000 dbar, 1 decimal),
 *   the way instruments report them: short decimals stored as float32;
 * - full: random float32 in ±40 with all 24 mantissa bits used (7–9 digit answers; worst case).
 */
import { parseArgs } from 'node:util';
import { roundValue } from '../src/query/output.js';
import { formatFloat32, shortestFloat32 } from '../src/query/numbers.js';

const { values: args } = parseArgs({ options: { values: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '5' } } });
const N = Number(args.values);
const ROUNDS = Number(args.rounds);

let seed = 42;
function random(): number {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 4294967296;
}

function oceanValues(n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const kind = i % 3;
    const v =
      kind === 0 ? Number((-2 + 32 * random()).toFixed(3)) : kind === 1 ? Number((30 + 10 * random()).toFixed(3 + (i & 1))) : Number((2000 * random()).toFixed(1));
    out[i] = Math.fround(v);
  }
  return out;
}

function fullValues(n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround((random() - 0.5) * 80);
  return out;
}

/** The obvious approach: toPrecision(1…9) until the text reads back. */
function toPrecisionLoop(x: number): number {
  for (let p = 1; p <= 9; p++) {
    const v = Number(x.toPrecision(p));
    if (Math.fround(v) === x) return v;
  }
  return x;
}

/** toPrecision(6…9), the first that reads back (shortest only when the answer has ≥ 6 digits). */
function toPrecision6to9(x: number): number {
  for (let p = 6; p <= 9; p++) {
    const v = Number(x.toPrecision(p));
    if (Math.fround(v) === x) return v;
  }
  return x;
}

let sink = 0;
function time(values: Float64Array, fn: (x: number) => number | null): number {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    let acc = 0;
    for (let i = 0; i < values.length; i++) acc += fn(values[i]) ?? 0;
    const ns = Number(process.hrtime.bigint() - t0) / values.length;
    sink += acc;
    best = Math.min(best, ns);
  }
  return best;
}

function textBytes(values: Float64Array, fn: (x: number) => number | string | null): number {
  let bytes = 0;
  for (let i = 0; i < values.length; i++) bytes += String(fn(values[i])).length;
  return bytes / values.length;
}

const sets = { ocean: oceanValues(N), full: fullValues(N) };
const candidates: [string, (x: number) => number | null][] = [
  ['shortestFloat32 (this module)', shortestFloat32],
  ['toPrecision(1…9) loop', toPrecisionLoop],
  ['toPrecision(6…9), first that reads back', toPrecision6to9],
  ['roundValue: 6 decimals (today)', roundValue],
];

console.log(`node ${process.version}, ${N} values per set, best of ${ROUNDS} rounds\n`);
console.log('| approach | ocean ns/value | full ns/value | ocean chars/value | full chars/value |');
console.log('|---|---:|---:|---:|---:|');
for (const [name, fn] of candidates) {
  time(sets.ocean, fn); // warm-up: let the JIT settle before measuring
  const ocean = time(sets.ocean, fn);
  const full = time(sets.full, fn);
  console.log(
    `| ${name} | ${ocean.toFixed(1)} | ${full.toFixed(1)} | ${textBytes(sets.ocean, fn).toFixed(2)} | ${textBytes(sets.full, fn).toFixed(2)} |`,
  );
}
console.log(`| formatFloat32 (string) | ${time(sets.ocean, (x) => formatFloat32(x).length).toFixed(1)} | ${time(sets.full, (x) => formatFloat32(x).length).toFixed(1)} | | |`);
console.log(`| String(double) of the raw float32, for scale | ${time(sets.ocean, (x) => String(x).length).toFixed(1)} | ${time(sets.full, (x) => String(x).length).toFixed(1)} | ${textBytes(sets.ocean, (x) => x).toFixed(2)} | ${textBytes(sets.full, (x) => x).toFixed(2)} |`);
if (sink === 42) console.log('');
