/**
 * `format=arrow`: the long table (long-table.ts) as an Arrow IPC stream
 * (`application/vnd.apache.arrow.stream`), produced batch by batch as the profiles arrive: the
 * schema leaves first, then each record batch with its dictionaries (a replacement dictionary per
 * batch, which the stream format allows), then the end-of-stream marker.
 *
 * The writer is apache-arrow's `RecordBatchStreamWriter`, given a sink that hands us the bytes
 * of each write at once (its default sink is a queue read asynchronously), so every batch leaves
 * as soon as it is encoded and nothing accumulates.
 *
 * A failure after the body started cannot be written into Arrow as text. The stream then ends
 * with an incomplete message header, so strict readers (Arrow C++/pyarrow, arrow-rs) fail instead
 * of taking the batches so far for the whole result, and the error is rethrown for the HTTP layer
 * to abort the response (no terminating chunk), which every HTTP client reports. (apache-arrow's
 * own JS reader ignores a broken tail: for it the aborted response is the signal.) A consumer
 * that stops early (client gone) just stops.
 */
import { AsyncByteQueue, RecordBatchStreamWriter, type Schema } from 'apache-arrow';
import { isAbortError } from '../errors.js';
import { type LongTableLayout, type TableProfile, DEFAULT_BATCH_ROWS, longTableBatches, longTableSchema } from './long-table.js';

export const ARROW_STREAM_MEDIA_TYPE = 'application/vnd.apache.arrow.stream';

/**
 * Bytes that end a failed stream: a continuation marker and a metadata length of 64 with no
 * metadata after it. A reader expects 64 more bytes and reports a truncated stream.
 */
export const ARROW_TRUNCATION = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 64, 0, 0, 0);

/** The writer's sink: collects what each synchronous write produced. */
class ChunkSink extends AsyncByteQueue<Uint8Array> {
  private chunks: Uint8Array[] = [];
  override write(value: Uint8Array): void {
    if (value.byteLength > 0) this.chunks.push(value.slice());
  }
  /** Everything written since the last call, as one chunk (undefined when nothing). */
  take(): Uint8Array | undefined {
    if (this.chunks.length === 0) return undefined;
    const total = this.chunks.reduce((n, c) => n + c.byteLength, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    this.chunks = [];
    return out;
  }
}

export interface ArrowStreamOptions {
  layout: LongTableLayout;
  /** Rows per record batch (default `DEFAULT_BATCH_ROWS`). */
  batchRows?: number;
  /** Called with the real error when the stream fails part-way (not for a client that left). */
  onError?: (error: unknown) => void;
}

/**
 * The IPC stream of the profiles' long table, as byte chunks: the schema, one chunk per record
 * batch, the end-of-stream marker. An empty result is a valid stream with the schema and no batch.
 */
export async function* arrowStreamChunks(profiles: AsyncIterable<TableProfile>, options: ArrowStreamOptions): AsyncGenerator<Uint8Array> {
  const schema: Schema = longTableSchema(options.layout);
  const sink = new ChunkSink();
  // autoDestroy false: finish() writes the end-of-stream marker without closing our sink.
  const writer = new RecordBatchStreamWriter({ autoDestroy: false });
  writer.reset(sink, schema);
  const schemaBytes = sink.take();
  if (schemaBytes) yield schemaBytes;
  const batches = longTableBatches(profiles, { layout: options.layout, schema, batchRows: options.batchRows ?? DEFAULT_BATCH_ROWS });
  try {
    for await (const batch of batches) {
      writer.write(batch);
      const bytes = sink.take();
      if (bytes) yield bytes;
    }
  } catch (error) {
    if (isAbortError(error)) return;
    options.onError?.(error);
    yield ARROW_TRUNCATION;
    throw error;
  } finally {
    await batches.return(undefined);
  }
  writer.finish();
  const end = sink.take();
  if (end) yield end;
}
