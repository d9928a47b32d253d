/**
 * Argo BGC profiles (SEMANTICS-BGC.md): the primary profile of synthetic profile files, their
 * parameters and per-parameter data modes, argopy's QC rules per parameter class, and the
 * computation onto depth, pressure or native levels. Pure.
 */
export * from './types.js';
export {
  BGC_EXCLUSION_REASONS,
  BGC_QC_RULES,
  CORE_PARAMETERS,
  PRES_ERROR_VARIABLE,
  RADIOMETRY_PREFIXES,
  bgcLevelVariablesToRead,
  bgcProfileInclusion,
  isParameterName,
  parameterClass,
  parameterDataMode,
  parameterRule,
  parameterSource,
  type BgcInclusionMeta,
  type ParameterRule,
} from './rules.js';
export {
  BGC_META_VARIABLES,
  bgcLevelVariableNames,
  bgcLevelVariableSlots,
  bgcMetaVariableRanges,
  bgcParameterInfo,
  decodeBgcLevels,
  extractBgcMeta,
  parseParameterModes,
  type BgcMetaVariable,
  type ExtractBgcMetaOptions,
} from './extract.js';
export { bgcUsableLevels, type BgcUsableLevels } from './qc.js';
export { computeBgcProfile, type ComputeBgcProfileOptions } from './compute.js';
export { readBgcProfileFile, type BgcFileProfile } from './file.js';
