/**
 * From computed numbers to the public `OutputProfile`: ISO times with milliseconds, NaN → null,
 * keys in a stable order (metadata, level coordinates, then the variables in the order the query
 * named them). Numbers: values straight from the file's float32 variables (native pressure and
 * the variables on native levels) as the shortest decimal that reads back as the same float32
 * (numbers.ts); values we computed (depth, anything interpolated onto target levels) rounded to
 * 6 decimals.
 */
import type { BgcComputedProfile } from '../argo/bgc/types.js';
import type { ArgoVariable, ComputedProfile } from '../argo/types.js';
import { shortestFloat32Array } from './numbers.js';
import type { PlannedProfile } from './planner.js';
import type { OutputProfile } from './types.js';

/**
 * Decimals kept in output numbers. 6 decimals (1e-6) is 100× finer than the 1e-4 agreement the
 * semantics promise and finer than any Argo sensor (TEMP ±0.002 °C, PSAL ±0.01, PRES ±2.4 dbar),
 * and it drops float32 noise (21.928432464599609 → 21.928432) that would only bloat the body.
 */
export const OUTPUT_DECIMALS = 6;
const SCALE = 10 ** OUTPUT_DECIMALS;
/** Above this magnitude `v × SCALE` loses integer precision: keep such values as they are. */
const ROUNDABLE = Number.MAX_SAFE_INTEGER / SCALE;

/** Rounds to `OUTPUT_DECIMALS`; NaN and ±Infinity (no value) → null. */
export function roundValue(v: number): number | null {
  if (!Number.isFinite(v)) return null;
  if (Math.abs(v) >= ROUNDABLE) return v;
  const r = Math.round(v * SCALE) / SCALE;
  // -0 prints as 0 in JSON but as -0 in String(): normalise for CSV.
  return r === 0 ? 0 : r;
}

export function roundArray(values: ArrayLike<number>): (number | null)[] {
  const out = new Array<number | null>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = roundValue(values[i]);
  return out;
}

/**
 * A profile's metadata and position, from its month index alone: the whole output of
 * `fields=positions`, and the head of every full output.
 */
export function toPositionProfile(profile: PlannedProfile): OutputProfile {
  if (profile.parameters) return { ...corePosition(profile), data_mode: null, parameter_data_mode: profile.parameters };
  return corePosition(profile);
}

function corePosition(profile: PlannedProfile): OutputProfile {
  return {
    id: profile.id,
    platform_number: profile.platformNumber,
    cycle_number: profile.cycleNumber,
    direction: profile.direction,
    data_mode: profile.dataMode,
    time: new Date(profile.timeMs).toISOString(),
    latitude: roundValue(profile.latitude) ?? profile.latitude,
    longitude: roundValue(profile.longitude) ?? profile.longitude,
  };
}

export function toOutputProfile(
  profile: PlannedProfile,
  computed: ComputedProfile,
  variables: readonly ArgoVariable[],
): OutputProfile {
  const out = toPositionProfile(profile);
  if (computed.native) {
    // Depth is computed (TEOS-10); pressure is the file's own float32.
    out.depth = roundArray(computed.depth ?? computed.levels);
    out.pressure = shortestFloat32Array(computed.pressure ?? computed.levels);
  } else if (computed.vertical === 'depth') {
    out.depth = Array.from(computed.levels);
  } else {
    out.pressure = Array.from(computed.levels);
  }
  for (const variable of variables) {
    const values = computed.values[variable];
    if (values === null || values === undefined) out[variable] = null;
    // Native levels: the file's float32 values as they are; target levels: interpolated.
    else out[variable] = computed.native ? shortestFloat32Array(values) : roundArray(values);
  }
  return out;
}

/**
 * A BGC profile's output: as a core one, with `data_mode` null (synthetic files have none) and
 * each parameter's data mode in `parameter_data_mode`; a parameter the profile lacks is null.
 */
export function toBgcOutputProfile(profile: PlannedProfile, computed: BgcComputedProfile, variables: readonly string[]): OutputProfile {
  const out = toPositionProfile(profile);
  out.data_mode = null;
  out.parameter_data_mode = profile.parameters ?? {};
  if (computed.native) {
    out.depth = roundArray(computed.depth ?? computed.levels);
    out.pressure = roundArray(computed.pressure ?? computed.levels);
  } else if (computed.vertical === 'depth') {
    out.depth = Array.from(computed.levels);
  } else {
    out.pressure = Array.from(computed.levels);
  }
  for (const variable of variables) {
    const values = computed.values[variable];
    out[variable] = values === null || values === undefined ? null : roundArray(values);
  }
  return out;
}
