/**
 * `openPack({ readRange, size })`: a pack's footer, read with one ranged read (two when the footer
 * is larger than the speculative tail), decoded, checked, and its row groups' time ranges and byte
 * spans listed for `readPackProfiles`.
 */
import { parquetMetadata, type FileMetaData } from 'hyparquet';
import { CorruptIndexError, throwIfAborted } from '../errors.js';
import { PACK_FORMAT, PACK_FORMAT_VERSION, PACK_METADATA_KEY, type PackDescription } from './schema.js';
import type { Pack, PackRowGroup, ReadRange } from './types.js';

/**
 * Speculative tail read: 64 KB. A core month's footer measures ~40 KB (30 day groups × 26 columns
 * on the benchmark's 13,000-profile month, and it grows with groups and columns, not with levels
 * or profiles below 2,048 a day), so one read holds it; a larger footer (a BGC pack's many
 * columns) costs one more, exact, read. The bytes before the footer that come with it are the end
 * of the month's last day, wasted unless the query wants that day: pass `footerBytes` (recorded
 * at write time) and the read is exactly the footer.
 */
export const FOOTER_READ_BYTES = 64 * 1024;

const MAGIC = 0x31524150; // "PAR1", little-endian
/** Header magic + footer length + footer magic: the smallest Parquet file has more. */
const MIN_PARQUET_BYTES = 12;

export interface OpenPackOptions {
  readRange: ReadRange;
  /** File size in bytes (the store's `head`, or what the month index recorded). */
  size: number;
  /** Bytes of the footer when known (`writePack` gives it): the open is then one exact read. */
  footerBytes?: number;
  signal?: AbortSignal;
}

function corrupt(message: string, context: Record<string, unknown> = {}, cause?: unknown): CorruptIndexError {
  return new CorruptIndexError({ message: `data pack: ${message}`, context, ...(cause === undefined ? {} : { cause }) });
}

async function readExactly(readRange: ReadRange, offset: number, length: number, signal: AbortSignal | undefined): Promise<Uint8Array> {
  const bytes = await readRange({ offset, length, ...(signal ? { signal } : {}) });
  if (bytes.length !== length) throw corrupt(`short read: ${bytes.length} of ${length} bytes at ${offset} (truncated or replaced)`, { offset, length });
  return bytes;
}

function describe(metadata: FileMetaData): PackDescription {
  const entry = metadata.key_value_metadata?.find((kv) => kv.key === PACK_METADATA_KEY);
  if (!entry?.value) throw corrupt(`no "${PACK_METADATA_KEY}" metadata: not a data pack`);
  let description: PackDescription;
  try {
    description = JSON.parse(entry.value) as PackDescription;
  } catch (error) {
    throw corrupt(`"${PACK_METADATA_KEY}" metadata is not JSON`, {}, error);
  }
  if (description?.format !== PACK_FORMAT || !Number.isInteger(description.formatVersion) || !Array.isArray(description.variables)) {
    throw corrupt(`"${PACK_METADATA_KEY}" metadata does not describe a data pack`);
  }
  if (description.formatVersion > PACK_FORMAT_VERSION) {
    throw corrupt(`format version ${description.formatVersion} is newer than this service reads (${PACK_FORMAT_VERSION})`, { formatVersion: description.formatVersion });
  }
  return description;
}

function epochMs(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return value;
  return undefined;
}

function rowGroupsOf(metadata: FileMetaData, size: number): PackRowGroup[] {
  let firstRow = 0;
  return metadata.row_groups.map((group, index) => {
    let start = Infinity;
    let end = 0;
    let timeMin: number | undefined;
    let timeMax: number | undefined;
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (!meta) throw corrupt(`row group ${index} has a column without metadata`);
      const from = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
      const to = from + Number(meta.total_compressed_size);
      if (!(from >= 4 && to <= size)) throw corrupt(`row group ${index}: column ${meta.path_in_schema.join('.')} lies outside the file`);
      start = Math.min(start, from);
      end = Math.max(end, to);
      if (meta.path_in_schema.length === 1 && meta.path_in_schema[0] === 'time') {
        timeMin = epochMs(meta.statistics?.min_value ?? meta.statistics?.min);
        timeMax = epochMs(meta.statistics?.max_value ?? meta.statistics?.max);
      }
    }
    const rows = Number(group.num_rows);
    const out: PackRowGroup = { index, firstRow, rows, start: Number.isFinite(start) ? start : 4, end };
    if (timeMin !== undefined && timeMax !== undefined) Object.assign(out, { timeMin, timeMax });
    firstRow += rows;
    return out;
  });
}

export async function openPack({ readRange, size, footerBytes, signal }: OpenPackOptions): Promise<Pack> {
  throwIfAborted(signal, { operation: 'open data pack' });
  if (!Number.isSafeInteger(size) || size < MIN_PARQUET_BYTES) throw corrupt(`${size} bytes is too small for a Parquet file`, { size });
  const first = Math.min(size, footerBytes !== undefined && footerBytes >= 8 ? footerBytes : FOOTER_READ_BYTES);
  let tail = await readExactly(readRange, size - first, first, signal);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  if (view.getUint32(tail.length - 4, true) !== MAGIC) throw corrupt('no Parquet magic at the end of the file', { size });
  const need = view.getUint32(tail.length - 8, true) + 8;
  if (need > size - 4) throw corrupt(`footer of ${need} bytes does not fit in ${size}`, { size, need });
  if (need > tail.length) {
    const head = await readExactly(readRange, size - need, need - tail.length, signal);
    const whole = new Uint8Array(need);
    whole.set(head, 0);
    whole.set(tail, head.length);
    tail = whole;
  }
  const footer = tail.subarray(tail.length - need);
  let metadata: FileMetaData;
  try {
    metadata = parquetMetadata(footer);
  } catch (error) {
    throw corrupt('unreadable Parquet footer', { size }, error);
  }
  const description = describe(metadata);
  const rowGroups = rowGroupsOf(metadata, size);
  const rows = Number(metadata.num_rows);
  if (rowGroups.reduce((n, g) => n + g.rows, 0) !== rows) throw corrupt('row groups do not add up to the row count', { rows });
  return { size, rows, description, rowGroups, footerBytes: need, metadata, readRange };
}
