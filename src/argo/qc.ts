/**
 * QC modes (SEMANTICS.md): which profiles a mode returns, and which level values it uses.
 * Pure functions over `ProfileMeta` and `ProfileLevels`.
 */
import type { Inclusion, ProfileLevels, ProfileMeta, QcMode } from './types.js';

/** Reasons, in the reference's wording (expected/reference.json). */
export const EXCLUSION_REASONS = {
  dataModeNotD: 'data mode is not D',
  qcNotGood: 'position or time QC not good',
  noPosition: 'no valid position',
  noTime: 'no valid time',
} as const;

/** QC flags allowed per mode; null: no QC filtering (expert). */
export const ALLOWED_FLAGS: Readonly<Record<QcMode, string | null>> = Object.freeze({
  standard: '12',
  research: '1',
  expert: null,
});

/** Research mode also needs the pressure's adjusted error below this (dbar), SEMANTICS.md. */
export const RESEARCH_MAX_PRES_ERROR = 20;

export type InclusionMeta = Pick<ProfileMeta, 'dataMode' | 'positionQc' | 'juldQc' | 'timeMs' | 'latitude' | 'longitude'>;

/** Per QC mode, allowed[charCode] = 1 for the allowed flag characters (null: no filtering). */
const ALLOWED_CODES: Readonly<Record<QcMode, Uint8Array | null>> = Object.freeze({
  standard: codeTable(ALLOWED_FLAGS.standard),
  research: codeTable(ALLOWED_FLAGS.research),
  expert: codeTable(ALLOWED_FLAGS.expert),
});

/** A lookup table of allowed flag characters (null: no filtering), for `codeAllowed`. */
export function codeTable(allowed: string | null): Uint8Array | null {
  if (allowed === null) return null;
  // 256 entries: a flag is one ISO-8859-1 character; any code outside the table reads undefined → not allowed.
  const table = new Uint8Array(256);
  for (let i = 0; i < allowed.length; i++) table[allowed.charCodeAt(i)] = 1;
  return table;
}

/**
 * Whether character `i` of `flags` is an allowed flag: one table read on its char code, no
 * per-level string. Past the end, charCodeAt is NaN and the table read undefined: not allowed.
 */
export function codeAllowed(flags: string, i: number, table: Uint8Array): boolean {
  return table[flags.charCodeAt(i)] === 1;
}

function flagAllowed(flag: string | undefined, table: Uint8Array): boolean {
  return flag !== undefined && flag.length === 1 && codeAllowed(flag, 0, table);
}

/**
 * Whether a profile is returned in `mode`, from its metadata alone. The checks run in the order
 * the reference reports them: the mode's own rules first (research: data mode D; then the
 * position and time QC flags), then the rules of every mode (a valid position, a valid time).
 */
export function profileInclusion(meta: InclusionMeta, mode: QcMode): Inclusion {
  const allowed = ALLOWED_CODES[mode];
  if (mode === 'research' && meta.dataMode !== 'D') return { included: false, reason: EXCLUSION_REASONS.dataModeNotD };
  if (allowed !== null && !(flagAllowed(meta.positionQc, allowed) && flagAllowed(meta.juldQc, allowed))) {
    return { included: false, reason: EXCLUSION_REASONS.qcNotGood };
  }
  if (meta.latitude === null || meta.longitude === null) return { included: false, reason: EXCLUSION_REASONS.noPosition };
  if (meta.timeMs === null) return { included: false, reason: EXCLUSION_REASONS.noTime };
  return { included: true };
}

/** Whether the mode reads the `_ADJUSTED` variables for this data mode. */
export function usesAdjusted(mode: QcMode, dataMode: string): boolean {
  if (mode === 'expert') return false;
  if (mode === 'research') return true;
  return dataMode === 'A' || dataMode === 'D';
}

/**
 * The values a mode uses, per level: NaN where not usable. `pressure` is never null (all NaN when
 * the file lacks it); `TEMP`/`PSAL` are null when the file lacks the variable the mode reads.
 */
export interface UsableLevels {
  pressure: Float64Array;
  TEMP: Float64Array | null;
  PSAL: Float64Array | null;
}

/**
 * Apply a QC mode to level data. A value is usable when it is not fill, its flag is allowed and
 * the level's pressure is usable (not fill, flag allowed, and in research mode
 * PRES_ADJUSTED_ERROR < 20 dbar). Expert mode uses the raw values with no QC filtering.
 */
export function usableLevels({
  levels,
  mode,
  dataMode,
  scratch,
}: {
  levels: ProfileLevels;
  mode: QcMode;
  dataMode: string;
  /**
   * Arrays to write into instead of allocating (each at least `levels.nLevels` long): the result
   * is then views of them, valid until the next call with the same scratch.
   */
  scratch?: UsableLevels;
}): UsableLevels {
  const n = levels.nLevels;
  const allowed = ALLOWED_CODES[mode];
  const adjusted = usesAdjusted(mode, dataMode);
  const space = (buffer: Float64Array | null | undefined): Float64Array =>
    buffer && buffer.length >= n ? buffer.subarray(0, n) : new Float64Array(n);

  const presValues = adjusted ? levels.PRES_ADJUSTED : levels.PRES;
  const presQc = adjusted ? levels.PRES_ADJUSTED_QC : levels.PRES_QC;
  const pressure = space(scratch?.pressure);
  const presError = mode === 'research' ? levels.PRES_ADJUSTED_ERROR : null;
  for (let i = 0; i < n; i++) {
    let p = presValues ? presValues[i] : NaN;
    if (allowed !== null && !(presQc !== null && codeAllowed(presQc, i, allowed))) p = NaN;
    // NaN error (fill) fails `< 20`: research mode needs a known, small pressure error.
    if (mode === 'research' && !(presError !== null && presError[i] < RESEARCH_MAX_PRES_ERROR)) p = NaN;
    pressure[i] = p;
  }

  const variable = (values: Float64Array | null, qc: string | null, buffer: Float64Array | null | undefined): Float64Array | null => {
    if (values === null) return null;
    const out = space(buffer);
    for (let i = 0; i < n; i++) {
      let v = Number.isNaN(pressure[i]) ? NaN : values[i];
      if (allowed !== null && !(qc !== null && codeAllowed(qc, i, allowed))) v = NaN;
      out[i] = v;
    }
    return out;
  };

  return {
    pressure,
    TEMP: adjusted
      ? variable(levels.TEMP_ADJUSTED, levels.TEMP_ADJUSTED_QC, scratch?.TEMP)
      : variable(levels.TEMP, levels.TEMP_QC, scratch?.TEMP),
    PSAL: adjusted
      ? variable(levels.PSAL_ADJUSTED, levels.PSAL_ADJUSTED_QC, scratch?.PSAL)
      : variable(levels.PSAL, levels.PSAL_QC, scratch?.PSAL),
  };
}
