/**
 * `writePack({ profiles })`: a month's profiles as one Parquet file (see schema.ts), in memory.
 * Pure: no I/O (async only because the ZSTD codec may have to load its WebAssembly module).
 *
 *     const { bytes, rows, rowGroups, footerBytes } = await writePack({ profiles, month: '2023-04' });
 *
 * Rows come in the order given, which must be the query's result order (the month index's: time,
 * platform, cycle, direction), so row i of a pack is row i of the month index built with it. The
 * writer checks that times never go back and ids are unique.
 */
import type { ColumnChunk, RowGroup } from 'hyparquet';
import { ByteWriter, ParquetWriter, type ColumnSource } from 'hyparquet-writer';
import { compactLevels } from './levels.js';
import {
  METADATA_COLUMNS,
  PACK_FORMAT,
  PACK_FORMAT_VERSION,
  PACK_METADATA_KEY,
  PACK_ORDER,
  CORE_PACK_VARIABLES,
  assertLevelVariableName,
  columnSettings,
  levelColumnKind,
  packSchema,
  type PackDescription,
} from './schema.js';
import type { PackLevels, PackProfile } from './types.js';
import { loadZstd, type ZstdCodec } from './zstd.js';

/**
 * zstd level 19. Level values are float32 whose low mantissa bytes are close to random, so the
 * level matters: on the benchmark's month (13,000 real-template profiles) level 19 gives 1,477
 * B/profile, 12 gives 1,571 and 3 gives 1,620 (docs/data-packs.md), and only 17 and above keep a
 * pack under 1.5 KB per profile. It costs write time (~22 s CPU for the month against ~8 s at
 * 3, Node 20), paid once per build, while every cold query reads the pack, at the same speed
 * whatever the level.
 */
export const PACK_ZSTD_LEVEL = 19;

/**
 * A UTC day holds ~430 profiles of today's GDAC; a day above this many rows is split into equal
 * row groups, so a group stays a few hundred KB to read and decode even if the network grows
 * several-fold (or a BGC month packs far more levels per profile).
 */
export const MAX_ROW_GROUP_ROWS = 2048;

export interface WritePackOptions {
  /** In the query's result order. */
  profiles: readonly PackProfile[];
  /** The month (YYYY-MM) the profiles belong to, recorded in the footer. */
  month?: string;
  /** `phy` (default): core profile files. */
  dataset?: string;
  /** Level columns, in file order (default: `CORE_PACK_VARIABLES`, what every core mode needs). */
  variables?: readonly string[];
  zstdLevel?: number;
  /** Hours of a row group's time slice, a divisor of 24 (default 24: one group per UTC day). */
  rowGroupHours?: number;
  maxRowGroupRows?: number;
}

export interface WrittenPack {
  bytes: Uint8Array;
  rows: number;
  rowGroups: number;
  /** Bytes of the footer (metadata + 8): a reader told this opens the pack with one exact read. */
  footerBytes: number;
}

/**
 * Row-group sizes: one group per UTC time slice of `hours` (default: a day), a slice above
 * `maxRows` split into equal parts.
 *
 * Why days: a query window is most often whole days (dashboards, the benchmark's 1-day window),
 * and a day-aligned window then reads exactly its own groups; any 1-day window reads at most two
 * (three when a day is split). Smaller groups would read less for windows of a few hours, but
 * every group is compressed on its own and adds its footer entry: measured on the benchmark's
 * month (docs/data-packs.md), 12-hour groups make the pack ~6 % larger than day groups, 6-hour
 * ones ~13 %, and a day-aligned window then reads more bytes, not fewer.
 */
export function rowGroupSizes(timesMs: ArrayLike<number>, { hours = 24, maxRows = MAX_ROW_GROUP_ROWS }: { hours?: number; maxRows?: number } = {}): number[] {
  if (!(24 % hours === 0 && Number.isInteger(hours))) throw new RangeError(`row-group hours must divide a day, got ${hours}`);
  if (!(Number.isInteger(maxRows) && maxRows >= 1)) throw new RangeError(`maxRows must be a positive integer, got ${maxRows}`);
  const sliceMs = hours * 3_600_000;
  const sizes: number[] = [];
  const flush = (n: number): void => {
    const parts = Math.ceil(n / maxRows);
    for (let k = 0; k < parts; k++) sizes.push(Math.floor((n * (k + 1)) / parts) - Math.floor((n * k) / parts));
  };
  let slice = Number.NaN;
  let count = 0;
  for (let i = 0; i < timesMs.length; i++) {
    const d = Math.floor(timesMs[i] / sliceMs);
    if (d !== slice && count > 0) {
      flush(count);
      count = 0;
    }
    slice = d;
    count++;
  }
  if (count > 0) flush(count);
  return sizes;
}

export function checkOrder(profiles: readonly Pick<PackProfile, 'id' | 'timeMs'>[]): void {
  const ids = new Set<string>();
  let last = -Infinity;
  for (const p of profiles) {
    if (!Number.isSafeInteger(p.timeMs)) throw new RangeError(`profile ${p.id}: time ${p.timeMs} is not an integer number of ms`);
    if (p.timeMs < last) throw new RangeError(`profiles must be in the query's result order: ${p.id} goes back in time`);
    if (ids.has(p.id)) throw new RangeError(`profile ${p.id} is given twice`);
    ids.add(p.id);
    last = p.timeMs;
  }
}

/** One level column's values for hyparquet-writer: lists (null for missing) or strings. */
function levelColumn(name: string, levels: readonly PackLevels[]): unknown[] {
  const kind = levelColumnKind(name);
  return levels.map((l) => {
    const value = l[name];
    if (value === null || value === undefined) return null;
    if (kind !== 'values') return value;
    const numbers = value as Float32Array;
    const list: (number | null)[] = new Array(numbers.length);
    for (let i = 0; i < numbers.length; i++) list[i] = Number.isNaN(numbers[i]) ? null : numbers[i];
    return list;
  });
}

/**
 * Row groups written on their own: the bytes of their column chunks (as they sit after the file's
 * `PAR1` magic) and their footer entries, offsets counted from the start of a file made of this
 * part alone. `assemblePack` puts parts together, so two threads can each write part of a month.
 */
export interface PackPart {
  bytes: Uint8Array;
  rowGroups: RowGroup[];
  rows: number;
}

/** What every part of one pack shares: its columns, its footer's description, its codec. */
export interface PackLayout {
  variables: string[];
  description: PackDescription;
  zstdLevel: number;
}

const MAGIC_BYTES = 4;

/** The layout of a pack of these options (variables checked). */
export function packLayout(options: Omit<WritePackOptions, 'profiles'>): PackLayout {
  const variables = [...(options.variables ?? CORE_PACK_VARIABLES)];
  for (const v of variables) assertLevelVariableName(v);
  if (new Set(variables).size !== variables.length) throw new RangeError('a level variable is named twice');
  return {
    variables,
    zstdLevel: options.zstdLevel ?? PACK_ZSTD_LEVEL,
    description: {
      format: PACK_FORMAT,
      formatVersion: PACK_FORMAT_VERSION,
      dataset: options.dataset ?? 'phy',
      month: options.month ?? null,
      variables,
      order: PACK_ORDER,
      rowGroupHours: options.rowGroupHours ?? 24,
    },
  };
}

/** The row-group sizes of a pack of `profiles` (see rowGroupSizes). */
export function packRowGroupSizes(profiles: readonly { timeMs: number }[], layout: PackLayout, maxRowGroupRows = MAX_ROW_GROUP_ROWS): number[] {
  return rowGroupSizes(
    profiles.map((p) => p.timeMs),
    { hours: layout.description.rowGroupHours, maxRows: maxRowGroupRows },
  );
}

function parquetWriter(writer: ByteWriter, layout: PackLayout, zstd: ZstdCodec): ParquetWriter {
  return new ParquetWriter({
    writer,
    schema: packSchema(layout.variables),
    codec: 'ZSTD',
    compressors: { ZSTD: (bytes) => zstd.compress(bytes, layout.zstdLevel) },
    statistics: false,
    kvMetadata: [{ key: PACK_METADATA_KEY, value: JSON.stringify(layout.description) }],
    createdBy: `argo-profiles-service data pack v${PACK_FORMAT_VERSION}`,
  });
}

/**
 * Writes `profiles` (checked by the caller: in order, ids unique) as row groups of `sizes` rows
 * (they sum to `profiles.length`; none when there are no profiles). `levelsOf` gives a profile's
 * levels (default: its `levels`); it is called for one row group's profiles at a time, so a
 * writer holding levels packed (held-levels.ts) unpacks a day at a time.
 */
export async function writePackPart<P extends Omit<PackProfile, 'levels'>>(
  profiles: readonly P[],
  sizes: readonly number[],
  layout: PackLayout,
  levelsOf: (profile: P) => PackLevels = (profile) => (profile as unknown as PackProfile).levels,
): Promise<PackPart> {
  const zstd = await loadZstd();
  const writer = new ByteWriter();
  const parquet = parquetWriter(writer, layout, zstd);
  // One row group at a time: the writer takes plain arrays (a level list becomes one JS number,
  // often a boxed double, per value), so a month's columns at once held ~1 GB of temporaries
  // (the build's peak RSS: 1.2–1.3 GB for 13,000 real-template profiles); a day's hold a
  // thirtieth of that, and each group is encoded on its own anyway, so the bytes are the same.
  const settings = columnSettings(layout.variables);
  let first = 0;
  for (const size of sizes) {
    const group = profiles.slice(first, first + size).map((p) => ({ ...p, levels: levelsOf(p) }));
    first += size;
    await parquet.write({ columnData: groupColumns(group, layout, settings), rowGroupSize: [size] });
  }
  return { bytes: writer.getBytes().slice(MAGIC_BYTES), rowGroups: parquet.row_groups, rows: profiles.length };
}

/** The columns of one row group's profiles, as hyparquet-writer takes them. */
function groupColumns(profiles: readonly PackProfile[], layout: PackLayout, settings: ReturnType<typeof columnSettings>): ColumnSource[] {
  // Checked and float32 (a no-op for levels a builder already compacted).
  const levels = profiles.map((p) => compactLevels(p.levels, { id: p.id }));
  const metadata: Record<(typeof METADATA_COLUMNS)[number]['name'], unknown[]> = {
    id: profiles.map((p) => p.id),
    time: profiles.map((p) => BigInt(p.timeMs)),
    n_levels: levels.map((l) => l.nLevels),
    platform_number: profiles.map((p) => p.platform),
    cycle_number: profiles.map((p) => p.cycle),
    direction: profiles.map((p) => p.direction),
    data_mode: profiles.map((p) => p.dataMode),
    latitude: profiles.map((p) => p.latitude),
    longitude: profiles.map((p) => p.longitude),
    position_qc: profiles.map((p) => p.positionQc),
    juld_qc: profiles.map((p) => p.juldQc),
    date_update: profiles.map((p) => p.dateUpdate),
    file_size: profiles.map((p) => BigInt(p.size)),
  };
  return [
    ...METADATA_COLUMNS.map((c) => ({ name: c.name, data: metadata[c.name] })),
    ...layout.variables.map((name) => ({ name, data: levelColumn(name, levels) })),
  ].map((c) => ({
    ...c,
    ...settings.get(c.name),
    // The page index would sit between the last row group and the footer, in every footer read.
    offsetIndex: false,
  })) as ColumnSource[];
}

/** A column chunk's offsets moved by `shift` bytes (its part placed after others). */
function shiftChunk(chunk: ColumnChunk, shift: bigint): ColumnChunk {
  const meta = chunk.meta_data;
  return {
    ...chunk,
    file_offset: chunk.file_offset + shift,
    ...(meta
      ? {
          meta_data: {
            ...meta,
            data_page_offset: meta.data_page_offset + shift,
            ...(meta.dictionary_page_offset !== undefined ? { dictionary_page_offset: meta.dictionary_page_offset + shift } : {}),
          },
        }
      : {}),
  };
}

/**
 * The pack file of `parts`, in order: their row groups one after the other, then the footer. The
 * same bytes as one `writePackPart` of all their profiles, since each row group is encoded and
 * compressed on its own.
 */
export async function assemblePack(parts: readonly PackPart[], layout: PackLayout): Promise<WrittenPack> {
  const writer = new ByteWriter();
  const parquet = parquetWriter(writer, layout, await loadZstd());
  const rowGroups: RowGroup[] = [];
  let rows = 0;
  for (const part of parts) {
    const shift = BigInt(writer.offset - MAGIC_BYTES);
    writer.appendBytes(part.bytes);
    for (const group of part.rowGroups) rowGroups.push(shift === 0n ? group : { ...group, columns: group.columns.map((c) => shiftChunk(c, shift)) });
    rows += part.rows;
  }
  if (rowGroups.length === 0) {
    // No rows: one empty row group keeps the file valid for every reader.
    await parquet.write({ columnData: emptyColumns(layout), rowGroupSize: [1] });
  } else {
    parquet.row_groups = rowGroups;
    parquet.num_rows = BigInt(rows);
  }
  await parquet.finish();
  const bytes = writer.getBytes();
  const footerBytes = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 8, 4).getUint32(0, true) + 8;
  return { bytes, rows, rowGroups: rows === 0 ? 0 : rowGroups.length, footerBytes };
}

function emptyColumns(layout: PackLayout): ColumnSource[] {
  const settings = columnSettings(layout.variables);
  return [...METADATA_COLUMNS.map((c) => c.name), ...layout.variables].map((name) => ({ name, data: [], ...settings.get(name), offsetIndex: false })) as ColumnSource[];
}

export async function writePack(options: WritePackOptions): Promise<WrittenPack> {
  const { profiles } = options;
  const layout = packLayout(options);
  checkOrder(profiles);
  const sizes = packRowGroupSizes(profiles, layout, options.maxRowGroupRows);
  return assemblePack([await writePackPart(profiles, sizes, layout)], layout);
}
