/**
 * Level arrays between the query path's form (`ProfileLevels`: float64, NaN for missing) and the
 * pack's (float32 lists, null for missing). Argo stores level values as NetCDF `float`, so the
 * float32 form is exact; a value that is not a float32 (a file storing doubles) is refused here,
 * per file, rather than silently rounded in the pack.
 */
import { ArgoFormatError } from '../errors.js';
import type { ProfileLevels } from '../argo/types.js';
import { levelColumnKind } from './schema.js';
import type { PackLevels } from './types.js';

/** Float32 copy of a float64 array; throws when a (non-NaN) value is not exactly a float32. */
export function toFloat32(values: ArrayLike<number>, context: { id?: string; variable: string }): Float32Array {
  if (values instanceof Float32Array) return values;
  const out = Float32Array.from(values);
  for (let i = 0; i < out.length; i++) {
    const v = values[i];
    if (out[i] !== v && !Number.isNaN(v)) {
      throw new ArgoFormatError({
        message: `${context.variable}[${i}] = ${v} is not a float32 value: the data pack stores level values as float32`,
        context: { ...context, level: i },
      });
    }
  }
  return out;
}

/**
 * The level arrays in the form a builder keeps until the month's pack is written: numbers as
 * Float32Array (exact, half the memory of float64), QC and data modes as they are. Throws
 * ArgoFormatError when a number is not a float32, or an array's length is not `nLevels`.
 */
export function compactLevels(levels: ProfileLevels | PackLevels, options: { id?: string } = {}): PackLevels {
  const out: Record<string, Float32Array | string | number | null> = { nLevels: levels.nLevels };
  for (const [name, value] of Object.entries(levels)) {
    if (name === 'nLevels' || value === undefined) continue;
    if (value === null) {
      out[name] = null;
      continue;
    }
    const kind = levelColumnKind(name);
    if (kind === 'mode') {
      if (typeof value !== 'string') throw new ArgoFormatError({ message: `${name} is not a string`, context: { id: options.id, variable: name } });
      out[name] = value;
      continue;
    }
    const length = typeof value === 'number' ? -1 : value.length;
    if ((kind === 'qc') !== (typeof value === 'string') || length !== levels.nLevels) {
      throw new ArgoFormatError({
        message: `${name}: expected ${kind === 'qc' ? 'a string' : 'numbers'} of ${levels.nLevels} levels`,
        context: { id: options.id, variable: name, length },
      });
    }
    out[name] = typeof value === 'string' ? value : toFloat32(value as ArrayLike<number>, { id: options.id, variable: name });
  }
  return out as PackLevels;
}

/** A pack's float list (null for missing) as the query path's Float64Array (NaN for missing). */
export function listToFloat64(list: ArrayLike<number | null> | null | undefined): Float64Array | null {
  if (list === null || list === undefined) return null;
  const out = new Float64Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    out[i] = v === null ? Number.NaN : v;
  }
  return out;
}
