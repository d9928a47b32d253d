/**
 * The datasets a store holds month indexes for (API.md v1.1, `dataset=phy|bgc`):
 * - `phy`: core profile files (`R*`/`D*`), listed by `ar_index_global_prof.txt`; months at the
 *   store's root (`months/`, `master_index.json`), where they always were;
 * - `bgc`: synthetic profile files (`S*`), listed by `argo_synthetic-profile_index.txt`; the same
 *   objects under `bgc/` (storage/with-key-prefix.ts), so core stores built before read unchanged.
 */
import { withKeyPrefix } from '../storage/with-key-prefix.js';
import type { BlobStore } from '../storage/types.js';

export const DATASETS = ['phy', 'bgc'] as const;
export type Dataset = (typeof DATASETS)[number];
export const DEFAULT_DATASET: Dataset = 'phy';

export function isDataset(value: unknown): value is Dataset {
  return typeof value === 'string' && (DATASETS as readonly string[]).includes(value);
}

/** Where a dataset's month objects and master index live in the index store. */
export const DATASET_STORE_PREFIX: Readonly<Record<Dataset, string>> = Object.freeze({ phy: '', bgc: 'bgc/' });

/** The view of the index store that holds a dataset's months. */
export function datasetStore(store: BlobStore, dataset: Dataset): BlobStore {
  const prefix = DATASET_STORE_PREFIX[dataset];
  return prefix === '' ? store : withKeyPrefix(store, prefix);
}

const CORE_INDEX_NAME = 'ar_index_global_prof.txt';
const SYNTHETIC_INDEX_NAME = 'argo_synthetic-profile_index.txt';

/**
 * The synthetic index's default places, derived from the core index's (GdacSource.indexPaths): the
 * GDAC keeps both indexes side by side (at the root of a mirror, under `idx/` on S3).
 */
export function syntheticIndexPaths(coreIndexPaths: readonly string[]): string[] {
  return coreIndexPaths.map((p) => p.replace(CORE_INDEX_NAME, SYNTHETIC_INDEX_NAME));
}
