/**
 * Serializing a query result as a byte stream: NDJSON, JSON or CSV, from the result's async
 * iterable of profiles.
 *
 * - Backpressure: the body is a `Readable` that pulls the next profile only when the consumer
 *   (socket, compressor) wants more, so memory is bounded by the stream's buffer plus the query's
 *   look-ahead, never by the result size.
 * - Batching: profiles ready together leave as one chunk of up to ~64 KiB (`BATCH_CHARS`), and
 *   what is buffered leaves as soon as no further profile is ready in the same event-loop turn,
 *   so a slow upstream never holds back what is already computed (time to first byte unchanged).
 * - NDJSON and JSON take each profile's JSON text as the query yields it (`EncodedProfile.json`):
 *   no re-encoding, whether it came from the output cache or was just computed.
 * - A failure after the body started ends it with an error line (NDJSON), an `error` member (JSON)
 *   or a `# error:` line (CSV): the body is never silently cut short. 5xx messages are the generic
 *   client ones; `onError` receives the real error for the logs.
 * - When the consumer goes away the stream is destroyed, which returns the iterator, which aborts
 *   the outstanding upstream reads (see query/ordered.ts).
 */
import { Readable } from 'node:stream';
import { isAbortError, publicMessage, statusOf } from '../errors.js';
import type { OutputProfile, QueryResult } from '../query/types.js';
import { arrowStreamChunks } from './arrow.js';
import type { OutputFormat } from './formats.js';
import { geojsonChunks } from './geojson.js';
import { longTableLayoutOf, type LongTableLayout } from './long-table.js';
import { parquetChunks } from './parquet.js';

export interface StreamError {
  status: number;
  message: string;
}

export type ResultHead = Pick<QueryResult, 'matched' | 'truncated' | 'monthsMissing' | 'query'>;

export interface SerializeOptions {
  format: OutputFormat;
  /** The next page's link when the result is truncated (json's `next` member; null otherwise). */
  next?: string;
  /** Called with the real error when the stream fails part-way (not for a client that left). */
  onError?: (error: unknown) => void;
}

/** The client-facing description of a mid-stream failure. */
export function streamErrorOf(error: unknown): StreamError {
  const status = statusOf(error);
  return { status, message: publicMessage(error, status) };
}

/** The level columns a profile's CSV rows carry, from the query (all profiles share them). */
export function levelColumnsOf(query: ResultHead['query']): ('depth' | 'pressure')[] {
  if (query.fields === 'positions') return [];
  return query.levels === undefined ? ['depth', 'pressure'] : [query.vertical];
}

/** The variable columns of the CSV: none for `fields=positions` (metadata only). */
function valueColumnsOf(query: ResultHead['query']): ResultHead['query']['variables'] {
  return query.fields === 'positions' ? [] : query.variables;
}

export const CSV_METADATA_COLUMNS = [
  'id',
  'platform_number',
  'cycle_number',
  'direction',
  'data_mode',
  'time',
  'latitude',
  'longitude',
] as const;

/** The CSV header row's columns for a query. */
export function csvColumnsOf(query: ResultHead['query']): string[] {
  return [...CSV_METADATA_COLUMNS, ...levelColumnsOf(query), ...valueColumnsOf(query)];
}

/** RFC 4180 quoting, only when needed. */
function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One profile's CSV rows (long format: one row per level). A profile with no level at all (native
 * levels and no usable pressure) still gets one row, with empty level cells, so every returned
 * profile appears in the file; with `fields=positions` that one row is all there is.
 */
export function csvRows(profile: OutputProfile, query: ResultHead['query']): string {
  const meta = CSV_METADATA_COLUMNS.map((c) => csvField(profile[c])).join(',');
  const levelColumns = levelColumnsOf(query).map((c) => profile[c] ?? []);
  const valueColumns = valueColumnsOf(query).map((v) => (profile[v] ?? null) as (number | null)[] | null);
  const n = Math.max(1, ...levelColumns.map((c) => c.length));
  let out = '';
  for (let i = 0; i < n; i++) {
    out += meta;
    for (const c of levelColumns) out += `,${csvField(c[i])}`;
    for (const c of valueColumns) out += `,${csvField(c === null ? null : c[i])}`;
    out += '\n';
  }
  return out;
}

async function* ndjsonChunks(result: QueryResult, options: SerializeOptions): AsyncGenerator<string> {
  try {
    for await (const { json } of result.profiles) yield `${json}\n`;
  } catch (error) {
    if (isAbortError(error)) return;
    options.onError?.(error);
    yield `${JSON.stringify({ error: streamErrorOf(error) })}\n`;
  }
}

function jsonTail(result: ResultHead, options: SerializeOptions): string {
  return (
    `"matched":${result.matched},"truncated":${result.truncated},"months_missing":${JSON.stringify(result.monthsMissing)},` +
    `"next":${JSON.stringify(options.next ?? null)}`
  );
}

async function* jsonChunks(result: QueryResult, options: SerializeOptions): AsyncGenerator<string> {
  yield '{"profiles":[';
  let first = true;
  try {
    for await (const { json } of result.profiles) {
      yield first ? json : `,${json}`;
      first = false;
    }
  } catch (error) {
    if (isAbortError(error)) return;
    options.onError?.(error);
    yield `],${jsonTail(result, options)},"error":${JSON.stringify(streamErrorOf(error))}}\n`;
    return;
  }
  yield `],${jsonTail(result, options)}}\n`;
}

async function* csvChunks(result: QueryResult, options: SerializeOptions): AsyncGenerator<string> {
  yield `${csvColumnsOf(result.query).join(',')}\n`;
  try {
    for await (const { profile } of result.profiles) yield csvRows(profile, result.query);
  } catch (error) {
    if (isAbortError(error)) return;
    options.onError?.(error);
    const { status, message } = streamErrorOf(error);
    yield `# error: ${status} ${message.replace(/[\r\n]+/g, ' ')}\n`;
  }
}

/** The profiles alone, for the encoders that take output profiles. */
async function* profilesOf(result: QueryResult): AsyncGenerator<OutputProfile> {
  for await (const { profile } of result.profiles) yield profile;
}

async function* geojsonOf(result: QueryResult, options: SerializeOptions): AsyncGenerator<string> {
  // Each profile's JSON text is ready (EncodedProfile.json): the feature's properties reuse it.
  const texts = new WeakMap<OutputProfile, string>();
  async function* profiles(): AsyncGenerator<OutputProfile> {
    for await (const { profile, json } of result.profiles) {
      texts.set(profile, json);
      yield profile;
    }
  }
  yield* geojsonChunks(profiles(), {
    jsonOf: (profile) => texts.get(profile) ?? JSON.stringify(profile),
    members: () => ({ matched: result.matched, truncated: result.truncated, months_missing: result.monthsMissing, next: options.next ?? null }),
    ...(options.onError ? { onError: options.onError } : {}),
  });
}

/** The long table's columns for a query (the CSV's, typed). */
export function tableLayoutOf(query: ResultHead['query']): LongTableLayout {
  if (query.fields === 'positions') return { levels: [], variables: [] };
  return longTableLayoutOf({ native: query.levels === undefined, vertical: query.vertical, variables: query.variables });
}

const TEXT_GENERATORS: Readonly<Partial<Record<OutputFormat, (result: QueryResult, options: SerializeOptions) => AsyncGenerator<string>>>> = {
  ndjson: ndjsonChunks,
  json: jsonChunks,
  csv: csvChunks,
  geojson: geojsonOf,
};

/**
 * The binary formats: the CSV's long table as Arrow IPC or Parquet, in record batches / row
 * groups as the profiles arrive. A failure part-way cannot be written into them: the generator
 * throws after a truncating tail, the body stream errors and the HTTP layer destroys the response
 * (no clean end), which every client reports.
 */
const BINARY_GENERATORS: Readonly<Partial<Record<OutputFormat, (result: QueryResult, options: SerializeOptions) => AsyncGenerator<Uint8Array>>>> = {
  arrow: (result, options) =>
    arrowStreamChunks(profilesOf(result), { layout: tableLayoutOf(result.query), ...(options.onError ? { onError: options.onError } : {}) }),
  parquet: (result, options) =>
    parquetChunks(profilesOf(result), { layout: tableLayoutOf(result.query), ...(options.onError ? { onError: options.onError } : {}) }),
};

/**
 * Characters gathered into one chunk: 64 Ki, the stream's highWaterMark, so one chunk fills the
 * buffer and a warm window of ~450 profiles leaves in ~5 socket writes instead of ~450.
 */
const BATCH_CHARS = 64 * 1024;

const IDLE = Symbol('idle');
let idleTick: Promise<typeof IDLE> | undefined;
/** Settles after the current event-loop turn's I/O callbacks: one shared timer per turn. */
function nextTurn(): Promise<typeof IDLE> {
  idleTick ??= new Promise((resolve) =>
    setImmediate(() => {
      idleTick = undefined;
      resolve(IDLE);
    }),
  );
  return idleTick;
}

/**
 * The parts joined into chunks of about `BATCH_CHARS`: a part ready while the buffer holds less
 * joins it; when the next part is not ready by the next event-loop turn, the buffer leaves first.
 * The parts' own error handling (the error line) stays in the generators: a part is a part.
 */
async function* batched(parts: AsyncGenerator<string>): AsyncGenerator<string> {
  let buffer = '';
  try {
    for (;;) {
      const next = parts.next();
      let step: IteratorResult<string> | typeof IDLE;
      if (buffer.length === 0) step = await next;
      else {
        step = await Promise.race([next, nextTurn()]);
        if (step === IDLE) {
          const chunk = buffer;
          buffer = '';
          yield chunk;
          step = await next;
        }
      }
      if (step.done) break;
      buffer += step.value;
      if (buffer.length >= BATCH_CHARS) {
        const chunk = buffer;
        buffer = '';
        yield chunk;
      }
    }
    if (buffer.length > 0) yield buffer;
  } finally {
    // The consumer left (destroyed stream): stop the parts, which stops the query's reads.
    await parts.return(undefined);
  }
}

/**
 * The body of a query's response in `format`, as a byte stream that pulls profiles on demand.
 *
 * highWaterMark 64 KiB: a few typical profiles buffered ahead of the socket, enough to keep it busy
 * between reads while staying a small, fixed amount of memory per request.
 */
export function serializeResult(result: QueryResult, options: SerializeOptions): Readable {
  const binary = BINARY_GENERATORS[options.format];
  // Binary chunks are already a batch or a row group each: no joining.
  if (binary) return Readable.from(binary(result, options), { objectMode: false, highWaterMark: 64 * 1024 });
  const text = TEXT_GENERATORS[options.format]!;
  return Readable.from(batched(text(result, options)), { objectMode: false, highWaterMark: 64 * 1024 });
}
