/**
 * An independent reader: DuckDB opens a pack file as it is, sees ZSTD and the documented types,
 * and agrees with the arrays packed, row for row; the queries docs/data-packs.md shows run as
 * written (here on a pack of the shared sample when present, else on generated profiles).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { LEVEL_VARIABLES } from '../../src/argo/types.js';
import { writePack, type PackProfile } from '../../src/pack/index.js';
import { compareProfiles } from '../../src/month-index/codec.js';
import { sharedSampleDir } from '../kit/shared-sample.js';
import { generatedProfiles, sampleProfilesByMonth } from './helpers.js';

async function duck(t: TestContext): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  t.after(() => {
    connection.closeSync();
    instance.closeSync();
  });
  return connection;
}

async function packFile(t: TestContext, profiles: PackProfile[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pack-duckdb-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'pack.parquet');
  await writeFile(file, (await writePack({ profiles })).bytes);
  return file;
}

async function rows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

/**
 * Packs to check: every core profile of the shared sample in one pack (real files, decades
 * apart: one row group each), when the sample is there; and generated profiles over four days.
 */
function packsForTest(): { name: string; profiles: PackProfile[] }[] {
  const out = [{ name: 'generated', profiles: generatedProfiles({ count: 120, days: 4 }) }];
  const dir = sharedSampleDir();
  if (dir) out.unshift({ name: 'sample', profiles: [...sampleProfilesByMonth(dir).values()].flat().sort(compareProfiles) });
  return out;
}

for (const { name, profiles } of packsForTest()) {
  test(`DuckDB reads a pack as it is and agrees with every packed array (${name})`, async (t) => {
    const file = await packFile(t, profiles);
    const db = await duck(t);

    const codecs = await rows(db, `SELECT DISTINCT compression FROM parquet_metadata('${file}')`);
    assert.deepEqual(codecs.map((r) => r.compression), ['ZSTD']);
    const encodings = await rows(db, `SELECT path_in_schema, encodings FROM parquet_metadata('${file}') WHERE path_in_schema = 'TEMP, list, element' LIMIT 1`);
    assert.match(String(encodings[0]?.encodings), /BYTE_STREAM_SPLIT/);
    const types = Object.fromEntries((await rows(db, `DESCRIBE SELECT * FROM '${file}'`)).map((r) => [r.column_name, r.column_type]));
    assert.equal(types.time, 'TIMESTAMP WITH TIME ZONE');
    assert.equal(types.TEMP, 'FLOAT[]');
    assert.equal(types.TEMP_QC, 'VARCHAR');
    assert.equal(types.latitude, 'DOUBLE');

    const got = await rows(db, `SELECT *, epoch_ms(time) AS time_ms FROM '${file}'`);
    assert.equal(got.length, profiles.length);
    let values = 0;
    got.forEach((row, i) => {
      const p = profiles[i];
      const what = `${p.id} (row ${i})`;
      assert.equal(row.id, p.id, `${what}: row order`);
      assert.equal(Number(row.time_ms), p.timeMs, `${what}: time`);
      assert.equal(row.platform_number, p.platform);
      assert.equal(row.cycle_number, p.cycle);
      assert.equal(row.direction, p.direction);
      assert.equal(row.data_mode, p.dataMode);
      assert.equal(row.latitude, p.latitude);
      assert.equal(row.longitude, p.longitude);
      assert.equal(row.position_qc, p.positionQc);
      assert.equal(row.juld_qc, p.juldQc);
      assert.equal(row.date_update, p.dateUpdate);
      assert.equal(Number(row.file_size), p.size);
      assert.equal(row.n_levels, p.levels.nLevels);
      for (const name of LEVEL_VARIABLES) {
        const expected = p.levels[name];
        const actual = row[name];
        if (expected === null || expected === undefined) {
          assert.equal(actual, null, `${what} ${name}: absent`);
        } else if (typeof expected === 'string') {
          assert.equal(actual, expected, `${what} ${name}`);
        } else {
          const want = Array.from(expected as ArrayLike<number>, (v) => (Number.isNaN(v) ? null : Math.fround(v)));
          assert.deepEqual(actual, want, `${what} ${name}`);
          values += want.length;
        }
      }
    });
    t.diagnostic(`${got.length} rows, ${values} level values compared with DuckDB`);
  });
}

test("the docs' DuckDB queries run: one row per level, and a day's profiles by time", async (t) => {
  const { profiles } = packsForTest()[0];
  const file = await packFile(t, profiles);
  const db = await duck(t);
  // docs/data-packs.md, "DuckDB": the long table (one row per profile and level).
  const long = await rows(
    db,
    `SELECT id, time, latitude, longitude, data_mode,
            unnest(PRES) AS pres, unnest(TEMP) AS temp, unnest(PSAL) AS psal,
            unnest(string_split(TEMP_QC, '')) AS temp_qc
       FROM read_parquet('${file}')`,
  );
  const levels = profiles.reduce((n, p) => n + p.levels.nLevels, 0);
  assert.equal(long.length, levels);
  const first = profiles[0];
  const firstTemp = first.levels.TEMP as ArrayLike<number>;
  assert.equal(long[0].id, first.id);
  assert.equal(long[0].temp, Number.isNaN(firstTemp[0]) ? null : Math.fround(firstTemp[0]));
  assert.equal(long[0].temp_qc, (first.levels.TEMP_QC as string)[0]);
  // docs/data-packs.md: one day, pruned by the row groups' time statistics.
  const day = new Date(profiles[0].timeMs).toISOString().slice(0, 10);
  const next = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
  const daily = await rows(db, `SELECT id FROM read_parquet('${file}') WHERE time >= TIMESTAMPTZ '${day} 00:00:00+00' AND time < TIMESTAMPTZ '${next} 00:00:00+00'`);
  assert.deepEqual(
    daily.map((r) => r.id),
    profiles.filter((p) => p.timeMs >= Date.parse(day) && p.timeMs < Date.parse(next)).map((p) => p.id),
  );
});
