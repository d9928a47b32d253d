/**
 * `readPackProfiles({ pack, window })`: the profiles of an open pack whose time is in
 * `[start, end)`, in pack order (the query's result order), each with its level arrays in the
 * query path's `ProfileLevels` shape (float64, NaN for missing; QC strings; null when absent).
 *
 * Only the row groups whose `time` statistics overlap the window are read, and of them only the
 * columns needed: the key columns (id, time, n_levels), the metadata columns unless
 * `metadata: false`, and the level columns asked for. A group's needed column chunks are fetched
 * with as few ranged reads as their layout allows (neighbours closer than `RANGE_GAP_BYTES` in
 * one read), the next group's while this one is decoded; decoding is hyparquet's.
 */
import { parquetRead } from 'hyparquet';
import { CorruptIndexError, isAppError, throwIfAborted } from '../errors.js';
import { LEVEL_VARIABLES, type ProfileLevels } from '../argo/types.js';
import { listToFloat64 } from './levels.js';
import { KEY_COLUMNS, METADATA_COLUMNS, levelColumnKind } from './schema.js';
import type { Pack, PackedProfile, PackRowGroup, PackRowMeta } from './types.js';
import { loadZstd, type ZstdCodec } from './zstd.js';

/**
 * Column chunks closer than 8 KB are read together: a gap that small (a skipped metadata column
 * of one day is 1–3 KB) costs less than another request, which on a store with 20 ms latency is
 * worth ~100 KB of transfer; larger gaps (the level columns a mode does not need) are skipped.
 * hyparquet plans its own reads with the same 8 KB gap, so its ranges fall inside ours.
 */
export const RANGE_GAP_BYTES = 8 * 1024;

export interface PackWindow {
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive. */
  end: number;
}

export interface ReadPackProfilesOptions {
  pack: Pack;
  window: PackWindow;
  /** Level columns to read (default: all the pack has). A name the pack lacks reads as null. */
  variables?: readonly string[];
  /** Read the metadata columns too (default true); false reads only id, time and n_levels. */
  metadata?: boolean;
  /** Keep only the rows it accepts (after the window). */
  filter?: (meta: PackRowMeta) => boolean;
  signal?: AbortSignal;
}

/** The row groups whose time range overlaps `[start, end)` (a group without statistics always does). */
export function selectRowGroups(pack: Pack, { start, end }: PackWindow): PackRowGroup[] {
  return pack.rowGroups.filter(
    (g) => g.rows > 0 && (g.timeMin === undefined || g.timeMax === undefined || (g.timeMin < end && g.timeMax >= start)),
  );
}

interface Span {
  offset: number;
  bytes: Uint8Array;
}

/** The byte ranges of a group's chunks for these top-level columns, neighbours merged. */
export function groupRanges(pack: Pack, group: PackRowGroup, columns: ReadonlySet<string>): { offset: number; length: number }[] {
  const chunks = pack.metadata.row_groups[group.index].columns
    .map((c) => c.meta_data!)
    .filter((m) => columns.has(m.path_in_schema[0]))
    .map((m) => {
      const offset = Number(m.dictionary_page_offset ?? m.data_page_offset);
      return { offset, end: offset + Number(m.total_compressed_size) };
    })
    .sort((a, b) => a.offset - b.offset);
  const out: { offset: number; length: number }[] = [];
  let run: { offset: number; end: number } | undefined;
  for (const c of chunks) {
    if (run && c.offset - run.end <= RANGE_GAP_BYTES) run.end = Math.max(run.end, c.end);
    else {
      if (run) out.push({ offset: run.offset, length: run.end - run.offset });
      run = { ...c };
    }
  }
  if (run) out.push({ offset: run.offset, length: run.end - run.offset });
  return out;
}

async function fetchSpans(pack: Pack, ranges: { offset: number; length: number }[], signal: AbortSignal | undefined): Promise<Span[]> {
  return Promise.all(
    ranges.map(async ({ offset, length }) => {
      const bytes = await pack.readRange({ offset, length, ...(signal ? { signal } : {}) });
      if (bytes.length !== length) {
        throw new CorruptIndexError({ message: `data pack: short read, ${bytes.length} of ${length} bytes at ${offset}`, context: { offset, length } });
      }
      return { offset, bytes };
    }),
  );
}

/**
 * hyparquet's view of the file: slices served from the fetched spans. A slice that spans several
 * of them (hyparquet merges chunks across small gaps too) gets the gaps zero-filled: they hold
 * columns not asked for, which hyparquet then never decodes. A slice reaching outside the spans
 * is read from the store (it should not happen: the spans cover every chunk asked for).
 */
function spanBuffer(pack: Pack, spans: Span[], signal: AbortSignal | undefined) {
  return {
    byteLength: pack.size,
    async slice(start: number, end = pack.size): Promise<ArrayBuffer> {
      const overlapping = spans.filter((s) => s.offset < end && start < s.offset + s.bytes.length);
      const first = overlapping[0];
      const last = overlapping[overlapping.length - 1];
      if (first && first.offset <= start && end <= last.offset + last.bytes.length) {
        const out = new Uint8Array(end - start);
        for (const s of overlapping) {
          const from = Math.max(start, s.offset);
          const to = Math.min(end, s.offset + s.bytes.length);
          out.set(s.bytes.subarray(from - s.offset, to - s.offset), from - start);
        }
        return out.buffer;
      }
      return (await fetchSpans(pack, [{ offset: start, length: end - start }], signal))[0].bytes.slice().buffer as ArrayBuffer;
    },
  };
}

const META_FIELDS: Record<string, keyof PackRowMeta> = {
  platform_number: 'platformNumber',
  cycle_number: 'cycleNumber',
  direction: 'direction',
  data_mode: 'dataMode',
  latitude: 'latitude',
  longitude: 'longitude',
  position_qc: 'positionQc',
  juld_qc: 'juldQc',
  date_update: 'dateUpdate',
  file_size: 'fileSize',
};

function toNumber(value: unknown): number {
  return typeof value === 'bigint' ? Number(value) : (value as number);
}

function metaOf(row: Record<string, unknown>, withMetadata: boolean): PackRowMeta {
  const meta: PackRowMeta = { id: row.id as string, timeMs: toNumber(row.time), nLevels: toNumber(row.n_levels) };
  if (withMetadata) {
    for (const [column, field] of Object.entries(META_FIELDS)) {
      const value = row[column];
      (meta as unknown as Record<string, unknown>)[field] = typeof value === 'bigint' ? Number(value) : value;
    }
  }
  return meta;
}

function levelsOf(row: Record<string, unknown>, variables: readonly string[], meta: PackRowMeta): ProfileLevels {
  const levels: Record<string, unknown> = { nLevels: meta.nLevels };
  for (const name of LEVEL_VARIABLES) levels[name] = null;
  for (const name of variables) {
    const value = row[name];
    if (value === null || value === undefined) {
      levels[name] = null;
      continue;
    }
    const kind = levelColumnKind(name);
    const converted = kind === 'values' ? listToFloat64(value as ArrayLike<number | null>) : (value as string);
    if (kind !== 'mode' && converted!.length !== meta.nLevels) {
      throw new CorruptIndexError({ message: `data pack: ${meta.id} ${name} has ${converted!.length} levels, n_levels is ${meta.nLevels}`, context: { id: meta.id, variable: name } });
    }
    levels[name] = converted;
  }
  return levels as ProfileLevels;
}

async function decodeGroup(pack: Pack, group: PackRowGroup, columns: string[], spans: Span[], zstd: ZstdCodec, signal: AbortSignal | undefined): Promise<Record<string, unknown>[]> {
  let rows: Record<string, unknown>[] = [];
  try {
    await parquetRead({
      file: spanBuffer(pack, spans, signal),
      metadata: pack.metadata,
      columns,
      rowStart: group.firstRow,
      rowEnd: group.firstRow + group.rows,
      rowFormat: 'object',
      compressors: { ZSTD: (input, outputLength) => zstd.decompress(input, outputLength) },
      parsers: { timestampFromMilliseconds: (ms: bigint) => Number(ms) },
      onComplete: (data) => {
        rows = data as Record<string, unknown>[];
      },
    });
  } catch (error) {
    // Store failures and aborts come through readRange as they are; anything else is a pack we
    // cannot decode.
    if (isAppError(error) || signal?.aborted) throw error;
    throw new CorruptIndexError({ message: `data pack: row group ${group.index} cannot be decoded`, context: { rowGroup: group.index }, cause: error });
  }
  if (rows.length !== group.rows) throw new CorruptIndexError({ message: `data pack: row group ${group.index} gave ${rows.length} rows, expected ${group.rows}` });
  return rows;
}

export async function* readPackProfiles(options: ReadPackProfilesOptions): AsyncGenerator<PackedProfile> {
  const { pack, window, filter, signal } = options;
  const withMetadata = options.metadata ?? true;
  const packed = new Set(pack.description.variables);
  const variables = (options.variables ?? pack.description.variables).filter((v) => packed.has(v));
  const columns = [...KEY_COLUMNS, ...(withMetadata ? METADATA_COLUMNS.map((c) => c.name).filter((c) => !(KEY_COLUMNS as readonly string[]).includes(c)) : []), ...variables];
  const columnSet = new Set(columns);
  const groups = selectRowGroups(pack, window);
  if (groups.length === 0) return;
  const zstd = await loadZstd();

  const fetchGroup = (g: PackRowGroup): Promise<Span[]> => {
    const p = fetchSpans(pack, groupRanges(pack, g, columnSet), signal);
    p.catch(() => {}); // awaited below; a read-ahead the consumer never reaches must not be unhandled
    return p;
  };
  let next = fetchGroup(groups[0]);
  for (let k = 0; k < groups.length; k++) {
    throwIfAborted(signal, { operation: 'read data pack' });
    const group = groups[k];
    const spans = await next;
    if (k + 1 < groups.length) next = fetchGroup(groups[k + 1]);
    const rows = await decodeGroup(pack, group, columns, spans, zstd, signal);
    for (let j = 0; j < rows.length; j++) {
      const meta = metaOf(rows[j], withMetadata);
      if (meta.timeMs < window.start || meta.timeMs >= window.end) continue;
      if (filter && !filter(meta)) continue;
      yield { row: group.firstRow + j, meta, levels: levelsOf(rows[j], variables, meta) };
    }
  }
}
