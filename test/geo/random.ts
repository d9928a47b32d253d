/** A small seeded PRNG (mulberry32) so that randomized geometry tests are reproducible. */
export function createRandom(seed: number): { next(): number; between(a: number, b: number): number; int(n: number): number } {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, between: (a, b) => a + (b - a) * next(), int: (n) => Math.floor(next() * n) };
}
