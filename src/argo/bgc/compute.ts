/**
 * A BGC profile's numbers for a query, exactly as for core profiles (SEMANTICS.md): QC mode →
 * usable levels → vertical coordinate (TEOS-10 depth or pressure) → interpolation onto the
 * targets, or the native levels. Pure.
 */
import { interpolate } from '../interpolate.js';
import { depthsFromPressures } from '../teos10.js';
import { bgcUsableLevels } from './qc.js';
import type { BgcComputeOptions, BgcComputedProfile, BgcLevels, BgcProfileMeta } from './types.js';

export interface ComputeBgcProfileOptions {
  meta: Pick<BgcProfileMeta, 'parameters' | 'latitude'>;
  levels: BgcLevels;
  options: BgcComputeOptions;
}

/**
 * The profile on the query's levels. With `targets`, each requested variable is interpolated
 * onto them (PRES too: on depth levels it is the interpolated pressure). Without, the native
 * levels: those whose pressure is usable, in file order, with both depth and pressure and the
 * variables' values (NaN where not usable). A parameter the profile lacks is null; one the mode
 * does not use is all NaN. Depth needs a latitude; without one depths are NaN.
 */
export function computeBgcProfile({ meta, levels, options }: ComputeBgcProfileOptions): BgcComputedProfile {
  const usable = bgcUsableLevels({ levels, mode: options.mode, parameters: meta.parameters, variables: options.variables });
  const latitude = meta.latitude ?? NaN;
  // Pressure targets never use depth: skip its ~dozens of flops per level.
  const needsDepth = options.targets === undefined || options.vertical === 'depth';
  const depth = needsDepth ? depthsFromPressures(usable.pressure, latitude) : usable.pressure;
  const values: BgcComputedProfile['values'] = {};

  if (options.targets === undefined) {
    const keep: number[] = [];
    for (let i = 0; i < usable.pressure.length; i++) if (!Number.isNaN(usable.pressure[i])) keep.push(i);
    const gather = (source: Float64Array): Float64Array => Float64Array.from(keep, (i) => source[i]);
    const nativeDepth = gather(depth);
    const nativePressure = gather(usable.pressure);
    for (const variable of options.variables) {
      const source = usable.values.get(variable) ?? null;
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
  for (const variable of options.variables) {
    const source = usable.values.get(variable) ?? null;
    values[variable] = source === null ? null : interpolate({ x: coordinate, y: source, targets: options.targets });
  }
  return { vertical: options.vertical, native: false, levels: Float64Array.from(options.targets), values };
}
