/**
 * The BGC profile model (SEMANTICS-BGC.md): the primary profile of a synthetic profile file
 * (`S[RD]<wmo>_<cycle>[D].nc`), whose core and BGC parameters share one pressure axis and each
 * carry their own data mode. Pure data: no I/O.
 */
import type { ProfileMeta, QcMode, Vertical } from '../types.js';

/**
 * Parameter classes, as argopy groups them for its QC rules:
 * - `core`: PRES, TEMP, PSAL;
 * - `radiometry`: radiometry and backscattering (DOWN_IRRADIANCE*, UP_RADIANCE*, DOWNWELLING_PAR*, BBP*);
 * - `cdom`: CDOM;
 * - `other`: every other BGC parameter (DOXY, CHLA, NITRATE, PH_IN_SITU_TOTAL, …).
 */
export const PARAMETER_CLASSES = ['core', 'radiometry', 'cdom', 'other'] as const;
export type ParameterClass = (typeof PARAMETER_CLASSES)[number];

/**
 * Data mode of each parameter of a profile, in `STATION_PARAMETERS` order: `{ PRES: 'D', DOXY:
 * 'A', … }` (one character, as stored: 'R', 'A', 'D', or ' ' when blank). Keys are validated
 * parameter names (upper-case letters, digits, '_'); look them up with `parameterDataMode`.
 */
export type ParameterModes = Readonly<Record<string, string>>;

/**
 * Metadata of a synthetic file's primary profile (N_PROF index 0). As `ProfileMeta`, without the
 * profile-level `DATA_MODE` (synthetic files have none): each parameter has its own data mode.
 */
export interface BgcProfileMeta extends Omit<ProfileMeta, 'dataMode'> {
  parameters: ParameterModes;
}

/** What a parameter is, from its variable's attributes in the file (for the API and clients). */
export interface ParameterInfo {
  name: string;
  class: ParameterClass;
  /** The variable's `units` attribute (of `<P>`, else of `<P>_ADJUSTED`); null when absent. */
  units: string | null;
  /** The variable's `long_name` attribute; null when absent. */
  longName: string | null;
  /** The variable's CF `standard_name` attribute; null when absent. */
  standardName: string | null;
}

/**
 * Level data of the primary profile as read from the file, by NetCDF variable name (`PRES`,
 * `DOXY_ADJUSTED`, `PRES_ADJUSTED_ERROR`, …). Numeric rows: fill and out-of-range values are NaN.
 * QC rows: one character per level. A variable not read (or that the file lacks) is absent.
 */
export interface BgcLevels {
  nLevels: number;
  values: ReadonlyMap<string, Float64Array>;
  flags: ReadonlyMap<string, string>;
}

export interface BgcComputeOptions {
  mode: QcMode;
  vertical: Vertical;
  /** Parameter names (PRES, TEMP, PSAL and any BGC parameter), in output order. */
  variables: readonly string[];
  /** Target levels, ascending; absent → native levels. */
  targets?: Float64Array;
}

/**
 * A BGC profile's numbers on the query's levels, shaped as the core `ComputedProfile` (NaN
 * stands for null) with values keyed by any parameter name: a variable whose values are all
 * unusable in the mode is an array of NaN; a parameter the file lacks is null.
 */
export interface BgcComputedProfile {
  vertical: Vertical;
  native: boolean;
  levels: Float64Array;
  /** Native levels only: both coordinates. */
  depth?: Float64Array;
  pressure?: Float64Array;
  values: Record<string, Float64Array | null>;
}
