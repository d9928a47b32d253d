/**
 * `format=parquet` read by DuckDB (offline, from a temp file) agrees with today's CSV of the same
 * profiles row for row, and so does the Arrow body once DuckDB reads it (converted by arrow-rs:
 * DuckDB's own Arrow extension is not available offline). Row groups leave as profiles arrive,
 * in bounded memory; a failure leaves a body that is no Parquet file.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { arrowStreamChunks } from '../../src/serialize/arrow.js';
import { parquetChunks } from '../../src/serialize/parquet.js';
import { loadReference } from '../kit/reference.js';
import { skipWithoutShared } from '../kit/shared-sample.js';
import { type Shape, type TypedRow, assertRowsMatchCsv, collect, csvOf, edgeProfiles, layoutOf, queryOf, referenceProfiles, source } from './table-kit.js';

let dir: string;
let db: DuckDBInstance;
let connection: DuckDBConnection;
let files = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parquet-test-'));
  db = await DuckDBInstance.create(':memory:');
  connection = await db.connect();
});
after(async () => {
  connection.closeSync();
  db.closeSync();
  await rm(dir, { recursive: true, force: true });
});

async function fileOf(body: Uint8Array): Promise<string> {
  const path = join(dir, `body-${files++}.parquet`);
  await writeFile(path, body);
  return path;
}

/** DuckDB's rows of a Parquet file in file order, as plain values (time in ms). */
async function duckRows(path: string): Promise<TypedRow[]> {
  const reader = await connection.runAndReadAll(`SELECT * EXCLUDE (file_row_number) FROM read_parquet('${path}', file_row_number = true) ORDER BY file_row_number`);
  return reader.getRowObjects().map((row) => {
    const out: TypedRow = {};
    for (const [name, v] of Object.entries(row)) {
      if (v !== null && typeof v === 'object' && 'micros' in v) out[name] = Number((v as { micros: bigint }).micros / 1000n);
      else out[name] = typeof v === 'bigint' ? Number(v) : (v as string | number | null);
    }
    return out;
  });
}

async function duckTypes(path: string): Promise<string[]> {
  const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
  return reader.getRowObjects().map((r) => `${String(r.column_name)}:${String(r.column_type)}`);
}

async function rowGroups(path: string): Promise<number> {
  const reader = await connection.runAndReadAll(`SELECT count(DISTINCT row_group_id) AS n FROM parquet_metadata('${path}')`);
  return Number(reader.getRowObjects()[0].n);
}

const VARIABLES: Record<Shape, string[]> = { native: ['TEMP', 'PSAL'], depth: ['TEMP', 'PSAL', 'PRES'], pressure: ['PSAL', 'TEMP'] };

describe('Parquet file of the long table, read by DuckDB', () => {
  test('types as DuckDB sees them', async () => {
    const path = await fileOf(await collect(parquetChunks(source(edgeProfiles('native')).iterable, { layout: layoutOf('native', ['TEMP', 'PSAL']) })));
    assert.deepEqual(await duckTypes(path), [
      'id:VARCHAR',
      'platform_number:VARCHAR',
      'cycle_number:INTEGER',
      'direction:VARCHAR',
      'data_mode:VARCHAR',
      'time:TIMESTAMP WITH TIME ZONE',
      'latitude:DOUBLE',
      'longitude:DOUBLE',
      'depth:DOUBLE',
      'pressure:FLOAT',
      'TEMP:FLOAT',
      'PSAL:FLOAT',
    ]);
  });

  for (const shape of ['native', 'depth', 'pressure'] as const) {
    test(`${shape} levels: edge cases agree with the CSV row for row`, async () => {
      const profiles = edgeProfiles(shape);
      const layout = layoutOf(shape, ['TEMP', 'PSAL']);
      const path = await fileOf(await collect(parquetChunks(source(profiles).iterable, { layout, batchRows: 2, rowGroupRows: 3 })));
      assertRowsMatchCsv(await duckRows(path), csvOf(profiles, queryOf(shape, ['TEMP', 'PSAL'])), layout, `edge ${shape}`);
    });

    test(`${shape} levels: the reference profiles agree with the CSV, as Parquet and as Arrow`, async (t) => {
      const sample = skipWithoutShared(t);
      if (!sample) return;
      const profiles = referenceProfiles(loadReference(sample), shape);
      const layout = layoutOf(shape, VARIABLES[shape]);
      const csv = csvOf(profiles, queryOf(shape, VARIABLES[shape]));
      const path = await fileOf(await collect(parquetChunks(source(profiles).iterable, { layout, batchRows: 700, rowGroupRows: 2000 })));
      const cells = assertRowsMatchCsv(await duckRows(path), csv, layout, `parquet ${shape}`);
      assert.ok(cells > 10_000, `compared ${cells} cells`);
      if (shape === 'native') assert.ok((await rowGroups(path)) > 1, 'several row groups');
      // The Arrow body of the same profiles, through arrow-rs into a Parquet file DuckDB reads.
      const arrow = await collect(arrowStreamChunks(source(profiles).iterable, { layout, batchRows: 700 }));
      const wasm = await import('parquet-wasm');
      const viaArrow = await fileOf(wasm.writeParquet(wasm.Table.fromIPCStream(arrow)));
      assertRowsMatchCsv(await duckRows(viaArrow), csv, layout, `arrow ${shape}`);
    });
  }

  test('an empty result is a valid file with the schema and no rows', async () => {
    const path = await fileOf(await collect(parquetChunks(source([]).iterable, { layout: layoutOf('depth', ['TEMP']) })));
    assert.deepEqual(await duckRows(path), []);
    assert.equal((await duckTypes(path)).length, 10);
  });

  test('chunks leave as the profiles arrive, the writer waits for a slow reader, stopping early stops the source', async () => {
    const profiles = Array.from({ length: 2000 }, (_, i) => ({ ...edgeProfiles('depth')[1], cycle_number: i }));
    const { iterable, state } = source(profiles);
    const chunks = parquetChunks(iterable, { layout: layoutOf('depth', ['TEMP']), batchRows: 30, rowGroupRows: 60 });
    const first = await chunks.next();
    assert.ok(!first.done && first.value.byteLength > 0, 'a first chunk');
    // The writer's output passes an ~8 KB buffer: the first chunk leaves after a few row groups.
    assert.ok(state.pulled < 500, `the first chunk left after ${state.pulled} of 2000 profiles`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(state.pulled < 1000, `a reader that does not read holds the writer back (pulled ${state.pulled})`);
    await chunks.return(undefined);
    assert.equal(state.returned, true, 'the source was returned (the query stops its reads)');
  });

  test('memory is bounded by the row group, not the result', async () => {
    const wasm = await import('parquet-wasm');
    const profile = (i: number) => {
      const levels = Array.from({ length: 200 }, (_, k) => k * 5 + (i % 7) / 8);
      return { ...edgeProfiles('depth')[1], id: `m/${i}`, cycle_number: i, depth: levels, TEMP: levels.map((v) => v / 100) };
    };
    const run = async (n: number) => {
      let bytes = 0;
      const profiles = (async function* () {
        for (let i = 0; i < n; i++) yield profile(i);
      })();
      for await (const chunk of parquetChunks(profiles, { layout: layoutOf('depth', ['TEMP']), rowGroupRows: 16_384 })) bytes += chunk.byteLength;
      return bytes;
    };
    await run(400);
    const before = wasm.wasmMemory().buffer.byteLength;
    const bytes = await run(2000);
    const grown = wasm.wasmMemory().buffer.byteLength - before;
    assert.ok(bytes > 200_000, `wrote ${bytes} bytes`);
    assert.ok(grown <= 1 << 20, `WebAssembly memory grew by ${grown} bytes writing 5× the rows`);
  });

  test('a failure mid-stream: the error is rethrown and the body has no footer', async () => {
    const profiles = Array.from({ length: 2000 }, (_, i) => ({ ...edgeProfiles('depth')[1], cycle_number: i }));
    const { iterable } = source(profiles, { failAfter: 1500 });
    const parts: Uint8Array[] = [];
    const reported: unknown[] = [];
    await assert.rejects(async () => {
      for await (const chunk of parquetChunks(iterable, { layout: layoutOf('depth', ['TEMP']), batchRows: 10, rowGroupRows: 20, onError: (e) => reported.push(e) })) {
        parts.push(chunk);
      }
    }, /upstream failed/);
    assert.equal(reported.length, 1);
    assert.ok(parts.length > 0, 'row groups before the failure left');
    const path = await fileOf(Buffer.concat(parts));
    await assert.rejects(() => duckRows(path), /parquet|magic|footer|too small/i);
  });
});
