/**
 * The data pack's columns: what each holds, its Parquet type and encoding. One row per profile
 * (the primary profile of one file), in the query's result order.
 *
 * - Metadata columns (`METADATA_COLUMNS`): lower case, the names of the service's output.
 * - Level columns: the Argo variable names, one per variable the dataset keeps
 *   (`LEVEL_VARIABLES` for core files). Their kind follows from the name, so a dataset with more
 *   parameters (BGC: DOXY, CHLA, … each with its `_QC`, `_ADJUSTED`, `_ADJUSTED_QC`,
 *   `_ADJUSTED_ERROR`, and a per-parameter `<P>_DATA_MODE`) adds columns, never a new layout:
 *     - `<P>_QC`, `<P>_ADJUSTED_QC`: the flags, one character per level, as one string
 *       (`"1111114"`), the way Argo files store them;
 *     - `<P>_DATA_MODE`: one character per profile (R, A or D);
 *     - every other name: the values, a list of float32, null where the file has a fill value
 *       (or a value outside the variable's valid range).
 *   A null list or string: the file lacks that variable (old floats have no PSAL).
 * The footer's key-value metadata (`PACK_METADATA_KEY`) names the variables, the format version
 * and the order, so a reader knows the columns without guessing.
 *
 * Encodings (sizes measured in docs/data-packs.md): floats BYTE_STREAM_SPLIT (their bytes split
 * into four streams, which zstd compresses far better than interleaved floats); `time`
 * DELTA_BINARY_PACKED (sorted); strings dictionary-encoded where that halves them (the writer
 * decides per column chunk). Statistics only on `time`: the row-group pruning needs its min/max,
 * and every other column's statistics would only grow the footer every query reads.
 */
import type { Encoding, SchemaElement } from 'hyparquet';
import { LEVEL_VARIABLES } from '../argo/types.js';

/** Bump when a change means an older reader would misread a pack. */
export const PACK_FORMAT_VERSION = 1;
export const PACK_FORMAT = 'argo-data-pack';
/** Footer key-value metadata key holding the pack description (JSON). */
export const PACK_METADATA_KEY = 'argo_pack';

/** The result order (SEMANTICS.md), which the pack's rows follow. */
export const PACK_ORDER = ['time', 'platform_number', 'cycle_number', 'direction'] as const;

export type MetadataColumn = (typeof METADATA_COLUMNS)[number]['name'];

interface ColumnSpec {
  name: string;
  element: Omit<SchemaElement, 'name'>;
  encoding?: Encoding;
  statistics?: boolean;
  meaning: string;
}

const STRING = { type: 'BYTE_ARRAY', converted_type: 'UTF8' } as const;
const REQUIRED = { repetition_type: 'REQUIRED' } as const;

/**
 * Per-profile columns, in file order. `id`, `time` and `n_levels` come first: a reader that takes
 * its metadata elsewhere (the month index) reads these three and the level columns, which then
 * sit next to each other in the file (fewer, larger ranged reads).
 */
export const METADATA_COLUMNS = [
  { name: 'id', element: { ...STRING, ...REQUIRED }, meaning: 'profile id: `<dac>/<wmo>/profiles/<file>.nc` (the GDAC path under `dac/`)' },
  {
    name: 'time',
    element: { type: 'INT64', ...REQUIRED, logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' } },
    encoding: 'DELTA_BINARY_PACKED',
    statistics: true,
    meaning: 'JULD of the primary profile, UTC, to the millisecond',
  },
  { name: 'n_levels', element: { type: 'INT32', ...REQUIRED }, meaning: "N_LEVELS: the length of every level column's list or string" },
  { name: 'platform_number', element: { ...STRING, ...REQUIRED }, meaning: 'PLATFORM_NUMBER (WMO number), trimmed' },
  { name: 'cycle_number', element: { type: 'INT32', ...REQUIRED }, meaning: 'CYCLE_NUMBER' },
  { name: 'direction', element: { ...STRING, ...REQUIRED }, meaning: "DIRECTION: 'A' ascending, 'D' descending" },
  { name: 'data_mode', element: { ...STRING, ...REQUIRED }, meaning: "DATA_MODE: 'R' real time, 'A' adjusted, 'D' delayed mode" },
  { name: 'latitude', element: { type: 'DOUBLE', ...REQUIRED }, meaning: 'LATITUDE, degrees north (always valid: invalid positions are not packed)' },
  { name: 'longitude', element: { type: 'DOUBLE', ...REQUIRED }, meaning: 'LONGITUDE, degrees east' },
  { name: 'position_qc', element: { ...STRING, ...REQUIRED }, meaning: 'POSITION_QC flag (one character)' },
  { name: 'juld_qc', element: { ...STRING, ...REQUIRED }, meaning: 'JULD_QC flag (one character)' },
  { name: 'date_update', element: { ...STRING, ...REQUIRED }, meaning: "the GDAC index's date_update of the file (YYYYMMDDHHMMSS): which version was packed" },
  { name: 'file_size', element: { type: 'INT64', ...REQUIRED }, meaning: 'size of the packed file in bytes' },
] as const satisfies readonly ColumnSpec[];

/**
 * The core dataset's level columns: for PRES, TEMP and PSAL the values, QC, adjusted values and
 * adjusted QC (every mode reads some of them), then PRES_ADJUSTED_ERROR, which only `research`
 * mode reads: last in the row group, so a read for another mode skips its bytes instead of
 * reading across them.
 */
export const CORE_PACK_VARIABLES: readonly string[] = [
  ...LEVEL_VARIABLES.filter((v) => !v.endsWith('_ADJUSTED_ERROR')),
  ...LEVEL_VARIABLES.filter((v) => v.endsWith('_ADJUSTED_ERROR')),
];

/** Columns a reader always reads: they identify a row and place it in time. */
export const KEY_COLUMNS = ['id', 'time', 'n_levels'] as const;

export type LevelColumnKind = 'values' | 'qc' | 'mode';

/** What a level column holds, from its name (see the header). */
export function levelColumnKind(name: string): LevelColumnKind {
  if (name.endsWith('_QC')) return 'qc';
  if (name.endsWith('_DATA_MODE')) return 'mode';
  return 'values';
}

/** The Parquet schema elements of one level column (a list is three nested elements). */
function levelSchema(name: string): SchemaElement[] {
  if (levelColumnKind(name) !== 'values') return [{ name, ...STRING, repetition_type: 'OPTIONAL' }];
  return [
    { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { name: 'element', type: 'FLOAT', repetition_type: 'OPTIONAL' },
  ];
}

/** The whole Parquet schema of a pack holding these level variables. */
export function packSchema(variables: readonly string[]): SchemaElement[] {
  return [
    { name: 'schema', num_children: METADATA_COLUMNS.length + variables.length },
    ...METADATA_COLUMNS.map((c) => ({ name: c.name, ...c.element }) as SchemaElement),
    ...variables.flatMap(levelSchema),
  ];
}

/** Per-column writer settings (encoding, statistics) for a pack holding these variables. */
export function columnSettings(variables: readonly string[]): Map<string, { encoding?: Encoding; statistics: boolean }> {
  const out = new Map<string, { encoding?: Encoding; statistics: boolean }>();
  for (const c of METADATA_COLUMNS as readonly ColumnSpec[]) {
    out.set(c.name, { ...(c.encoding ? { encoding: c.encoding } : {}), statistics: c.statistics ?? false });
  }
  for (const name of variables) {
    out.set(name, levelColumnKind(name) === 'values' ? { encoding: 'BYTE_STREAM_SPLIT', statistics: false } : { statistics: false });
  }
  return out;
}

/** A variable name the schema can hold: an Argo-style identifier, not a metadata column. */
export function assertLevelVariableName(name: string): void {
  if (!/^[A-Z][A-Z0-9_]*$/.test(name) || METADATA_COLUMNS.some((c) => c.name === name.toLowerCase())) {
    throw new RangeError(`not a level variable name for a data pack: ${JSON.stringify(name)}`);
  }
}

/** The pack description stored in the footer (`PACK_METADATA_KEY`). */
export interface PackDescription {
  format: typeof PACK_FORMAT;
  formatVersion: number;
  /** `phy` (core files) today; `bgc` (synthetic files) later. */
  dataset: string;
  /** The month (YYYY-MM) the rows belong to, when the writer was told. */
  month: string | null;
  /** The level columns, in file order. */
  variables: string[];
  order: readonly string[];
  /** Rows are grouped by UTC time slices of this many hours (24: by day), large slices split. */
  rowGroupHours: number;
}
