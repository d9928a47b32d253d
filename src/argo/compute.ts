/**
 * A profile's numbers for a query: QC mode → usable levels → vertical coordinate (TEOS-10 depth
 * or pressure) → interpolation onto the targets, or the native levels. Pure.
 */
import { interpolate } from './interpolate.js';
import { usableLevels, type UsableLevels } from './qc.js';
import { depthsFromPressures } from './teos10.js';
import type { ArgoVariable, ComputeOptions, ComputedProfile, ProfileLevels, ProfileMeta } from './types.js';

function valuesOf(usable: UsableLevels, variable: ArgoVariable): Float64Array | null {
  return variable === 'PRES' ? usable.pressure : usable[variable];
}

/**
 * Scratch space for the usable levels and depths, grown as needed and reused: with target levels
 * they are only read by `interpolate` (whose results are new arrays), and the native path copies
 * what it keeps, so nothing returned points into them (the code is synchronous).
 */
let scratchLength = 0;
let scratch: UsableLevels & { depth: Float64Array } = scratchOf(1024);

function scratchOf(n: number): UsableLevels & { depth: Float64Array } {
  scratchLength = n;
  return { pressure: new Float64Array(n), TEMP: new Float64Array(n), PSAL: new Float64Array(n), depth: new Float64Array(n) };
}

export interface ComputeProfileOptions {
  meta: Pick<ProfileMeta, 'dataMode' | 'latitude'>;
  levels: ProfileLevels;
  options: ComputeOptions;
}

/**
 * The profile on the query's levels. With `targets`, each requested variable is interpolated
 * onto them (PRES too: on depth levels it is the interpolated pressure). Without, the native
 * levels: those whose pressure is usable, in file order, with both depth and pressure and the
 * variables' values (NaN where not usable). A variable the file lacks is null. Depth needs a
 * latitude; without one (never the case for a returned profile) depths are NaN.
 */
export function computeProfile({ meta, levels, options }: ComputeProfileOptions): ComputedProfile {
  if (levels.nLevels > scratchLength) scratch = scratchOf(levels.nLevels);
  const usable = usableLevels({ levels, mode: options.mode, dataMode: meta.dataMode, scratch });
  const latitude = meta.latitude ?? NaN;
  // Pressure targets never use depth: skip its ~dozens of flops per level.
  const needsDepth = options.targets === undefined || options.vertical === 'depth';
  const depth = needsDepth ? depthsFromPressures(usable.pressure, latitude, scratch.depth.subarray(0, usable.pressure.length)) : usable.pressure;

  if (options.targets === undefined) {
    const n = usable.pressure.length;
    const keep: number[] = [];
    for (let i = 0; i < n; i++) if (!Number.isNaN(usable.pressure[i])) keep.push(i);
    const gather = (source: Float64Array): Float64Array => {
      const out = new Float64Array(keep.length);
      for (let k = 0; k < keep.length; k++) out[k] = source[keep[k]];
      return out;
    };
    const nativeDepth = gather(depth);
    const nativePressure = gather(usable.pressure);
    const values: ComputedProfile['values'] = {};
    for (const variable of options.variables) {
      const source = valuesOf(usable, variable);
      values[variable] = source === null ? null : variable === 'PRES' ? nativePressure : gather(source);
    }
    return {
      vertical: options.vertical,
      native: true,
      levels: options.vertical === 'depth' ? nativeDepth : nativePressure,
      depth: nativeDepth,
      pressure: nativePressure,
      values,
    };
  }

  const coordinate = options.vertical === 'depth' ? depth : usable.pressure;
  const values: ComputedProfile['values'] = {};
  for (const variable of options.variables) {
    const source = valuesOf(usable, variable);
    values[variable] = source === null ? null : interpolate({ x: coordinate, y: source, targets: options.targets });
  }
  return { vertical: options.vertical, native: false, levels: Float64Array.from(options.targets), values };
}
