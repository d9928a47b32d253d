/**
 * `format=parquet`: the long table (long-table.ts) as a Parquet file
 * (`application/vnd.apache.parquet`), written row group by row group as the profiles arrive.
 *
 * The writer is parquet-wasm (the Rust arrow/parquet crates compiled to WebAssembly): its
 * `transformParquetStream` takes a stream of Arrow record batches and gives a stream of file bytes,
 * flushing each row group when it is full. Our record batches cross into WebAssembly as Arrow IPC
 * (one small copy per batch). ZSTD compression, dictionary encoding (string columns) and column
 * statistics are the writer's; the Arrow schema travels in the file's metadata, so readers get the
 * same types (timestamp UTC, float32/float64, int32, strings).
 *
 * Memory: one record batch in JavaScript plus the row group being encoded in WebAssembly
 * (compressed pages of at most `rowGroupRows` rows). The WebAssembly memory grows to the peak of
 * the concurrent writers and is reused, never returned to the system.
 *
 * Failure after the body started: a Parquet file is readable only through its footer, written at
 * the very end; on a failure we stop before it, so the partial body is not a Parquet file and
 * every reader refuses it, and the error is rethrown for the HTTP layer to abort the response.
 * (parquet-wasm itself would skip a failed batch and still write the footer, so the failure
 * never reaches it: our input stream just stops.) A consumer that stops early stops the writer
 * and the query.
 */
import { RecordBatch, Table, tableToIPC, type Schema } from 'apache-arrow';
import { isAbortError } from '../errors.js';
import { type LongTableLayout, type TableProfile, DEFAULT_BATCH_ROWS, STRING_COLUMNS, longTableBatch, longTableBatches, longTableSchema } from './long-table.js';

export const PARQUET_MEDIA_TYPE = 'application/vnd.apache.parquet';

/**
 * Rows per row group: 128 Ki, about DuckDB's own row group (122,880 rows), which readers handle
 * well (parallel scans, statistics per group); encoded and compressed it is ~1–4 MB held while
 * the group fills.
 */
export const DEFAULT_ROW_GROUP_ROWS = 128 * 1024;

type ParquetWasm = typeof import('parquet-wasm');
type WasmRecordBatch = import('parquet-wasm').RecordBatch;
let parquetWasm: Promise<ParquetWasm> | undefined;

/**
 * parquet-wasm, loaded on first use: its ~5 MB WebAssembly module is compiled at import, which
 * should not slow down the start of a service that may never be asked for Parquet.
 */
function loadParquetWasm(): Promise<ParquetWasm> {
  parquetWasm ??= import('parquet-wasm');
  return parquetWasm;
}

export interface ParquetOptions {
  layout: LongTableLayout;
  /** Rows per record batch handed to the writer (default `DEFAULT_BATCH_ROWS`). */
  batchRows?: number;
  /** Most rows in a row group (default `DEFAULT_ROW_GROUP_ROWS`). */
  rowGroupRows?: number;
  /** Called with the real error when the stream fails part-way (not for a client that left). */
  onError?: (error: unknown) => void;
}

/** A JavaScript record batch as a WebAssembly one (through Arrow IPC). */
function toWasmBatch(wasm: ParquetWasm, schema: Schema, batch: RecordBatch): WasmRecordBatch {
  const table = wasm.Table.fromIPCStream(tableToIPC(new Table(schema, [batch]), 'stream'));
  try {
    const [first] = table.recordBatches();
    return first;
  } finally {
    table.free();
  }
}

/**
 * The Parquet file of the profiles' long table, as byte chunks (about one per row group, then
 * the footer). An empty result is a valid file with the schema and no rows.
 */
export async function* parquetChunks(profiles: AsyncIterable<TableProfile>, options: ParquetOptions): AsyncGenerator<Uint8Array> {
  const wasm = await loadParquetWasm();
  const schema = longTableSchema(options.layout);
  const batches = longTableBatches(profiles, { layout: options.layout, schema, batchRows: options.batchRows ?? DEFAULT_BATCH_ROWS });
  let failure: { error: unknown } | undefined;
  let stopped = false;
  let sentAny = false;
  const input = new ReadableStream({
    async pull(controller) {
      if (stopped) {
        controller.close();
        return;
      }
      try {
        const next = await batches.next();
        if (next.done) {
          // The writer takes its schema from the first batch: an empty result still sends one.
          if (!sentAny) controller.enqueue(toWasmBatch(wasm, schema, longTableBatch([], options.layout, schema)));
          controller.close();
          return;
        }
        sentAny = true;
        controller.enqueue(toWasmBatch(wasm, schema, next.value));
      } catch (error) {
        failure = { error };
        controller.close();
      }
    },
  });
  // Dictionary pages for the strings only: they repeat on every level. Measured values rarely
  // repeat, and trying dictionaries on them made the writer ~30 % slower and the file ~35 %
  // larger (1M rows of native profiles: 2.2 s / 23.8 MB against 1.6 s / 17.4 MB).
  let builder = new wasm.WriterPropertiesBuilder()
    .setCompression(wasm.Compression.ZSTD)
    .setDictionaryEnabled(false)
    .setMaxRowGroupSize(options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS)
    .setCreatedBy('argo-profiles-service');
  for (const column of STRING_COLUMNS) builder = builder.setColumnDictionaryEnabled(column, true);
  const properties = builder.build();
  const output = (await wasm.transformParquetStream(input, properties)) as ReadableStream<Uint8Array>;
  const reader = output.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      // Checked before every chunk: after a failure the writer goes on to the footer, which
      // must never leave.
      if (failure) throw failure.error;
      if (done) break;
      if (value && value.byteLength > 0) yield value;
    }
  } catch (error) {
    if (isAbortError(error)) return;
    options.onError?.(error);
    throw error;
  } finally {
    stopped = true;
    await reader.cancel().catch(() => undefined);
    await batches.return(undefined);
  }
}
