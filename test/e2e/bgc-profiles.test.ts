/**
 * BGC end to end over HTTP: the shared sample served by the test GDAC mirror, BGC months built by
 * the real builder from `argo_synthetic-profile_index.txt` into a temporary store, then
 * `GET /v1/profiles?dataset=bgc` compared with expected/reference-bgc.json in every mode, on depth,
 * pressure and native levels (ndjson, plus json and csv on depth). Also: the 400s (unknown
 * parameter, BGC variable without dataset=bgc), units, /v1/months listing each dataset and the
 * month detail's parameters.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import type { QcMode } from '../../src/argo/types.js';
import { createLogger } from '../../src/logger.js';
import type { OutputProfile } from '../../src/query/types.js';
import { createServices } from '../../src/services.js';
import { build } from '../helpers/build.js';
import { testConfig } from '../helpers/config.js';
import { startGdacMirror, type GdacMirror } from '../kit/gdac-mirror.js';
import { TOLERANCE } from '../kit/reference.js';
import { loadBgcReference, type BgcReference } from '../kit/reference-bgc.js';
import { skipWithoutShared } from '../kit/shared-sample.js';

const WHOLE_SAMPLE = { start: '1997-01-01', end: '2024-01-01' };
const MODES: QcMode[] = ['standard', 'research', 'expert'];

interface World {
  mirror: GdacMirror;
  env: Record<string, string>;
  reference: BgcReference;
  months: string[];
}

let world: Promise<World | undefined> | undefined;
let cleanup: (() => Promise<void>) | undefined;
after(async () => cleanup?.());

function setup(t: TestContext): Promise<World | undefined> | undefined {
  const dir = skipWithoutShared(t);
  if (!dir) return undefined;
  world ??= (async () => {
    const reference = loadBgcReference(dir);
    if (!reference) return undefined;
    const mirror = await startGdacMirror({ root: dir });
    const storeDir = await mkdtemp(join(tmpdir(), 'argo-e2e-bgc-'));
    cleanup = async () => {
      await mirror.stop();
      await rm(storeDir, { recursive: true, force: true });
    };
    const env = { ARGO_GDAC: mirror.url, ARGO_INDEX_STORE: storeDir, ARGO_MAX_WINDOW_DAYS: '36600', ARGO_MAX_FETCH_RETRIES: '0', ARGO_RETRY_BACKOFF_SECONDS: '0' };
    const months = [...new Set(Object.values(reference.profiles).map((p) => new Date(p.time_ms!).toISOString().slice(0, 7)))].sort();
    const config = testConfig(env);
    const services = createServices({ config, logger: createLogger(config) });
    try {
      // Both datasets by default: the BGC months come with the core ones.
      const job = await services.builds.wait(services.builds.submit({ months }).id);
      assert.equal(job.status, 'succeeded', JSON.stringify(job));
      assert.deepEqual(job.datasets, ['phy', 'bgc']);
      assert.ok(job.results.some((r) => r.dataset === 'bgc' && r.profiles > 0), JSON.stringify(job.results));
    } finally {
      await services.close();
    }
    return { mirror, env, reference, months };
  })();
  return world;
}

function compare(label: string, actual: unknown, expected: (number | null)[] | null, problems: string[]): number {
  if (expected === null) {
    if (actual !== null) problems.push(`${label}: expected null, got ${JSON.stringify(actual)?.slice(0, 80)}`);
    return 0;
  }
  if (!Array.isArray(actual) || actual.length !== expected.length) {
    problems.push(`${label}: expected ${expected.length} values, got ${JSON.stringify(actual)?.slice(0, 80)}`);
    return 0;
  }
  expected.forEach((e, i) => {
    const a = actual[i] as number | null;
    const ok = e === null ? a === null : a !== null && Math.abs(a - e) <= TOLERANCE;
    if (!ok) problems.push(`${label}[${i}]: got ${a}, expected ${e}`);
  });
  return expected.length;
}

function csvProfiles(body: string, variables: string[]): Map<string, Record<string, (number | null)[]>> {
  const lines = body.split('\n').filter((l) => l.length > 0);
  const header = lines[0].split(',');
  const out = new Map<string, Record<string, (number | null)[]>>();
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    const id = cells[header.indexOf('id')];
    if (!out.has(id)) out.set(id, Object.fromEntries(['depth', ...variables].map((v) => [v, []])));
    for (const v of ['depth', ...variables]) out.get(id)![v].push(cells[header.indexOf(v)] === '' ? null : Number(cells[header.indexOf(v)]));
  }
  return out;
}

test('dataset=bgc agrees with reference-bgc.json through the build and HTTP, every mode and level kind', async (t) => {
  const w = await setup(t);
  if (!w) return t.skip('the shared sample has no expected/reference-bgc.json');
  const app = await build(t, { env: w.env });
  const problems: string[] = [];
  let values = 0;
  for (const mode of MODES) {
    const expectedIds: string[] = Object.entries(w.reference.profiles)
      .filter(([, p]) => p[mode].included)
      .sort(([, a], [, b]) => a.time_ms! - b.time_ms!)
      .map(([id]) => id);
    for (const kind of ['depth', 'pressure', 'native'] as const) {
      // Every parameter any profile of the sample has (DOXY), with the core ones.
      const variables = ['TEMP', 'PSAL', 'PRES', 'DOXY'];
      const query: Record<string, string> = { ...WHOLE_SAMPLE, dataset: 'bgc', mode, variables: variables.join(','), vertical: kind === 'pressure' ? 'pressure' : 'depth' };
      if (kind !== 'native') query.depth = w.reference.levels.join(',');
      const res = await app.inject({ method: 'GET', url: '/v1/profiles', query });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['x-argo-profiles-matched'], String(expectedIds.length), `${mode} ${kind}`);
      assert.match(String(res.headers['x-argo-units']), /DOXY=micromole\/kg/);
      const profiles = res.body.split('\n').filter((l) => l).map((l) => JSON.parse(l) as OutputProfile);
      assert.deepEqual(profiles.map((p) => p.id), expectedIds, `${mode} ${kind}: ids in order`);
      for (const p of profiles) {
        const ref: BgcReference['profiles'][string] = w.reference.profiles[p.id];
        assert.equal(p.data_mode, null);
        assert.deepEqual(p.parameter_data_mode, ref.parameters);
        const section = ref[mode][kind] as Record<string, (number | null)[] | null>;
        if (kind === 'native') {
          values += compare(`${p.id} ${mode} native depth`, p.depth, section.depth ?? null, problems);
          // The reference's native pressure is its PRES column.
          values += compare(`${p.id} ${mode} native pressure`, p.pressure, section.PRES ?? null, problems);
        }
        for (const v of variables) values += compare(`${p.id} ${mode} ${kind} ${v}`, p[v], section[v] ?? null, problems);
      }
      if (kind === 'depth') {
        // The same numbers in json and csv.
        const json = await app.inject({ method: 'GET', url: '/v1/profiles', query: { ...query, format: 'json' } });
        assert.equal(json.statusCode, 200, json.body);
        const parsed = JSON.parse(json.body) as { profiles: OutputProfile[] };
        assert.deepEqual(parsed.profiles, profiles);
        const csv = await app.inject({ method: 'GET', url: '/v1/profiles', query: { ...query, format: 'csv' } });
        assert.equal(csv.statusCode, 200, csv.body);
        const rows = csvProfiles(csv.body, variables);
        for (const p of profiles) for (const v of variables) if (p[v] !== null) assert.deepEqual(rows.get(p.id)![v], p[v], `${p.id} csv ${v}`);
      }
    }
  }
  assert.deepEqual(problems.slice(0, 20), []);
  assert.ok(values > 100, `compared ${values} values`);
});

test('dataset=bgc: 400 for an unknown parameter (listing the known ones) and for a BGC variable without dataset=bgc', async (t) => {
  const w = await setup(t);
  if (!w) return t.skip('the shared sample has no expected/reference-bgc.json');
  const app = await build(t, { env: w.env });
  const unknown = await app.inject({ method: 'GET', url: '/v1/profiles', query: { ...WHOLE_SAMPLE, dataset: 'bgc', variables: 'DOXY,NITRATE' } });
  assert.equal(unknown.statusCode, 400, unknown.body);
  assert.match(unknown.body, /NITRATE/);
  assert.match(unknown.body, /DOXY, PRES, PSAL, TEMP/);
  const core = await app.inject({ method: 'GET', url: '/v1/profiles', query: { ...WHOLE_SAMPLE, variables: 'TEMP,DOXY' } });
  assert.equal(core.statusCode, 400, core.body);
  assert.match(core.body, /DOXY is not a core variable/);
  assert.match(core.body, /add dataset=bgc/);
  const positions = await app.inject({ method: 'GET', url: '/v1/profiles', query: { ...WHOLE_SAMPLE, dataset: 'bgc', fields: 'positions', variables: 'DOXY' } });
  assert.equal(positions.statusCode, 200, positions.body);
  const first = JSON.parse(positions.body.split('\n')[0]) as OutputProfile;
  assert.equal(first.data_mode, null);
  assert.ok(first.parameter_data_mode && 'DOXY' in first.parameter_data_mode);
});

test('/v1/months lists each dataset; the month detail names its parameters with units', async (t) => {
  const w = await setup(t);
  if (!w) return t.skip('the shared sample has no expected/reference-bgc.json');
  const app = await build(t, { env: w.env });
  const res = await app.inject({ method: 'GET', url: '/v1/months' });
  assert.equal(res.statusCode, 200, res.body);
  const body = JSON.parse(res.body) as { month: string; dataset: string }[];
  const bgc = body.filter((m) => m.dataset === 'bgc').map((m) => m.month);
  assert.deepEqual(bgc, w.months);
  assert.ok(body.some((m) => m.dataset === 'phy'));
  const detail = await app.inject({ method: 'GET', url: `/v1/months/${w.months[0]}?dataset=bgc` });
  assert.equal(detail.statusCode, 200, detail.body);
  const d = JSON.parse(detail.body) as { dataset: string; parameters: { name: string; units: string | null }[] };
  assert.equal(d.dataset, 'bgc');
  assert.equal(d.parameters.find((p) => p.name === 'DOXY')?.units, 'micromole/kg');
});
