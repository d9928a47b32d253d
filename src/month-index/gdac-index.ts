/**
 * Reading the GDAC profile index (`ar_index_global_prof.txt`, or its `.gz`) as a stream.
 *
 * The real index has ~3 million rows (~300 MB as text): it is never held whole. Bytes are
 * gunzipped as they arrive (when the path ends in `.gz` or the bytes start with the gzip magic),
 * split into lines, `#` lines skipped, the column header read by name, and each row turned into
 * a small record. Only core profile files are kept: `<dac>/<wmo>/profiles/[RD]<wmo>_<cycle>[D].nc`
 * (not the BGC `B*` or synthetic `S*` files). Empty fields are accepted: a row without a date or
 * a position is still a real file.
 *
 * Which file: the configured `ARGO_GDAC_INDEX` when set (a path relative to the GDAC root, or an
 * absolute http(s) URL or local path); otherwise where the source says its index lives
 * (`GdacSource.indexPaths`: `idx/` first on an S3 GDAC), each place's `ar_index_global_prof.txt.gz`
 * first (an eighth of the bytes to transfer), then its `ar_index_global_prof.txt`.
 */
import { createReadStream } from 'node:fs';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { GdacIndexError, UpstreamNotFoundError, isAbortError, throwIfAborted } from '../errors.js';
import { ROOT_INDEX_PATHS } from '../gdac/paths.js';
import type { GdacSource } from '../gdac/types.js';

/** Where a GDAC source that does not say (`indexPaths`) keeps its index: at its root. */
export const DEFAULT_INDEX_PATHS = ROOT_INDEX_PATHS;

export interface GdacIndexRow {
  /** Path under `dac/`: `<dac>/<wmo>/profiles/<file>.nc` (the month index id). */
  id: string;
  /** The index `date` (the profile's JULD rounded to the second), epoch ms; null when empty/invalid. */
  dateMs: number | null;
  /** The index `date_update` (YYYYMMDDHHMMSS), '' when empty. */
  dateUpdate: string;
}

/** A core profile file path: R (real-time) or D (delayed) + WMO + cycle (+ D: descending). */
const CORE_ID = /^[A-Za-z0-9_-]+\/[0-9A-Za-z]+\/profiles\/[RD][0-9A-Za-z]+_\d+D?\.nc$/;

export function isCoreProfileId(id: string): boolean {
  return CORE_ID.test(id);
}

/** `YYYYMMDDHHMMSS` → epoch ms, or null when empty or not a valid date-time. */
export function parseIndexDate(value: string): number | null {
  if (!/^\d{14}$/.test(value)) return null;
  const y = Number(value.slice(0, 4));
  const mo = Number(value.slice(4, 6));
  const d = Number(value.slice(6, 8));
  const h = Number(value.slice(8, 10));
  const mi = Number(value.slice(10, 12));
  const s = Number(value.slice(12, 14));
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return Number.isFinite(ms) ? ms : null;
}

export interface IndexStats {
  lines: number;
  rows: number;
  core: number;
  /** Rows that could not be parsed (too few fields): skipped. */
  malformed: number;
}

/**
 * The longest line accepted, in bytes. GDAC index rows are under 300 bytes (a ~50-character path,
 * two 14-digit dates, coordinates and short codes); 4 KiB leaves more than ten times that for
 * longer DAC names or added columns. Anything longer is not a profile index (an HTML error page,
 * a binary file, a file without newlines), and refusing it at once keeps a runaway line from
 * growing to the size of the file.
 */
export const MAX_LINE_BYTES = 4096;

/**
 * Whether the index is not a profile index at all (a line far longer than any row), which a
 * re-read cannot mend, rather than a transfer that may go better the second time.
 */
export function isMalformedIndexError(error: unknown): boolean {
  return error instanceof GdacIndexError && error.context.malformed === true;
}

interface LineOptions {
  path: string;
  maxLineBytes: number;
  signal?: AbortSignal;
}

/**
 * Splits a byte stream into lines (LF or CRLF), decoded as latin1 (the index is ASCII). A line
 * split across chunks is kept as its pieces and joined once, when its newline arrives: each byte
 * is copied at most twice whatever the chunking. A line longer than `maxLineBytes` is refused as
 * soon as that many bytes are seen without a newline.
 */
async function* lines(chunks: AsyncIterable<Uint8Array>, options: LineOptions): AsyncGenerator<string> {
  const { maxLineBytes, signal } = options;
  let pieces: Buffer[] = [];
  let pending = 0;
  let lineNumber = 0;
  const tooLong = (): GdacIndexError =>
    new GdacIndexError({
      message: `GDAC index line ${lineNumber + 1} is longer than ${maxLineBytes} bytes: not a GDAC profile index (its lines are under 300 bytes)`,
      context: { path: options.path, line: lineNumber + 1, maxLineBytes, malformed: true },
    });
  for await (const chunk of chunks) {
    throwIfAborted(signal, { path: options.path, line: lineNumber });
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      const endsInCr = nl > start ? buf[nl - 1] === 13 : pending > 0 && pieces[pieces.length - 1].at(-1) === 13;
      if (pending + nl - start - (endsInCr ? 1 : 0) > maxLineBytes) throw tooLong();
      let line: Buffer = buf.subarray(start, nl);
      if (pending > 0) {
        pieces.push(line);
        line = Buffer.concat(pieces, pending + line.length);
        pieces = [];
        pending = 0;
      }
      const end = line.length > 0 && line[line.length - 1] === 13 ? line.length - 1 : line.length;
      lineNumber++;
      yield line.toString('latin1', 0, end);
      start = nl + 1;
    }
    if (start < buf.length) {
      // + 1: the line's CR may be among these bytes, its LF in the next chunk.
      if (pending + buf.length - start > maxLineBytes + 1) throw tooLong();
      // A copy: the piece must not keep the whole chunk alive.
      pieces.push(Buffer.from(buf.subarray(start)));
      pending += buf.length - start;
    }
  }
  if (pending > 0) {
    // The GDAC writes every row with its newline: a last line without one is a file cut short
    // (a mirror mid-sync, a partial copy). Reading it as the truth would drop the missing rows'
    // profiles from the months they belong to, so refuse the whole index instead.
    const rest = Buffer.concat(pieces, pending);
    throw new GdacIndexError({
      message: 'the GDAC profile index ends in the middle of a line: it looks truncated',
      context: { path: options.path, line: lineNumber + 1, lastLine: rest.toString('latin1', 0, Math.min(rest.length, 120)) },
    });
  }
}

/** Gunzips when the first bytes are the gzip magic (1f 8b), whatever the file is called. */
async function* maybeGunzip(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  const head = first.value;
  const rest: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: () => iterator.next(),
      return: async () => {
        await iterator.return?.();
        return { done: true as const, value: undefined };
      },
    }),
  };
  async function* all(): AsyncGenerator<Uint8Array> {
    yield head;
    yield* rest;
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    const source = Readable.from(all());
    source.on('error', (error) => gunzip.destroy(error));
    source.pipe(gunzip);
    for await (const out of gunzip as AsyncIterable<Buffer>) yield out;
  } else {
    yield* all();
  }
}

export interface ReadGdacIndexOptions {
  gdac: GdacSource;
  /** The configured index (ARGO_GDAC_INDEX), or undefined for the defaults. */
  indexPath?: string;
  /** The paths tried in turn without `indexPath` (default: the core index, `.gz` first). */
  defaultPaths?: readonly string[];
  signal?: AbortSignal;
  /** Called with the path actually opened (the `.gz` or the `.txt`). */
  onOpen?: (path: string) => void;
  onStats?: (stats: IndexStats) => void;
  /** Which files to keep (default: core profile files, `isCoreProfileId`). */
  accept?: (id: string) => boolean;
  /** Longest line accepted (default MAX_LINE_BYTES). */
  maxLineBytes?: number;
}

async function openAbsolute(location: string, signal: AbortSignal | undefined): Promise<AsyncIterable<Uint8Array>> {
  if (/^https?:\/\//i.test(location)) {
    const response = await fetch(location, signal ? { signal } : {});
    if (response.status === 404) throw new UpstreamNotFoundError({ message: `GDAC index not found: ${location}`, context: { location } });
    if (!response.ok || !response.body) {
      throw new GdacIndexError({ message: `GDAC index request failed (HTTP ${response.status})`, context: { location, status: response.status } });
    }
    return response.body as unknown as AsyncIterable<Uint8Array>;
  }
  const path = location.startsWith('file://') ? fileURLToPath(location) : location;
  const stream = createReadStream(path, signal ? { signal } : {});
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new UpstreamNotFoundError({ message: `GDAC index not found: ${path}`, context: { path }, cause: error }) : error),
    );
  });
  return stream as AsyncIterable<Uint8Array>;
}

function isAbsoluteLocation(location: string): boolean {
  return /^https?:\/\//i.test(location) || location.startsWith('file://') || isAbsolute(location);
}

/** Opens the index: the configured one, or the `.gz` then the `.txt`. Returns the path used. */
export async function openGdacIndex(options: ReadGdacIndexOptions): Promise<{ path: string; chunks: AsyncIterable<Uint8Array> }> {
  const { gdac, indexPath, signal } = options;
  if (indexPath !== undefined) {
    const chunks = isAbsoluteLocation(indexPath) ? await openAbsolute(indexPath, signal) : await gdac.stream(indexPath, { signal });
    return { path: indexPath, chunks };
  }
  let lastError: unknown;
  for (const path of options.defaultPaths ?? gdac.indexPaths ?? DEFAULT_INDEX_PATHS) {
    try {
      return { path, chunks: await gdac.stream(path, { signal }) };
    } catch (error) {
      if (!(error instanceof UpstreamNotFoundError)) throw error;
      lastError = error;
    }
  }
  throw lastError;
}

/**
 * Every core-profile row of the GDAC index, streamed. Throws `GdacIndexError` when the index
 * cannot be opened or read to its end, has no usable column header, or has a line longer than
 * `maxLineBytes` (`isMalformedIndexError`). An abort of the signal ends the read
 * at the next chunk with AbortedError. The caller must not act on rows until the iteration
 * completes: a stream that breaks half-way is a failure, not a shorter index.
 */
export async function* readGdacIndex(options: ReadGdacIndexOptions): AsyncGenerator<GdacIndexRow> {
  const stats: IndexStats = { lines: 0, rows: 0, core: 0, malformed: 0 };
  let path = options.indexPath ?? DEFAULT_INDEX_PATHS[DEFAULT_INDEX_PATHS.length - 1];
  try {
    const opened = await openGdacIndex(options);
    path = opened.path;
    options.onOpen?.(path);
    const accept = options.accept ?? isCoreProfileId;
    let columns: { file: number; date: number; dateUpdate: number; count: number } | undefined;
    const split = lines(maybeGunzip(opened.chunks), { path, maxLineBytes: options.maxLineBytes ?? MAX_LINE_BYTES, signal: options.signal });
    for await (const line of split) {
      stats.lines++;
      if (line.length === 0 || line.startsWith('#')) continue;
      const fields = line.split(',');
      if (!columns) {
        const names = fields.map((f) => f.trim().toLowerCase());
        const file = names.indexOf('file');
        const date = names.indexOf('date');
        const dateUpdate = names.indexOf('date_update');
        if (file < 0 || date < 0 || dateUpdate < 0) {
          throw new GdacIndexError({
            message: 'GDAC index has no column header with file, date and date_update',
            context: { path, header: line.slice(0, 200) },
          });
        }
        columns = { file, date, dateUpdate, count: Math.max(file, date, dateUpdate) + 1 };
        continue;
      }
      stats.rows++;
      if (fields.length < columns.count) {
        stats.malformed++;
        continue;
      }
      const id = fields[columns.file].trim();
      if (!accept(id)) continue;
      stats.core++;
      yield { id, dateMs: parseIndexDate(fields[columns.date].trim()), dateUpdate: fields[columns.dateUpdate].trim() };
    }
    if (!columns) throw new GdacIndexError({ message: 'GDAC index is empty (no column header)', context: { path } });
    options.onStats?.(stats);
  } catch (error) {
    if (isAbortError(error) || error instanceof GdacIndexError) throw error;
    throw new GdacIndexError({ message: `GDAC index ${path} could not be read`, context: { path, lines: stats.lines }, cause: error });
  }
}

/**
 * The text lines of an opened index, gunzipped when needed, with the checks the core index gets
 * (a last line cut short is refused): for the other GDAC indexes, e.g. the synthetic profile index.
 */
export function indexLines(
  chunks: AsyncIterable<Uint8Array>,
  options: { path: string; maxLineBytes?: number; signal?: AbortSignal },
): AsyncGenerator<string> {
  return lines(maybeGunzip(chunks), { path: options.path, maxLineBytes: options.maxLineBytes ?? MAX_LINE_BYTES, signal: options.signal });
}
