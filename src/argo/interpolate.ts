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

/** The usable points, sorted by coordinate with repeated coordinates dropped (first kept). */
export function usablePoints(x: ArrayLike<number>, y: ArrayLike<number>): { xs: Float64Array; ys: Float64Array } {
  const n = Math.min(x.length, y.length);
  let count = 0;
  let increasing = true;
  let last = -Infinity;
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    if (Number.isNaN(xi) || Number.isNaN(y[i])) continue;
    if (!(xi > last)) increasing = false;
    last = xi;
    count++;
  }
  const xs = new Float64Array(count);
  const ys = new Float64Array(count);
  if (increasing) {
    // Fast path (most profiles): already strictly increasing, nothing to sort or drop.
    for (let i = 0, k = 0; i < n; i++) {
      if (Number.isNaN(x[i]) || Number.isNaN(y[i])) continue;
      xs[k] = x[i];
      ys[k++] = y[i];
    }
    return { xs, ys };
  }
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (!Number.isNaN(x[i]) && !Number.isNaN(y[i])) order.push(i);
  order.sort((a, b) => x[a] - x[b]); // Array.prototype.sort is stable: equal coordinates keep file order
  let k = 0;
  for (const i of order) {
    if (k > 0 && x[i] === xs[k - 1]) continue;
    xs[k] = x[i];
    ys[k++] = y[i];
  }
  return { xs: xs.subarray(0, k), ys: ys.subarray(0, k) };
}

/** Interpolate `y(x)` at each target; see the module comment for the rules. */
export function interpolate({ x, y, targets, out = new Float64Array(targets.length) }: InterpolateOptions): Float64Array {
  const { xs, ys } = usablePoints(x, y);
  const n = xs.length;
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
