/**
 * `GET /v1/profiles` through the app, on a tiny generated GDAC (files and index written by the
 * fixture writers into a temporary local GDAC root, indexed by the real builder): needs nothing
 * from ../shared, so it runs in a fresh clone. Values are known by construction.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CORE_INDEX_PATH, gdacIndexText, writeArgoProfile, writeTree, type ArgoProfile } from '../../fixtures/index.js';
import { testConfig } from '../helpers/config.js';
import { createLogger } from '../../src/logger.js';
import { createServices } from '../../src/services.js';
import { build } from '../helpers/build.js';

interface Fixture {
  id: string;
  profile: ArgoProfile;
}

const T0 = Date.parse('2023-04-05T00:00:00Z');
const levels = { PRES: [0, 10, 20, 30], TEMP: [20, 18, 16, 14], PSAL: [35, 35.1, 35.2, 35.3] };

const FIXTURES: Fixture[] = [
  { id: 'tst/1900001/profiles/R1900001_001.nc', profile: { platformNumber: '1900001', cycleNumber: 1, timeMs: T0, latitude: 0, longitude: 175, levels } },
  {
    id: 'tst/1900002/profiles/D1900002_001.nc',
    profile: { platformNumber: '1900002', cycleNumber: 1, dataMode: 'D', timeMs: T0, latitude: 0.5, longitude: -175, levels },
  },
  {
    id: 'tst/1900002/profiles/D1900002_001D.nc',
    profile: { platformNumber: '1900002', cycleNumber: 1, direction: 'D', dataMode: 'D', timeMs: T0, latitude: 0.5, longitude: -175, levels },
  },
  {
    id: 'tst/1900001/profiles/R1900001_002.nc',
    profile: { platformNumber: '1900001', cycleNumber: 2, timeMs: Date.parse('2023-04-20T12:00:00.250Z'), latitude: 45, longitude: 10, positionQc: '4', levels },
  },
  {
    id: 'tst/1900003/profiles/R1900003_001.nc',
    profile: {
      platformNumber: '1900003',
      cycleNumber: 1,
      timeMs: Date.parse('2023-06-10T00:00:00Z'),
      latitude: -10,
      longitude: -30,
      levels: { PRES: [5, 15], TEMP: [10, 9] },
    },
  },
];

const A = FIXTURES[0].id;
const B = FIXTURES[1].id;
const C = FIXTURES[2].id;
const D = FIXTURES[3].id;
const E = FIXTURES[4].id;

let gdacDir = '';
let storeDir = '';
let env: Record<string, string> = {};

before(async () => {
  gdacDir = await mkdtemp(join(tmpdir(), 'argo-route-gdac-'));
  storeDir = await mkdtemp(join(tmpdir(), 'argo-route-store-'));
  const rows = FIXTURES.map(({ id, profile: p }) => ({ file: id, timeMs: p.timeMs, latitude: p.latitude, longitude: p.longitude, ocean: 'P', profilerType: 846, institution: 'AO', dateUpdate: '20230701000000' }));
  await writeTree(gdacDir, [
    ...FIXTURES.map((f) => [`dac/${f.id}`, writeArgoProfile({ profiles: [f.profile] })] as const),
    [CORE_INDEX_PATH, new TextEncoder().encode(gdacIndexText({ rows }))] as const,
  ]);
  env = { ARGO_GDAC: gdacDir, ARGO_INDEX_STORE: storeDir };
  const config = testConfig(env);
  const services = createServices({ config, logger: createLogger(config) });
  try {
    const job = await services.builds.wait(services.builds.submit({ months: ['2023-04', '2023-06'] }).id);
    assert.equal(job.status, 'succeeded', JSON.stringify(job));
  } finally {
    await services.close();
  }
});

after(async () => {
  await rm(gdacDir, { recursive: true, force: true });
  await rm(storeDir, { recursive: true, force: true });
});

const APRIL = { start: '2023-04-01', end: '2023-05-01' };

function assertClose(actual: (number | null)[], expected: (number | null)[]): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => {
    const e = expected[i];
    if (e === null) assert.equal(a, null);
    else assert.ok(a !== null && Math.abs(a - e) < 1e-5, `[${i}] ${a} vs ${e}`);
  });
}

describe('validation: 400 problem+json naming each parameter', () => {
  const cases: [string, Record<string, string>, string[]][] = [
    ['missing start and end', {}, ['start', 'end']],
    ['bad dates', { start: '2023-02-30', end: 'tomorrow' }, ['start', 'end']],
    ['end before start', { start: '2023-05-01', end: '2023-04-01' }, ['end']],
    ['a 50-year window', { start: '1970-01-01', end: '2020-01-01' }, ['end']],
    ['NaN depth', { ...APRIL, depth: 'NaN' }, ['depth']],
    ['negative depth', { ...APRIL, depth: '-10,0,10' }, ['depth']],
    ['unsorted depth', { ...APRIL, depth: '50,10' }, ['depth']],
    ['10,000 levels', { ...APRIL, depth: '0:9999:1' }, ['depth']],
    ['bad bbox', { ...APRIL, bbox: '0,100,10,10' }, ['bbox']],
    ['bbox lat_min > lat_max', { ...APRIL, bbox: '0,20,10,10' }, ['bbox']],
    ['unknown variable', { ...APRIL, variables: 'TEMP,DOXY' }, ['variables']],
    ['bad platform', { ...APRIL, platform: 'abc' }, ['platform']],
    ['max_profiles over the limit', { ...APRIL, max_profiles: '1000000' }, ['max_profiles']],
    ['max_profiles zero', { ...APRIL, max_profiles: '0' }, ['max_profiles']],
    ['bad enums', { ...APRIL, mode: 'x', vertical: 'y', format: 'z' }, ['mode', 'vertical', 'format']],
    ['unknown parameters', { ...APRIL, bbbox: '1,2,3,4', limit: '5' }, ['bbbox', 'limit']],
    ['several at once', { start: 'x', end: '2023-01-01', depth: '-1', foo: '1' }, ['start', 'depth', 'foo']],
    // Absurd dates: before 1900, year 0 (and year -1 once its offset is applied), after 2100.
    ['a window before 1900', { start: '1899-12-01', end: '1899-12-31' }, ['start', 'end']],
    ['year 0, reaching year -1 through its offset', { start: '0000-01-01T00:00:00+01:00', end: '0000-02-01' }, ['start', 'end']],
    ['a window after 2100', { start: '2100-01-01T00:00:00.001Z', end: '2100-02-01' }, ['start', 'end']],
    ['an end past 2100', { start: '2099-12-01', end: '2100-01-01T00:00:01Z' }, ['end']],
  ];
  for (const [name, query, parameters] of cases) {
    test(name, async (t) => {
      const app = await build(t, { env });
      const res = await app.inject({ method: 'GET', url: '/v1/profiles', query });
      assert.equal(res.statusCode, 400, res.body);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      const body = res.json();
      assert.equal(body.status, 400);
      assert.deepEqual(
        [...new Set(body.errors.map((e: { parameter: string }) => e.parameter))].sort(),
        [...parameters].sort(),
        JSON.stringify(body.errors),
      );
      for (const e of body.errors) assert.ok(e.message.length > 0);
      assert.match(body.detail, new RegExp(parameters[0]));
    });
  }

  test('the ceiling messages name the limit and its variable', async (t) => {
    const app = await build(t, { env: { ...env, ARGO_MAX_WINDOW_DAYS: '30' } });
    const res = await app.inject({ method: 'GET', url: '/v1/profiles', query: { start: '2023-01-01', end: '2023-03-01' } });
    assert.deepEqual(res.json().errors, [{ parameter: 'end', message: 'window is 59 days; the limit is 30 (ARGO_MAX_WINDOW_DAYS)' }]);
  });

  test('an absurd date is a 400, never a 200 with garbled month names', async (t) => {
    const app = await build(t, { env });
    const res = await app.inject({ method: 'GET', url: '/v1/profiles', query: { start: '0000-01-01T00:00:00+01:00', end: '0000-02-01' } });
    assert.equal(res.statusCode, 400, `${res.statusCode} X-Argo-Months-Missing: ${String(res.headers['x-argo-months-missing'])}`);
    assert.equal(res.headers['x-argo-months-missing'], undefined);
    const start = res.json().errors.find((e: { parameter: string }) => e.parameter === 'start');
    assert.match(start.message, /^must be between 1900-01-01T00:00:00\.000Z and 2100-01-01T00:00:00\.000Z \(got "0000-01-01T00:00:00\+01:00", which is -000001-12-31T23:00:00\.000Z\)$/);
    // The bounds themselves are valid.
    const edge = await app.inject({ method: 'GET', url: '/v1/profiles', query: { start: '1900-01-01', end: '1900-02-01' } });
    assert.equal(edge.statusCode, 200, edge.body);
    assert.equal(edge.headers['x-argo-months-missing'], '1900-01');
  });

  test('a parameter given twice', async (t) => {
    const app = await build(t, { env });
    const res = await app.inject({ method: 'GET', url: '/v1/profiles?start=2023-04-01&start=2023-04-02&end=2023-05-01' });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json().errors, [{ parameter: 'start', message: 'given more than once; give start once' }]);
  });
});

describe('answers', () => {
  test('ndjson by default: order, headers, values on pressure levels', async (t) => {
    const app = await build(t, { env });
    const res = await app.inject({ method: 'GET', url: '/v1/profiles', query: { ...APRIL, vertical: 'pressure', depth: '5,15,30,40' } });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/x-ndjson/);
    assert.equal(res.headers['x-argo-profiles-matched'], '3');
    assert.equal(res.headers['x-argo-truncated'], 'false');
    assert.equal(res.headers['x-argo-months-missing'], '');
    assert.match(String(res.headers.vary), /Accept/);
    const lines = res.body.trimEnd().split('\n').map((l) => JSON.parse(l));
    // D (position QC 4) is not returned in standard mode; ties: platform, then A before D.
    assert.deepEqual(lines.map((p) => p.id), [A, B, C]);
    const { TEMP, PSAL, ...meta } = lines[0];
    assert.deepEqual(meta, {
      id: A,
      platform_number: '1900001',
      cycle_number: 1,
      direction: 'A',
      data_mode: 'R',
      time: '2023-04-05T00:00:00.000Z',
      latitude: 0,
      longitude: 175,
      pressure: [5, 15, 30, 40],
    });
    // Values are float32 in the file: 35.3 is stored as 35.29999923…, so compare within 1e-5.
    assertClose(TEMP, [19, 17, 14, null]);
    assertClose(PSAL, [35.05, 35.15, 35.3, null]);
    assert.deepEqual(Object.keys(lines[0]), ['id', 'platform_number', 'cycle_number', 'direction', 'data_mode', 'time', 'latitude', 'longitude', 'pressure', 'TEMP', 'PSAL']);
    assert.equal(lines[2].direction, 'D');
  });

  test('native levels carry depth (TEOS-10) and pressure', async (t) => {
    const app = await build(t, { env });
    const res = await app.inject({ method: 'GET', url: '/v1/profiles', query: { ...APRIL, platform: '1900001', variables: 'PRES,TEMP' } });
    const [p] = res.body.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(p.pressure, [0, 10, 20, 30]);
    assert.deepEqual(p.PRES, [0, 10, 20, 30]);
    assertClose(p.TEMP, [20, 18, 16, 14]);
    // SEMANTICS.md check value: p = 10 dbar at 0° → 9.944839 m.
    assert.equal(p.depth[1], 9.944839);
    assert.deepEqual(Object.keys(p).slice(8), ['depth', 'pressure', 'PRES', 'TEMP']);
  });

  test('expert mode returns the profile with bad position QC; the cap and its headers', async (t) => {
    const app = await build(t, { env });
    const all = await app.inject({ method: 'GET', url: '/v1/profiles', query: { ...APRIL, mode: 'expert' } });
    assert.deepEqual(all.body.trimEnd().split('\n').map((l) => JSON.parse(l).id), [A, B, C, D]);
    const capped = await app.inject({ method: 'GET', url: '/v1/profiles', query: { ...APRIL, mode: 'expert', max_profiles: '2' } });
    assert.equal(capped.headers['x-argo-profiles-matched'], '4');
    assert.equal(capped.headers['x-argo-truncated'], 'true');
    assert.deepEqual(capped.body.trimEnd().split('\n').map((l) => JSON.parse(l).id), [A, B]);
  });

  test('bbox across the antimeridian, and platform filter', async (t) => {
    const app = await build(t, { env });
    const inside = await app.inject({ method: 'GET', url: '/v1/profiles', query: { ...APRIL, bbox: '170,-1,-170,1', platform: '1900002' } });
    assert.deepEqual(inside.body.trimEnd().split('\n').map((l) => JSON.parse(l).id), [B, C]);
    const west = await app.inject({ method: 'GET', url: '/v1/profiles', query: { ...APRIL, bbox: '170,-1,180,1' } });
    assert.deepEqual(west.body.trimEnd().split('\n').map((l) => JSON.parse(l).id), [A]);
    const none = await app.inject({ method: 'GET', url: '/v1/profiles', query: { ...APRIL, bbox: '-10,-1,10,1' } });
    assert.equal(none.body, '');
    assert.equal(none.headers['x-argo-profiles-matched'], '0');
  });

  test('a month with no index is listed; a float without PSAL gives null', async (t) => {
    const app = await build(t, { env });
    const res = await app.inject({ method: 'GET', url: '/v1/profiles', query: { start: '2023-04-01', end: '2023-07-01', platform: '1900003', format: 'json' } });
    assert.equal(res.headers['x-argo-months-missing'], '2023-05');
    const doc = res.json();
    assert.deepEqual(doc.months_missing, ['2023-05']);
    assert.equal(doc.matched, 1);
    assert.equal(doc.profiles[0].id, E);
    assert.equal(doc.profiles[0].PSAL, null);
  });

  test('json and csv, chosen by parameter or Accept', async (t) => {
    const app = await build(t, { env });
    const json = await app.inject({ method: 'GET', url: '/v1/profiles', query: { ...APRIL, depth: '0,10' }, headers: { accept: 'application/json' } });
    assert.match(String(json.headers['content-type']), /^application\/json/);
    const doc = json.json();
    assert.deepEqual(Object.keys(doc), ['profiles', 'matched', 'truncated', 'months_missing', 'next']);
    assert.equal(doc.profiles.length, 3);
    assert.deepEqual(doc.profiles[0].depth, [0, 10]);

    const csv = await app.inject({ method: 'GET', url: '/v1/profiles', query: { ...APRIL, depth: '0,10', format: 'csv' }, headers: { accept: 'application/json' } });
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    const lines = csv.body.trimEnd().split('\n');
    assert.equal(lines[0], 'id,platform_number,cycle_number,direction,data_mode,time,latitude,longitude,depth,TEMP,PSAL');
    assert.equal(lines.length, 1 + 3 * 2);
    assert.equal(lines[1], `${A},1900001,1,A,R,2023-04-05T00:00:00.000Z,0,175,0,20,35`);
  });
});

test('OpenAPI: the route, its parameters with examples, and its responses', async (t) => {
  const app = await build(t, { env });
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const op = doc.paths['/v1/profiles'].get;
  assert.equal(op.operationId, 'queryProfiles');
  assert.deepEqual(op.tags, ['profiles']);
  const names = op.parameters.map((p: { name: string }) => p.name).sort();
  assert.deepEqual(names, ['bbox', 'cursor', 'dataset', 'depth', 'end', 'fields', 'format', 'max_profiles', 'mode', 'near', 'platform', 'polygon', 'radius_km', 'start', 'variables', 'vertical']);
  for (const p of op.parameters) {
    assert.ok(p.description, `${p.name} has a description`);
    // A cursor only continues the page it came from: no example that could stand alone.
    if (p.name !== 'cursor') assert.ok(p.example !== undefined || p.schema?.example !== undefined || p.examples !== undefined, `${p.name} has an example`);
  }
  assert.deepEqual(op.parameters.filter((p: { required?: boolean }) => p.required).map((p: { name: string }) => p.name).sort(), ['end', 'start']);
  assert.deepEqual(Object.keys(op.responses[200].content).sort(), ['application/geo+json', 'application/json', 'application/vnd.apache.arrow.stream', 'application/vnd.apache.parquet', 'application/x-ndjson', 'text/csv']);
  assert.ok(op.responses[400]);
});
