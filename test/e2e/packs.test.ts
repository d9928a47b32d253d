/**
 * Data packs end to end (issue 12): the shared sample served by the test GDAC mirror, built by the
 * real builder (which writes a pack per month), then the mirror stopped. Every query over the
 * packed months answers exactly what it answered from GDAC ranges before, and agrees with
 * reference.json in every mode on depth, pressure and native levels.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test, type TestContext } from 'node:test';
import type { QcMode } from '../../src/argo/types.js';
import { DuckDBInstance } from '@duckdb/node-api';
import { createLogger } from '../../src/logger.js';
import { readMaster } from '../../src/month-index/master.js';
import type { OutputProfile } from '../../src/query/types.js';
import { createServices } from '../../src/services.js';
import { createBlobStore } from '../../src/storage/index.js';
import { build } from '../helpers/build.js';
import { testConfig } from '../helpers/config.js';
import { startGdacMirror, type GdacMirror } from '../kit/gdac-mirror.js';
import { compareProfile, includedIds, loadReference, referenceMonths, type LevelKind, type Reference } from '../kit/reference.js';
import { skipWithoutShared } from '../kit/shared-sample.js';

const WHOLE_SAMPLE = { start: '1997-01-01', end: '2024-01-01' };
const MODES: QcMode[] = ['standard', 'research', 'expert'];
const KINDS: LevelKind[] = ['depth', 'pressure', 'native'];
const VARIABLES = ['TEMP', 'PSAL', 'PRES'];

interface World {
  mirror: GdacMirror;
  storeDir: string;
  reference: Reference;
  months: string[];
  env: Record<string, string>;
  /** Bodies answered from GDAC ranges while the mirror ran, by `mode kind`. */
  before: Map<string, string>;
}

let world: Promise<World> | undefined;
let cleanup: (() => Promise<void>) | undefined;
after(async () => cleanup?.());

function queryOf(w: { reference: Reference }, mode: QcMode, kind: LevelKind): Record<string, string> {
  const query: Record<string, string> = {
    ...WHOLE_SAMPLE,
    mode,
    variables: VARIABLES.join(','),
    vertical: kind === 'pressure' ? 'pressure' : 'depth',
    max_profiles: '1000',
  };
  if (kind !== 'native') query.depth = w.reference.levels.join(',');
  return query;
}

/** Built with packs, every answer recorded from GDAC ranges, then the mirror stopped. */
function setup(t: TestContext): Promise<World> | undefined {
  const dir = skipWithoutShared(t);
  if (!dir) return undefined;
  world ??= (async () => {
    const reference = await loadReference(dir);
    const mirror = await startGdacMirror({ root: dir });
    const storeDir = await mkdtemp(join(tmpdir(), 'argo-packs-store-'));
    cleanup = async () => {
      await mirror.stop();
      await rm(storeDir, { recursive: true, force: true });
    };
    const env = {
      ARGO_GDAC: mirror.url,
      ARGO_INDEX_STORE: storeDir,
      ARGO_MAX_WINDOW_DAYS: '36600',
      ARGO_MAX_FETCH_RETRIES: '0',
      ARGO_RETRY_BACKOFF_SECONDS: '0',
      ARGO_QUERY_CONCURRENCY: '4',
    };
    const months = referenceMonths(reference);
    const config = testConfig(env);
    const services = createServices({ config, logger: createLogger(config) });
    try {
      const job = await services.builds.wait(services.builds.submit({ months }).id);
      assert.equal(job.status, 'succeeded', JSON.stringify(job));
    } finally {
      await services.close();
    }
    const w = { mirror, storeDir, reference, months, env, before: new Map<string, string>() };
    const app = await build(t, { env: { ...env, ARGO_QUERY_SOURCE: 'gdac' } });
    for (const mode of MODES) {
      for (const kind of KINDS) {
        const res = await app.inject({ method: 'GET', url: '/v1/profiles', query: queryOf(w, mode, kind) });
        assert.equal(res.statusCode, 200, res.body);
        w.before.set(`${mode} ${kind}`, res.body);
      }
    }
    await app.close();
    await mirror.stop();
    mirror.resetStats();
    return w;
  })();
  return world;
}

function parseNdjson(body: string): OutputProfile[] {
  return body
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as OutputProfile);
}

describe('data packs: the GDAC unreachable after the build', () => {
  test('the master names a pack for every built month, and the store holds it', async (t) => {
    const w = await setup(t);
    if (!w) return;
    const store = createBlobStore({ location: w.storeDir });
    const { master } = await readMaster(store);
    for (const month of w.months) {
      const pack = master.months[month]?.pack;
      assert.ok(pack, `${month} has a pack`);
      assert.equal(pack.rows, master.months[month].profiles, `${month}: a row per profile`);
      assert.match(pack.key, new RegExp(`^packs/${month.slice(0, 4)}/${month}\\.\\d{8}T\\d{9}Z-[0-9a-f]+\\.parquet$`));
      assert.equal((await store.head(pack.key))?.size, pack.bytes);
    }
    // Discovery: /v1/months and /v1/months/{month} name each month's pack.
    const app = await build(t, { env: w.env });
    const listed = (await app.inject({ method: 'GET', url: '/v1/months' })).json() as { month: string; pack?: { key: string; bytes: number; rows: number } }[];
    for (const month of w.months) {
      const pack = master.months[month].pack!;
      const expected = { key: pack.key, bytes: pack.bytes, rows: pack.rows };
      assert.deepEqual(listed.find((m) => m.month === month)?.pack, expected, `/v1/months ${month}`);
      const detail = (await app.inject({ method: 'GET', url: `/v1/months/${month}` })).json() as { pack?: unknown };
      assert.deepEqual(detail.pack, expected, `/v1/months/${month}`);
    }
  });

  test("DuckDB reads a month's pack as it is and agrees with the service's CSV for that month", async (t) => {
    const w = await setup(t);
    if (!w) return;
    const { master } = await readMaster(createBlobStore({ location: w.storeDir }));
    // The month with the most profiles.
    const month = w.months.reduce((a, b) => (master.months[b].profiles > master.months[a].profiles ? b : a));
    const file = join(w.storeDir, ...master.months[month].pack!.key.split('/'));
    const app = await build(t, { env: w.env });
    const start = `${month}-01T00:00:00Z`;
    const end = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 1)).toISOString();
    const res = await app.inject({
      method: 'GET',
      url: '/v1/profiles',
      query: { start, end, mode: 'expert', vertical: 'pressure', variables: 'TEMP,PSAL', format: 'csv', max_profiles: '10000' },
    });
    assert.equal(res.statusCode, 200, res.body);
    const lines = res.body.split('\n').filter((l) => l.length > 0 && !l.startsWith('#'));
    const header = lines[0].split(',');
    const col = (name: string) => header.indexOf(name);
    const num = (cell: string) => (cell === '' ? null : Number(cell));
    // A profile with no usable level is one row with empty level cells: not a level.
    const service = lines
      .slice(1)
      .map((l) => l.split(','))
      .filter((c) => c[col('pressure')] !== '')
      .map((c) => [c[col('id')], num(c[col('pressure')]), num(c[col('TEMP')]), num(c[col('PSAL')])] as const);

    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    t.after(() => {
      db.closeSync();
      instance.closeSync();
    });
    // Expert mode on native levels (SEMANTICS.md): the raw values of the levels whose pressure is
    // not missing, in file order, profiles in pack order.
    const reader = await db.runAndReadAll(`
      SELECT id, p, t, s FROM (
        SELECT file_row_number AS r, id, unnest(PRES) AS p, unnest(TEMP) AS t, unnest(PSAL) AS s,
               generate_subscripts(PRES, 1) AS i
        FROM read_parquet('${file.replace(/'/g, "''")}', file_row_number = true))
      WHERE p IS NOT NULL ORDER BY r, i`);
    const duck = reader.getRowsJS() as [string, number | null, number | null, number | null][];
    assert.ok(duck.length > 100, `${month}: ${duck.length} levels`);
    assert.equal(service.length, duck.length, `${month}: as many levels`);
    const close = (a: number | null, b: number | null) => (a === null || b === null ? a === b : Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b)));
    for (let i = 0; i < duck.length; i++) {
      const [id, p, temp, psal] = service[i];
      const d = duck[i];
      assert.equal(id, d[0], `level ${i}: id`);
      assert.ok(close(p, d[1]) && close(temp, d[2]) && close(psal, d[3]), `level ${i} of ${id}: service ${[p, temp, psal]} vs DuckDB ${d.slice(1)}`);
    }
  });

  for (const source of ['auto', 'pack'] as const) {
    test(`ARGO_QUERY_SOURCE=${source}: every mode on depth, pressure and native levels, as before and as the reference`, async (t) => {
      const w = await setup(t);
      if (!w) return;
      const app = await build(t, { env: { ...w.env, ARGO_QUERY_SOURCE: source } });
      for (const mode of MODES) {
        const expectedIds = includedIds(w.reference, mode);
        for (const kind of KINDS) {
          const res: { statusCode: number; body: string } = await app.inject({ method: 'GET', url: '/v1/profiles', query: queryOf(w, mode, kind) });
          assert.equal(res.statusCode, 200, res.body);
          assert.equal(res.body, w.before.get(`${mode} ${kind}`), `${mode} ${kind}: the same body as from the GDAC`);
          const profiles = parseNdjson(res.body);
          assert.deepEqual(profiles.map((p) => p.id), expectedIds, `${mode} ${kind}: ids`);
          let values = 0;
          for (const p of profiles) values += compareProfile(w.reference, p, mode, kind, VARIABLES);
          assert.ok(values > 0);
        }
      }
      assert.equal(w.mirror.stats.requests, 0, 'nothing reached the (stopped) mirror');
    });
  }

  test('ARGO_QUERY_SOURCE=gdac still reads the GDAC: with the mirror stopped it fails', async (t) => {
    const w = await setup(t);
    if (!w) return;
    const app = await build(t, { env: { ...w.env, ARGO_QUERY_SOURCE: 'gdac', ARGO_PROFILE_CACHE_MB: '0' } });
    const res = await app.inject({ method: 'GET', url: '/v1/profiles', query: queryOf(w, 'standard', 'native') });
    assert.notEqual(res.body, w.before.get('standard native'));
  });
});
