/** Argo core profiles: primary-profile extraction, QC modes, TEOS-10 depth, interpolation. Pure. */
export * from './types.js';
export {
  ARGO_LEVEL_FILL,
  JULD_EPOCH_MS,
  META_VARIABLES,
  decodeLevels,
  extractMeta,
  isValidPosition,
  juldToEpochMs,
  levelColumns,
  levelVariableSlots,
  metaVariableRanges,
  spanOf,
  type ExtractMetaOptions,
  type LevelColumn,
  type MetaVariable,
  type ProfileSlot,
} from './extract.js';
export {
  ALLOWED_FLAGS,
  EXCLUSION_REASONS,
  RESEARCH_MAX_PRES_ERROR,
  profileInclusion,
  usableLevels,
  usesAdjusted,
  type InclusionMeta,
  type UsableLevels,
} from './qc.js';
export { depthsFromPressures, enthalpySso0, zFromP } from './teos10.js';
export { interpolate, usablePoints, type InterpolateOptions } from './interpolate.js';
export { computeProfile, type ComputeProfileOptions } from './compute.js';
export {
  juldFromEpochMs,
  writeArgoProfile,
  type SyntheticLevels,
  type SyntheticProfile,
  type WriteArgoProfileOptions,
} from './synthetic.js';
