/**
 * The BGC QC rules (SEMANTICS-BGC.md, as argopy applies them): parameter classes, which data
 * modes and QC flags each mode accepts per class, which rows (raw or adjusted) a mode reads, and
 * which profiles a mode returns. Pure.
 */
import { ALLOWED_FLAGS, EXCLUSION_REASONS, profileInclusion, usesAdjusted, type InclusionMeta } from '../qc.js';
import type { Inclusion, QcMode } from '../types.js';
import type { BgcProfileMeta, ParameterClass, ParameterModes } from './types.js';

/** The core parameters: the pressure axis and the physical variables. */
export const CORE_PARAMETERS: readonly string[] = ['PRES', 'TEMP', 'PSAL'];

/** Name prefixes of the radiometry and backscattering class (argopy's list). */
export const RADIOMETRY_PREFIXES: readonly string[] = ['DOWN_IRRADIANCE', 'UP_RADIANCE', 'DOWNWELLING_PAR', 'BBP'];

/** Argo parameter names (reference table 3): upper-case letters, digits and underscores. */
const PARAMETER_NAME = /^[A-Z][A-Z0-9_]*$/;

export function isParameterName(name: string): boolean {
  return PARAMETER_NAME.test(name);
}

export function parameterClass(name: string): ParameterClass {
  if (CORE_PARAMETERS.includes(name)) return 'core';
  if (RADIOMETRY_PREFIXES.some((prefix) => name.startsWith(prefix))) return 'radiometry';
  if (name === 'CDOM') return 'cdom';
  return 'other';
}

/** What one QC mode does with one parameter class. */
export interface ParameterRule {
  /** Parameter data modes whose values are used (others give nulls); null: any. */
  dataModes: string | null;
  /** Allowed QC flags; null: no QC filtering (the raw values as stored). */
  flags: string | null;
}

const EXPERT: ParameterRule = Object.freeze({ dataModes: null, flags: null });

/**
 * The QC modes table of SEMANTICS-BGC.md. null: the class is always null in that mode (CDOM
 * outside expert). The core class keeps the core flags (`ALLOWED_FLAGS`); BGC classes also
 * accept 5 (value changed) and 8 (estimated, e.g. interpolated onto the synthetic levels).
 */
export const BGC_QC_RULES: Readonly<Record<QcMode, Readonly<Record<ParameterClass, ParameterRule | null>>>> = Object.freeze({
  expert: Object.freeze({ core: EXPERT, radiometry: EXPERT, cdom: EXPERT, other: EXPERT }),
  standard: Object.freeze({
    core: Object.freeze({ dataModes: 'RAD', flags: ALLOWED_FLAGS.standard }),
    radiometry: Object.freeze({ dataModes: 'RAD', flags: '1258' }),
    cdom: null,
    other: Object.freeze({ dataModes: 'AD', flags: '1258' }),
  }),
  research: Object.freeze({
    core: Object.freeze({ dataModes: 'D', flags: ALLOWED_FLAGS.research }),
    radiometry: Object.freeze({ dataModes: 'D', flags: '158' }),
    cdom: null,
    other: Object.freeze({ dataModes: 'D', flags: '158' }),
  }),
});

export function parameterRule(mode: QcMode, name: string): ParameterRule | null {
  return BGC_QC_RULES[mode][parameterClass(name)];
}

/** A parameter's data mode in a profile, or undefined when the profile lacks the parameter. */
export function parameterDataMode(parameters: ParameterModes, name: string): string | undefined {
  return Object.hasOwn(parameters, name) ? parameters[name] : undefined;
}

/**
 * The NetCDF variables a mode reads for one parameter of a profile: its values (`<P>` or
 * `<P>_ADJUSTED`, by the parameter's own data mode) and their QC row (null in expert mode, which
 * applies no QC). null when the mode uses none of the parameter's values: the profile lacks it,
 * its class is always null in the mode, or its data mode is not accepted.
 */
export function parameterSource(
  mode: QcMode,
  parameters: ParameterModes,
  name: string,
): { values: string; flags: string | null; allowed: string | null } | null {
  const dataMode = parameterDataMode(parameters, name);
  if (dataMode === undefined) return null;
  const rule = parameterRule(mode, name);
  if (rule === null || (rule.dataModes !== null && !rule.dataModes.includes(dataMode))) return null;
  const values = usesAdjusted(mode, dataMode) ? `${name}_ADJUSTED` : name;
  return { values, flags: rule.flags === null ? null : `${values}_QC`, allowed: rule.flags };
}

/** Research mode's extra condition on pressure (as for core files): a known, small adjusted error. */
export const PRES_ERROR_VARIABLE = 'PRES_ADJUSTED_ERROR';

/**
 * The level variables a query must read for one BGC profile: pressure's row (and its QC, and in
 * research mode PRES_ADJUSTED_ERROR) and each requested parameter's row and QC as the mode uses
 * them. Parameter order, then raw before adjusted: the Argo file order, so rows coalesce.
 */
export function bgcLevelVariablesToRead({
  mode,
  parameters,
  variables,
}: {
  mode: QcMode;
  parameters: ParameterModes;
  variables: readonly string[];
}): string[] {
  const names: string[] = [];
  const add = (name: string): void => {
    const source = parameterSource(mode, parameters, name);
    if (source === null) return;
    names.push(source.values);
    if (source.flags !== null) names.push(source.flags);
    if (name === 'PRES' && mode === 'research') names.push(PRES_ERROR_VARIABLE);
  };
  const wanted = new Set(variables);
  // Pressure always: it decides which levels are usable and gives the vertical coordinate.
  add('PRES');
  for (const name of Object.keys(parameters)) if (name !== 'PRES' && wanted.has(name)) add(name);
  return names;
}

/** Exclusion reasons in the reference's wording (expected/reference-bgc.json). */
export const BGC_EXCLUSION_REASONS = Object.freeze({
  ...EXCLUSION_REASONS,
  presDataModeNotD: 'PRES data mode is not D',
});

export type BgcInclusionMeta = Pick<BgcProfileMeta, 'parameters' | 'positionQc' | 'juldQc' | 'timeMs' | 'latitude' | 'longitude'>;

/**
 * Whether a BGC profile is returned in `mode`: the core rules with PRES's data mode standing for
 * the profile's (research: PRES in D; standard: position and time QC in {1,2}; research: = 1;
 * every mode: a valid position and time), reported in the same order as for core profiles.
 */
export function bgcProfileInclusion(meta: BgcInclusionMeta, mode: QcMode): Inclusion {
  const core: InclusionMeta = {
    dataMode: parameterDataMode(meta.parameters, 'PRES') ?? ' ',
    positionQc: meta.positionQc,
    juldQc: meta.juldQc,
    timeMs: meta.timeMs,
    latitude: meta.latitude,
    longitude: meta.longitude,
  };
  const inclusion = profileInclusion(core, mode);
  return inclusion.reason === EXCLUSION_REASONS.dataModeNotD ? { included: false, reason: BGC_EXCLUSION_REASONS.presDataModeNotD } : inclusion;
}
