/**
 * Data packs: a month's profiles, every level array a query mode needs, as one Parquet file in
 * the index store (docs/data-packs.md). Pure apart from the ranged reads the caller provides.
 */
export { compactLevels } from './levels.js';
export { FOOTER_READ_BYTES, openPack, type OpenPackOptions } from './open.js';
export { RANGE_GAP_BYTES, readPackProfiles, selectRowGroups, type PackWindow, type ReadPackProfilesOptions } from './read.js';
export {
  CORE_PACK_VARIABLES,
  METADATA_COLUMNS,
  PACK_FORMAT,
  PACK_FORMAT_VERSION,
  PACK_METADATA_KEY,
  levelColumnKind,
  type PackDescription,
} from './schema.js';
export type { Pack, PackedProfile, PackLevels, PackProfile, PackRowGroup, PackRowMeta, ReadRange } from './types.js';
export { MAX_ROW_GROUP_ROWS, PACK_ZSTD_LEVEL, rowGroupSizes, writePack, type WritePackOptions, type WrittenPack } from './write.js';
export { createInThreadPackWriter, type PackEntry, type PackWriteRequest, type PackWriteResult, type PackWriter } from './writer.js';
export { SPLIT_MIN_ROWS, createPackWriter, createWorkerPackWriter, type PackWriterOptions } from './worker-writer.js';
