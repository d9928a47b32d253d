/**
 * End to end over HTTP: the shared sample served by the test GDAC mirror, month indexes built by
 * the real builder into a temporary store, then `GET /v1/profiles` through the app, compared with
 * reference.json in every mode, on depth, pressure and native levels, in all three formats.
 * Also: ordering, the cap and its headers, bbox across the antimeridian, platforms, missing months,
 * the error line on an upstream failure after the headers, cancellation on disconnect, the cache.
 *
 * The sample spans 1997–2023, so ARGO_MAX_WINDOW_DAYS is raised to query it in one window.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test, type TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { QcMode } from '../../src/argo/types.js';
import { testConfig } from '../helpers/config.js';
import { createLogger } from '../../src/logger.js';
import type { OutputProfile } from '../../src/query/types.js';
import { createServices } from '../../src/services.js';
import { build } from '../helpers/build.js';
import { startGdacMirror, type GdacMirror } from '../kit/gdac-mirror.js';
import { skipWithoutShared } from '../kit/shared-sample.js';
import { compareProfile, includedIds, loadReference, referenceMonths, type LevelKind, type Reference } from '../kit/reference.js';

const WHOLE_SAMPLE = { start: '1997-01-01', end: '2024-01-01' };

interface World {
  mirror: GdacMirror;
  storeDir: string;
  reference: Reference;
  months: string[];
  env: Record<string, string>;
}

let world: Promise<World> | undefined;
let cleanup: (() => Promise<void>) | undefined;
after(async () => cleanup?.());

/** The mirror and the built index, once for the whole file. */
function setup(t: TestContext): Promise<World> | undefined {
  const dir = skipWithoutShared(t);
  if (!dir) return undefined;
  world ??= (async () => {
    const reference = await loadReference(dir);
    const mirror = await startGdacMirror({ root: dir });
    const storeDir = await mkdtemp(join(tmpdir(), 'argo-e2e-store-'));
    cleanup = async () => {
      await mirror.stop();
      await rm(storeDir, { recursive: true, force: true });
    };
    const env = {
      ARGO_GDAC: mirror.url,
      ARGO_INDEX_STORE: storeDir,
      ARGO_MAX_WINDOW_DAYS: '36600',
      // Faults are injected on purpose: fail at once instead of retrying them.
      ARGO_MAX_FETCH_RETRIES: '0',
      ARGO_RETRY_BACKOFF_SECONDS: '0',
      ARGO_QUERY_CONCURRENCY: '4',
      // The GDAC range path, with its faults injected below; the same reference checks over
      // data packs, GDAC stopped, are test/e2e/packs.test.ts.
      ARGO_QUERY_SOURCE: 'gdac',
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
    mirror.resetStats();
    return { mirror, storeDir, reference, months, env };
  })();
  return world;
}

async function appFor(t: TestContext, w: World, env: Record<string, string> = {}): Promise<FastifyInstance> {
  return build(t, { env: { ...w.env, ...env } });
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

async function get(app: FastifyInstance, query: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await app.inject({ method: 'GET', url: '/v1/profiles', query, headers });
  return { status: res.statusCode, headers: res.headers, body: res.body };
}

function parseNdjson(body: string): OutputProfile[] {
  return body
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as OutputProfile);
}

/** CSV rows back into profiles (empty cell → null). */
function parseCsv(body: string, variables: string[]): OutputProfile[] {
  const lines = body.split('\n').filter((l) => l.length > 0);
  const header = lines[0].split(',');
  const col = (name: string) => header.indexOf(name);
  const num = (cell: string) => (cell === '' ? null : Number(cell));
  const byId = new Map<string, OutputProfile>();
  for (const line of lines.slice(1)) {
    assert.ok(!line.startsWith('#'), `unexpected ${line}`);
    const cells = line.split(',');
    const id = cells[col('id')];
    let p = byId.get(id);
    if (!p) {
      p = {
        id,
        platform_number: cells[col('platform_number')],
        cycle_number: Number(cells[col('cycle_number')]),
        direction: cells[col('direction')],
        data_mode: cells[col('data_mode')],
        time: cells[col('time')],
        latitude: Number(cells[col('latitude')]),
        longitude: Number(cells[col('longitude')]),
      };
      for (const c of ['depth', 'pressure', ...variables]) if (col(c) >= 0) (p as unknown as Record<string, unknown[]>)[c] = [];
      byId.set(id, p);
    }
    // A profile with no level at all is one row with empty level cells.
    const levelCell = col('depth') >= 0 ? cells[col('depth')] : cells[col('pressure')];
    const lone = levelCell === '' && header.includes('pressure') && header.includes('depth');
    if (lone) continue;
    for (const c of ['depth', 'pressure', ...variables]) {
      if (col(c) >= 0) (p as unknown as Record<string, unknown[]>)[c].push(num(cells[col(c)]));
    }
  }
  return [...byId.values()];
}

/** CSV cannot tell "variable absent" from "all values empty": align with the reference's null. */
function alignAbsentVariables(p: OutputProfile, reference: Reference, mode: QcMode, kind: LevelKind, variables: string[]): void {
  const ref = reference.profiles[p.id]?.[mode];
  const section = kind === 'native' ? ref?.native : ref?.[kind];
  for (const v of variables) {
    const values = (p as unknown as Record<string, (number | null)[] | null>)[v];
    if (section && section[v] === null && values && values.every((x) => x === null)) {
      (p as unknown as Record<string, unknown>)[v] = null;
    }
  }
}

/** Whether the built month indexes carry the variables' valid range (see the expert test). */
async function indexKeepsValidRange(app: FastifyInstance): Promise<boolean> {
  const month = await app.catalog.loadMonth('2019-05');
  const slots = month?.layouts.flatMap((l) => Object.values(l.variables)) ?? [];
  return slots.some((slot) => slot !== undefined && 'validMin' in slot);
}

const MODES: QcMode[] = ['standard', 'research', 'expert'];
const KINDS: LevelKind[] = ['depth', 'pressure', 'native'];
const FORMATS = ['ndjson', 'json', 'csv'] as const;
const VARIABLES = ['TEMP', 'PSAL', 'PRES'];

describe('agrees with reference.json through HTTP', () => {
  const totals = { queries: 0, profiles: 0, values: 0 };
  after(() => {
    if (totals.queries > 0) {
      process.stdout.write(
        `# e2e reference: ${totals.queries} queries, ${totals.profiles} profiles and ${totals.values} values compared (tolerance 1e-4)\n`,
      );
    }
  });

  for (const mode of MODES) {
    test(`${mode}: depth, pressure and native levels in ndjson, json and csv`, async (t) => {
      const w = await setup(t);
      if (!w) return;
      const app = await appFor(t, w);
      if (mode === 'expert') {
        // Expert mode uses raw values; netCDF readers (and the reference) mask values outside
        // valid_min/valid_max (R2902269_010: PSAL stored as 0, valid_min 2). The query can only do
        // that because the month index records the valid range next to _FillValue.
        assert.ok(await indexKeepsValidRange(app), 'the month index records valid_min/valid_max');
      }
      const expectedIds = includedIds(w.reference, mode);
      for (const kind of KINDS) {
        for (const format of FORMATS) {
          const query: Record<string, string> = {
            ...WHOLE_SAMPLE,
            mode,
            format,
            variables: VARIABLES.join(','),
            vertical: kind === 'pressure' ? 'pressure' : 'depth',
            max_profiles: '1000',
          };
          if (kind !== 'native') query.depth = w.reference.levels.join(',');
          const res = await get(app, query);
          assert.equal(res.status, 200, res.body);
          assert.equal(res.headers['x-argo-profiles-matched'], String(expectedIds.length));
          assert.equal(res.headers['x-argo-truncated'], 'false');
          let profiles: OutputProfile[];
          if (format === 'ndjson') {
            assert.match(String(res.headers['content-type']), /^application\/x-ndjson/);
            profiles = parseNdjson(res.body);
          } else if (format === 'json') {
            assert.match(String(res.headers['content-type']), /^application\/json/);
            const doc = JSON.parse(res.body) as { profiles: OutputProfile[]; matched: number; truncated: boolean; months_missing: string[] };
            assert.equal(doc.matched, expectedIds.length);
            assert.equal(doc.truncated, false);
            assert.deepEqual(doc.months_missing, String(res.headers['x-argo-months-missing']).split(',').filter(Boolean));
            profiles = doc.profiles;
          } else {
            assert.match(String(res.headers['content-type']), /^text\/csv/);
            profiles = parseCsv(res.body, VARIABLES);
            for (const p of profiles) alignAbsentVariables(p, w.reference, mode, kind, VARIABLES);
          }
          assert.deepEqual(
            profiles.map((p) => p.id),
            expectedIds,
            `${mode} ${kind} ${format}: ids in result order`,
          );
          let values = 0;
          for (const p of profiles) values += compareProfile(w.reference, p, mode, kind, VARIABLES);
          totals.queries++;
          totals.profiles += profiles.length;
          totals.values += values;
          t.diagnostic(`${mode} ${kind} ${format}: ${profiles.length} profiles, ${values} values`);
        }
      }
    });
  }
});

describe('query behaviour over HTTP', () => {
  test('result order: time, then platform, cycle, direction', async (t) => {
    const w = await setup(t);
    if (!w) return;
    const app = await appFor(t, w);
    const res = await get(app, { ...WHOLE_SAMPLE, mode: 'expert', variables: 'PRES', max_profiles: '1000' });
    const profiles = parseNdjson(res.body);
    const key = (p: OutputProfile) => [Date.parse(p.time), p.platform_number, p.cycle_number, p.direction] as const;
    for (let i = 1; i < profiles.length; i++) {
      const [ta, pa, ca, da] = key(profiles[i - 1]);
      const [tb, pb, cb, db] = key(profiles[i]);
      const ordered = ta < tb || (ta === tb && (pa < pb || (pa === pb && (ca < cb || (ca === cb && da <= db)))));
      assert.ok(ordered, `${profiles[i - 1].id} before ${profiles[i].id}`);
    }
    assert.equal(profiles.length, includedIds(w.reference, 'expert').length);
  });

  test('the cap keeps the first N and says so in the headers', async (t) => {
    const w = await setup(t);
    if (!w) return;
    const app = await appFor(t, w);
    const all = includedIds(w.reference, 'standard');
    const res = await get(app, { ...WHOLE_SAMPLE, max_profiles: '5' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-argo-profiles-matched'], String(all.length));
    assert.equal(res.headers['x-argo-truncated'], 'true');
    assert.deepEqual(parseNdjson(res.body).map((p) => p.id), all.slice(0, 5));
    const json = JSON.parse((await get(app, { ...WHOLE_SAMPLE, max_profiles: '5', format: 'json' })).body);
    assert.equal(json.truncated, true);
    assert.equal(json.profiles.length, 5);
  });

  test('bbox across the antimeridian', async (t) => {
    const w = await setup(t);
    if (!w) return;
    const app = await appFor(t, w);
    // lon ≥ 100 or lon ≤ -90: the West Pacific floats and the East Pacific one (aoml 5906072).
    const bbox = [100, -60, -90, 60] as const;
    const expected = includedIds(w.reference, 'standard').filter((id) => {
      // Included profiles always have a position.
      const [lat, lon] = [w.reference.profiles[id].latitude!, w.reference.profiles[id].longitude!];
      return lat >= bbox[1] && lat <= bbox[3] && (lon >= bbox[0] || lon <= bbox[2]);
    });
    const res = await get(app, { ...WHOLE_SAMPLE, bbox: bbox.join(',') });
    const profiles = parseNdjson(res.body);
    assert.deepEqual(profiles.map((p) => p.id), expected);
    assert.ok(profiles.some((p) => p.longitude > 0) && profiles.some((p) => p.longitude < 0), 'both sides of the antimeridian');
    assert.equal(res.headers['x-argo-profiles-matched'], String(expected.length));
  });

  test('platform filter', async (t) => {
    const w = await setup(t);
    if (!w) return;
    const app = await appFor(t, w);
    const wanted = new Set(['6903247', '2902696']);
    const expected = includedIds(w.reference, 'standard').filter((id) => wanted.has(w.reference.profiles[id].platform_number));
    const res = await get(app, { ...WHOLE_SAMPLE, platform: [...wanted].join(',') });
    assert.deepEqual(parseNdjson(res.body).map((p) => p.id), expected);
    assert.ok(expected.length > 0);
  });

  test('months of the window with no built index are listed', async (t) => {
    const w = await setup(t);
    if (!w) return;
    const app = await appFor(t, w);
    const res = await get(app, { start: '2023-03-01', end: '2023-07-01' });
    assert.equal(res.status, 200);
    const expected = ['2023-03', '2023-04', '2023-05', '2023-06'].filter((m) => !w.months.includes(m));
    assert.deepEqual(String(res.headers['x-argo-months-missing']).split(',').filter(Boolean), expected);
    assert.ok(expected.includes('2023-05'));
    const none = await get(app, { start: '2023-04-01', end: '2023-05-01' });
    assert.equal(none.headers['x-argo-months-missing'], '');
  });

  test('Accept selects the format; the format parameter wins', async (t) => {
    const w = await setup(t);
    if (!w) return;
    const app = await appFor(t, w);
    const q = { start: '2023-04-01', end: '2023-05-01' };
    assert.match(String((await get(app, q, { accept: 'text/csv' })).headers['content-type']), /^text\/csv/);
    assert.match(String((await get(app, q, { accept: 'application/json' })).headers['content-type']), /^application\/json/);
    assert.match(String((await get(app, { ...q, format: 'ndjson' }, { accept: 'text/csv' })).headers['content-type']), /^application\/x-ndjson/);
  });

  test('an upstream failure after the headers ends the body with an error line / member', async (t) => {
    const w = await setup(t);
    if (!w) return;
    const app = await appFor(t, w);
    const order = includedIds(w.reference, 'standard');
    const broken = order[2];
    w.mirror.setFault(`dac/${broken}`, { kind: 'status', status: 500 });
    t.after(() => w.mirror.clearFaults());
    for (const format of FORMATS) {
      const res = await get(app, { ...WHOLE_SAMPLE, format });
      assert.equal(res.status, 200);
      assert.equal(res.headers['x-argo-profiles-matched'], String(order.length));
      if (format === 'ndjson') {
        const lines = res.body.trimEnd().split('\n').map((l) => JSON.parse(l));
        assert.deepEqual(lines.slice(0, 2).map((p) => p.id), order.slice(0, 2));
        assert.deepEqual(lines.at(-1), { error: { status: 502, message: 'The Argo data source failed to deliver the data; try again later.' } });
        assert.equal(lines.length, 3);
      } else if (format === 'json') {
        const doc = JSON.parse(res.body);
        assert.equal(doc.profiles.length, 2);
        assert.equal(doc.error.status, 502);
      } else {
        assert.match(res.body.trimEnd().split('\n').at(-1)!, /^# error: 502 /);
      }
    }
  });

  test('a repeated query is served from the cache: no GDAC request the second time', async (t) => {
    const w = await setup(t);
    if (!w) return;
    const app = await appFor(t, w);
    const q = { ...WHOLE_SAMPLE, mode: 'research', depth: '0:1000:50' };
    const first = await get(app, q);
    const before = w.mirror.stats.requests;
    assert.ok(parseNdjson(first.body).length > 0);
    const second = await get(app, q);
    assert.equal(w.mirror.stats.requests, before);
    assert.equal(second.body, first.body);
  });

  test('a mirror that ignores Range gives the same answer (whole-file fallback in the GDAC source)', async (t) => {
    const w = await setup(t);
    if (!w) return;
    const q = { ...WHOLE_SAMPLE, depth: w.reference.levels.join(','), variables: VARIABLES.join(',') };
    const ranged = await get(await appFor(t, w), q);
    w.mirror.setIgnoreRange(true);
    t.after(() => w.mirror.setIgnoreRange(false));
    const whole = await get(await appFor(t, w), q);
    assert.equal(whole.status, 200);
    assert.equal(whole.body, ranged.body);
    const profiles = parseNdjson(whole.body);
    let values = 0;
    for (const p of profiles) values += compareProfile(w.reference, p, 'standard', 'depth', VARIABLES);
    assert.equal(profiles.length, includedIds(w.reference, 'standard').length);
    t.diagnostic(`${profiles.length} profiles, ${values} values from a Range-ignoring mirror`);
  });

  test('a client that disconnects stops the upstream requests', async (t) => {
    const w = await setup(t);
    if (!w) return;
    const app = await appFor(t, w, { ARGO_PROFILE_CACHE_MB: '0' });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    w.mirror.setLatency(150);
    t.after(() => w.mirror.setLatency(0));
    w.mirror.resetStats();
    const controller = new AbortController();
    const res = await fetch(`${address}/v1/profiles?start=${WHOLE_SAMPLE.start}&end=${WHOLE_SAMPLE.end}&mode=expert`, { signal: controller.signal });
    assert.equal(res.status, 200);
    const total = Number(res.headers.get('x-argo-profiles-matched'));
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    assert.ok(value && value.length > 0, 'the first profile arrived');
    controller.abort();
    await reader.cancel().catch(() => {});
    // Requests already sent may finish; no new one may start.
    await new Promise((r) => setTimeout(r, 300));
    const settled = w.mirror.stats.requests;
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(w.mirror.stats.requests, settled, 'no request after the disconnect settled');
    assert.ok(settled < total, `${settled} requests for ${total} profiles`);
    t.diagnostic(`${settled} GDAC requests made for ${total} matching profiles before the client left`);
  });
});
