/**
 * `format=arrow`: the IPC stream read back by two independent readers, apache-arrow's own and
 * arrow-rs (through parquet-wasm, whose IPC reader is Rust's), agrees with today's CSV of the
 * same profiles row for row; batches leave as profiles arrive; a failure leaves an unreadable
 * stream, never a short readable one.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tableFromIPC, type Table } from 'apache-arrow';
import { ARROW_TRUNCATION, arrowStreamChunks } from '../../src/serialize/arrow.js';
import { longTableSchema } from '../../src/serialize/long-table.js';
import { csvColumnsOf } from '../../src/serialize/serialize.js';
import { loadReference } from '../kit/reference.js';
import { skipWithoutShared } from '../kit/shared-sample.js';
import { type Shape, type TypedRow, assertRowsMatchCsv, collect, csvOf, edgeProfiles, layoutOf, queryOf, referenceProfiles, source } from './table-kit.js';

/** Rows of an apache-arrow table as plain values (time as ms, float32 as the float32's double). */
function rowsOf(table: Table): TypedRow[] {
  const columns = table.schema.fields.map((f) => ({ name: f.name, vector: table.getChild(f.name)! }));
  const rows: TypedRow[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const row: TypedRow = {};
    for (const { name, vector } of columns) {
      const v = vector.get(i) as unknown;
      row[name] = typeof v === 'bigint' ? Number(v) : (v as string | number | null);
    }
    rows.push(row);
  }
  return rows;
}

const VARIABLES: Record<Shape, string[]> = { native: ['TEMP', 'PSAL'], depth: ['TEMP', 'PSAL', 'PRES'], pressure: ['PSAL', 'TEMP'] };

describe('Arrow IPC stream of the long table', () => {
  test('types: dictionary strings, int32 cycle, UTC ms timestamps, float32 for file values', async () => {
    const body = await collect(arrowStreamChunks(source(edgeProfiles('native')).iterable, { layout: layoutOf('native', ['TEMP', 'PSAL']) }));
    const table = tableFromIPC(body);
    assert.deepEqual(
      table.schema.fields.map((f) => `${f.name}:${f.type}`),
      [
        'id:Dictionary<Int32, Utf8>',
        'platform_number:Dictionary<Int32, Utf8>',
        'cycle_number:Int32',
        'direction:Dictionary<Int32, Utf8>',
        'data_mode:Dictionary<Int32, Utf8>',
        'time:Timestamp<MILLISECOND, UTC>',
        'latitude:Float64',
        'longitude:Float64',
        'depth:Float64',
        'pressure:Float32',
        'TEMP:Float32',
        'PSAL:Float32',
      ],
    );
    const interpolated = tableFromIPC(await collect(arrowStreamChunks(source(edgeProfiles('depth')).iterable, { layout: layoutOf('depth', ['TEMP']) })));
    assert.deepEqual(interpolated.schema.fields.slice(8).map((f) => `${f.name}:${f.type}`), ['depth:Float64', 'TEMP:Float64']);
  });

  test('the columns are the CSV header, in its order, for every level shape', () => {
    for (const shape of ['native', 'depth', 'pressure'] as const) {
      const variables = VARIABLES[shape];
      assert.deepEqual(longTableSchema(layoutOf(shape, variables)).fields.map((f) => f.name), csvColumnsOf(queryOf(shape, variables)), shape);
    }
  });

  for (const shape of ['native', 'depth', 'pressure'] as const) {
    test(`${shape} levels: edge cases agree with the CSV row for row, small batches`, async () => {
      const profiles = edgeProfiles(shape);
      const variables = shape === 'native' ? ['TEMP', 'PSAL'] : ['TEMP', 'PSAL'];
      const layout = layoutOf(shape, variables);
      const body = await collect(arrowStreamChunks(source(profiles).iterable, { layout, batchRows: 2 }));
      assertRowsMatchCsv(rowsOf(tableFromIPC(body)), csvOf(profiles, queryOf(shape, variables)), layout, `edge ${shape}`);
    });

    test(`${shape} levels: the reference profiles agree with the CSV, read by apache-arrow and by arrow-rs`, async (t) => {
      const dir = skipWithoutShared(t);
      if (!dir) return;
      const profiles = referenceProfiles(loadReference(dir), shape);
      const layout = layoutOf(shape, VARIABLES[shape]);
      const csv = csvOf(profiles, queryOf(shape, VARIABLES[shape]));
      const body = await collect(arrowStreamChunks(source(profiles).iterable, { layout, batchRows: 500 }));
      const table = tableFromIPC(body);
      assert.ok(table.batches.length > 1, `${table.batches.length} batches: several expected`);
      const cells = assertRowsMatchCsv(rowsOf(table), csv, layout, `reference ${shape}`);
      assert.ok(cells > 10_000, `compared ${cells} cells`);
      // arrow-rs reads the same stream (replacement dictionaries included) and re-exports it.
      const wasm = await import('parquet-wasm');
      const viaRust = tableFromIPC(wasm.Table.fromIPCStream(body).intoIPCStream());
      assertRowsMatchCsv(rowsOf(viaRust), csv, layout, `reference ${shape} via arrow-rs`);
    });
  }

  test('an empty result is a valid stream: the schema and no rows', async () => {
    const table = tableFromIPC(await collect(arrowStreamChunks(source([]).iterable, { layout: layoutOf('depth', ['TEMP']) })));
    assert.equal(table.numRows, 0);
    assert.equal(table.schema.fields.length, 10);
  });

  test('batches leave as the profiles arrive, and stopping early stops the source', async () => {
    const profiles = Array.from({ length: 100 }, (_, i) => ({ ...edgeProfiles('depth')[1], cycle_number: i }));
    const { iterable, state } = source(profiles);
    const chunks = arrowStreamChunks(iterable, { layout: layoutOf('depth', ['TEMP']), batchRows: 30 });
    const schema = await chunks.next();
    assert.equal(state.pulled, 0, 'the schema leaves before any profile is read');
    assert.ok(!schema.done && schema.value.byteLength > 0, 'schema bytes');
    await chunks.next();
    assert.equal(state.pulled, 10, 'the first batch (10 profiles × 3 rows) leaves as soon as it is full');
    await chunks.return(undefined);
    assert.equal(state.returned, true, 'the source was returned (the query stops its reads)');
    assert.ok(state.pulled < 20, `pulled ${state.pulled}`);
  });

  test('a failure mid-stream: the error is rethrown and the stream is left unreadable', async () => {
    const profiles = edgeProfiles('depth');
    const { iterable } = source([...profiles, ...profiles], { failAfter: 5 });
    const parts: Uint8Array[] = [];
    const reported: unknown[] = [];
    await assert.rejects(async () => {
      for await (const chunk of arrowStreamChunks(iterable, { layout: layoutOf('depth', ['TEMP']), batchRows: 2, onError: (e) => reported.push(e) })) parts.push(chunk);
    }, /upstream failed/);
    assert.equal(reported.length, 1);
    assert.deepEqual(parts[parts.length - 1], ARROW_TRUNCATION);
    // arrow-rs (like Arrow C++/pyarrow) refuses the stream; without the truncated header it would
    // take the batches so far as a complete result. (apache-arrow's JS reader takes whatever
    // complete batches it finds, with or without it: there the HTTP abort is the signal.)
    const wasm = await import('parquet-wasm');
    assert.throws(() => wasm.Table.fromIPCStream(Buffer.concat(parts)), /failed to fill whole buffer/);
    assert.equal(wasm.Table.fromIPCStream(Buffer.concat(parts.slice(0, -1))).numBatches, 2, 'the same stream cut cleanly reads as complete');
  });
});
