/**
 * Linear interpolation of one variable onto target levels (SEMANTICS.md): take the usable points
 * (coordinate and value both not NaN), sort them by coordinate (stable), drop repeated coordinates
 * keeping the first, and with at least 2 points interpolate linearly; a target outside the points'
 * [min, max] is NaN (no extrapolation) and a target equal to a point's coordinate takes its value.
 */

export interface InterpolateOptions {
  /** Vertical coordinate per source level; NaN where not usable. */
  x: ArrayLike<number>;
  /** Value per source level; NaN where not usable. */
  y: ArrayLike<number>;
  /** Target coordinates (any order; NaN gives NaN). */
  targets: ArrayLike<number>;
  /** Where to write the result (length of `targets`); a new array by default. */
  out?: Float64Array;
}

/**
 * Scratch space for `interpolate`'s points, grown as needed and reused: interpolation runs once
 * per variable per profile, and the points never outlive the call (the code is synchronous).
 */
let scratchXs = new Float64Array(1024);
let scratchYs = new Float64Array(1024);

/**
 * The usable points into `xs`/`ys` (each at least min(x.length, y.length) long), sorted by
 * coordinate with repeated coordinates dropped (first kept); returns how many.
 */
function collectPoints(x: ArrayLike<number>, y: ArrayLike<number>, xs: Float64Array, ys: Float64Array): number {
  const n = Math.min(x.length, y.length);
  let count = 0;
  let increasing = true;
  let last = -Infinity;
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    const yi = y[i];
    if (Number.isNaN(xi) || Number.isNaN(yi)) continue;
    if (!(xi > last)) increasing = false;
    last = xi;
    xs[count] = xi;
    ys[count++] = yi;
  }
  // Fast path (most profiles): already strictly increasing, nothing to sort or drop.
  if (increasing) return count;
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (!Number.isNaN(x[i]) && !Number.isNaN(y[i])) order.push(i);
  order.sort((a, b) => x[a] - x[b]); // Array.prototype.sort is stable: equal coordinates keep file order
  let k = 0;
  for (const i of order) {
    if (k > 0 && x[i] === xs[k - 1]) continue;
    xs[k] = x[i];
    ys[k++] = y[i];
  }
  return k;
}

/** The usable points, sorted by coordinate with repeated coordinates dropped (first kept). */
export function usablePoints(x: ArrayLike<number>, y: ArrayLike<number>): { xs: Float64Array; ys: Float64Array } {
  const n = Math.min(x.length, y.length);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const k = collectPoints(x, y, xs, ys);
  return { xs: xs.slice(0, k), ys: ys.slice(0, k) };
}

/** Interpolate `y(x)` at each target; see the module comment for the rules. */
export function interpolate({ x, y, targets, out = new Float64Array(targets.length) }: InterpolateOptions): Float64Array {
  const size = Math.min(x.length, y.length);
  if (scratchXs.length < size) {
    scratchXs = new Float64Array(size);
    scratchYs = new Float64Array(size);
  }
  const xs = scratchXs;
  const ys = scratchYs;
  const n = collectPoints(x, y, xs, ys);
  if (n < 2) {
    out.fill(NaN);
    return out;
  }
  const lo = xs[0];
  const hi = xs[n - 1];
  for (let t = 0; t < targets.length; t++) {
    const v = targets[t];
    if (!(v >= lo && v <= hi)) {
      out[t] = NaN; // outside the points, or NaN
      continue;
    }
    // j: the last point with xs[j] <= v.
    let a = 0;
    let b = n - 1;
    while (a < b) {
      const mid = (a + b + 1) >> 1;
      if (xs[mid] <= v) a = mid;
      else b = mid - 1;
    }
    if (xs[a] === v) {
      out[t] = ys[a];
      continue;
    }
    // Slope first, as numpy.interp does, so results match the reference to the last bits.
    const slope = (ys[a + 1] - ys[a]) / (xs[a + 1] - xs[a]);
    out[t] = slope * (v - xs[a]) + ys[a];
  }
  return out;
}
