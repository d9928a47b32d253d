/**
 * `format=geojson|arrow|parquet` end to end through the route over the demo GDAC, chosen by the
 * parameter or by Accept: DuckDB reads the Parquet body and apache-arrow the Arrow body, and both
 * agree with the `csv` body of the same query row for row; the GeoJSON body validates as RFC 7946
 * (@placemarkio/check-geojson) and carries the profiles of `json` and the next link.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { check } from '@placemarkio/check-geojson';
import { tableFromIPC, type Table } from 'apache-arrow';
import { longTableLayoutOf, type LongTableLayout } from '../../src/serialize/long-table.js';
import { build } from '../helpers/build.js';
import { startDemoWorld, type DemoWorld } from '../kit/demo-world.js';
import { assertRowsMatchCsv, parseCsv, type TypedRow } from '../serialize/table-kit.js';

let world: DemoWorld;
let dir = '';
let db: DuckDBInstance;
let connection: DuckDBConnection;
before(async () => {
  world = await startDemoWorld({ months: ['2024-01', '2024-02'], profilesPerMonth: 60 });
  dir = await mkdtemp(join(tmpdir(), 'route-formats-'));
  db = await DuckDBInstance.create(':memory:');
  connection = await db.connect();
});
after(async () => {
  connection?.closeSync();
  db?.closeSync();
  await rm(dir, { recursive: true, force: true });
  await world?.stop();
});

const BASE = { start: '2024-01-01', end: '2024-03-01', max_profiles: '70' };
const SHAPES: [string, Record<string, string>, LongTableLayout][] = [
  ['native', { variables: 'TEMP,PSAL,PRES' }, longTableLayoutOf({ native: true, vertical: 'depth', variables: ['TEMP', 'PSAL', 'PRES'] })],
  ['depth', { depth: '0,10,50,200,1000' }, longTableLayoutOf({ native: false, vertical: 'depth', variables: ['TEMP', 'PSAL'] })],
  ['pressure', { depth: '5,100', vertical: 'pressure', variables: 'PSAL' }, longTableLayoutOf({ native: false, vertical: 'pressure', variables: ['PSAL'] })],
];

function csvOfBody(text: string): { header: string[]; rows: string[][] } {
  const [header, ...rows] = parseCsv(text);
  return { header, rows };
}

function arrowRows(table: Table): TypedRow[] {
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

let files = 0;
async function duckRows(body: Buffer): Promise<TypedRow[]> {
  const path = join(dir, `body-${files++}.parquet`);
  await writeFile(path, body);
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

describe('parquet and arrow agree with csv row for row', () => {
  for (const [name, extra, layout] of SHAPES) {
    test(name, async (t) => {
      const app = await build(t, { env: world.env });
      const get = (format: string, headers: Record<string, string> = {}) =>
        app.inject({ method: 'GET', url: '/v1/profiles', query: { ...BASE, ...extra, ...(format ? { format } : {}) }, headers });
      const csv = csvOfBody((await get('csv')).body);
      assert.ok(csv.rows.length > 100, `${csv.rows.length} rows`);

      const parquet = await get('parquet');
      assert.equal(parquet.statusCode, 200);
      assert.equal(parquet.headers['content-type'], 'application/vnd.apache.parquet');
      assert.equal(parquet.headers['x-argo-truncated'], 'true');
      assert.match(String(parquet.headers.link), /cursor=/);
      assertRowsMatchCsv(await duckRows(parquet.rawPayload), csv, layout, `parquet ${name}`);

      const arrow = await get('', { accept: 'application/vnd.apache.arrow.stream' });
      assert.equal(arrow.statusCode, 200);
      assert.equal(arrow.headers['content-type'], 'application/vnd.apache.arrow.stream');
      assertRowsMatchCsv(arrowRows(tableFromIPC(arrow.rawPayload)), csv, layout, `arrow ${name}`);
    });
  }

  test('Accept selects parquet; the parameter wins over Accept', async (t) => {
    const app = await build(t, { env: world.env });
    const byAccept = await app.inject({ method: 'GET', url: '/v1/profiles', query: { ...BASE, fields: 'positions' }, headers: { accept: 'application/vnd.apache.parquet' } });
    assert.equal(byAccept.headers['content-type'], 'application/vnd.apache.parquet');
    assert.equal(byAccept.rawPayload.subarray(0, 4).toString(), 'PAR1');
    const rows = await duckRows(byAccept.rawPayload);
    assert.equal(rows.length, 70);
    const both = await app.inject({ method: 'GET', url: '/v1/profiles', query: { ...BASE, format: 'csv' }, headers: { accept: 'application/vnd.apache.parquet' } });
    assert.match(String(both.headers['content-type']), /^text\/csv/);
  });
});

describe('geojson', () => {
  test('validates as RFC 7946, one Point per profile with the json profiles as properties, next member', async (t) => {
    const app = await build(t, { env: world.env });
    const query = { ...BASE, depth: '0,10,100' };
    const json = JSON.parse((await app.inject({ method: 'GET', url: '/v1/profiles', query: { ...query, format: 'json' } })).body);
    const res = await app.inject({ method: 'GET', url: '/v1/profiles', query, headers: { accept: 'application/geo+json' } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/geo+json; charset=utf-8');
    check(res.body); // throws on anything RFC 7946 forbids
    const doc = JSON.parse(res.body);
    assert.equal(doc.type, 'FeatureCollection');
    assert.equal(doc.features.length, 70);
    assert.deepEqual(doc.features.map((f: { properties: unknown }) => f.properties), json.profiles);
    for (const f of doc.features) {
      assert.deepEqual(f.geometry, { type: 'Point', coordinates: [f.properties.longitude, f.properties.latitude] });
      assert.equal(f.id, f.properties.id);
    }
    assert.equal(doc.matched, json.matched);
    assert.equal(doc.truncated, true);
    const link = /^<([^>]+)>; rel="next"$/.exec(String(res.headers.link))![1];
    assert.equal(doc.next, link);
  });
});
