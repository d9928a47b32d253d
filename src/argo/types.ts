/**
 * Argo profile model shared by the builder (metadata), the query pipeline (levels) and the
 * semantics (QC modes, depth, interpolation). Pure data: no I/O.
 */

export const QC_MODES = ['standard', 'research', 'expert'] as const;
export type QcMode = (typeof QC_MODES)[number];

export const VERTICALS = ['depth', 'pressure'] as const;
export type Vertical = (typeof VERTICALS)[number];

/** Variables a query may ask for. */
export const ARGO_VARIABLES = ['TEMP', 'PSAL', 'PRES'] as const;
export type ArgoVariable = (typeof ARGO_VARIABLES)[number];

/**
 * The per-level variables of the primary profile that any query mode may need, in Argo file
 * order. The builder records each one's byte range; the query reads only these rows.
 */
export const LEVEL_VARIABLES = [
  'PRES',
  'PRES_QC',
  'PRES_ADJUSTED',
  'PRES_ADJUSTED_QC',
  'PRES_ADJUSTED_ERROR',
  'TEMP',
  'TEMP_QC',
  'TEMP_ADJUSTED',
  'TEMP_ADJUSTED_QC',
  'PSAL',
  'PSAL_QC',
  'PSAL_ADJUSTED',
  'PSAL_ADJUSTED_QC',
] as const;
export type LevelVariable = (typeof LEVEL_VARIABLES)[number];

/** Metadata of a file's primary profile (N_PROF index 0). */
export interface ProfileMeta {
  /** Path under `dac/`: `<dac>/<wmo>/profiles/<file>.nc`. */
  id: string;
  platformNumber: string;
  cycleNumber: number;
  /** 'A' ascending or 'D' descending. */
  direction: string;
  /** DATA_MODE[0]: 'R', 'A' or 'D'. */
  dataMode: string;
  /** JULD[0] as epoch milliseconds (rounded to the ms), or null when JULD is fill/invalid. */
  timeMs: number | null;
  /** Valid latitude/longitude, or null (fill 99999, -99.999, out of range, NaN). */
  latitude: number | null;
  longitude: number | null;
  /** Single QC characters as stored (' ' when blank). */
  positionQc: string;
  juldQc: string;
  nProf: number;
  nLevels: number;
}

/**
 * Level data of the primary profile as read from the file. Numeric fill values are NaN;
 * QC arrays are strings of one character per level; a variable the file lacks is null.
 */
export type ProfileLevels = {
  nLevels: number;
} & { [K in LevelVariable as K extends `${string}_QC` ? K : never]: string | null } & {
  [K in LevelVariable as K extends `${string}_QC` ? never : K]: Float64Array | null;
};

/** Whether a profile is returned in a mode, decided from its metadata alone. */
export interface Inclusion {
  included: boolean;
  /** Why not, when not included (the reference's wording). */
  reason?: string;
}

/**
 * A profile's numbers on the query's levels. NaN stands for null. `levels` holds the target
 * levels (depth in m or pressure in dbar) or, for native levels, the usable levels' coordinate;
 * with native levels both `depth` and `pressure` are given.
 */
export interface ComputedProfile {
  vertical: Vertical;
  native: boolean;
  /** The vertical coordinate per level (targets, or the native usable levels). */
  levels: Float64Array;
  /** Native levels only: both coordinates. */
  depth?: Float64Array;
  pressure?: Float64Array;
  /** One array per requested variable, same length as `levels`; null when the file lacks it. */
  values: Partial<Record<ArgoVariable, Float64Array | null>>;
}

export interface ComputeOptions {
  mode: QcMode;
  vertical: Vertical;
  variables: readonly ArgoVariable[];
  /** Target levels, ascending; absent → native levels. */
  targets?: Float64Array;
}
