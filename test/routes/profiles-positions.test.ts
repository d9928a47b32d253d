/**
 * `GET /v1/profiles?fields=positions`: the same profiles, order, cap and headers as the query
 * without it, each with its metadata and position only, and not one GDAC request (the demo GDAC
 * behind the loopback test mirror counts them). Needs nothing from ../shared.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { OutputProfile } from '../../src/query/types.js';
import { build } from '../helpers/build.js';
import { demoGdacDir, serveGdac, type ServedGdac } from '../kit/served-gdac.js';

const MONTH = '2024-01';
const WINDOW = 'start=2024-01-01&end=2024-02-01';
const METADATA = ['id', 'platform_number', 'cycle_number', 'direction', 'data_mode', 'time', 'latitude', 'longitude'];

describe('fields=positions', () => {
  let served: ServedGdac;
  // Suite-wide setup, removed once the suite's tests are done.
  const cleanups: (() => unknown)[] = [];
  const scope = { after: (fn: () => unknown) => void cleanups.push(fn) };
  before(async () => {
    served = await serveGdac(scope, { root: await demoGdacDir(scope, { months: [MONTH] }), months: [MONTH] });
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  async function get(app: FastifyInstance, query: string) {
    const res = await app.inject({ method: 'GET', url: `/v1/profiles?${query}` });
    return { status: res.statusCode, headers: res.headers, body: res.body };
  }

  test('metadata of the same profiles as the full query, with no GDAC request', async (t) => {
    // Level data from the GDAC (not the months' data packs), so the full query's reads are counted.
    const app = await build(t, { env: { ...served.env, ARGO_QUERY_SOURCE: 'gdac' } });
    const before = served.mirror.stats.requests;
    const positions = await get(app, `${WINDOW}&fields=positions&format=json`);
    assert.equal(positions.status, 200, positions.body);
    assert.equal(served.mirror.stats.requests - before, 0, 'fields=positions reads nothing from the GDAC');

    const full = await get(app, `${WINDOW}&format=json`);
    assert.equal(full.status, 200, full.body);
    assert.ok(served.mirror.stats.requests - before > 0, 'the full query does read level data (so the count above can fail)');

    const p = JSON.parse(positions.body) as { profiles: OutputProfile[]; matched: number; truncated: boolean; months_missing: string[] };
    const f = JSON.parse(full.body) as typeof p;
    assert.ok(p.profiles.length > 100, `the demo month has its ~149 profiles (got ${p.profiles.length})`);
    assert.deepEqual([p.matched, p.truncated, p.months_missing], [f.matched, f.truncated, f.months_missing]);
    for (const name of ['x-argo-profiles-matched', 'x-argo-truncated', 'x-argo-months-missing']) {
      assert.equal(positions.headers[name], full.headers[name], name);
    }
    const project = (profile: OutputProfile) => Object.fromEntries(METADATA.map((k) => [k, profile[k as keyof OutputProfile]]));
    assert.deepEqual(p.profiles, f.profiles.map(project), 'same profiles, same order, same metadata');
    for (const profile of p.profiles) assert.deepEqual(Object.keys(profile), METADATA);
  });

  test('the cap and its headers apply as without it', async (t) => {
    const app = await build(t, { env: served.env });
    const requests = served.mirror.stats.requests;
    const res = await get(app, `${WINDOW}&fields=positions&max_profiles=7`);
    assert.equal(res.status, 200);
    const lines = res.body.trim().split('\n').map((l) => JSON.parse(l) as OutputProfile);
    assert.equal(lines.length, 7);
    assert.equal(res.headers['x-argo-truncated'], 'true');
    assert.ok(Number(res.headers['x-argo-profiles-matched']) > 7);
    assert.equal(served.mirror.stats.requests, requests);
  });

  test('CSV: the metadata columns, one row per profile', async (t) => {
    const app = await build(t, { env: served.env });
    const requests = served.mirror.stats.requests;
    const csv = await get(app, `${WINDOW}&fields=positions&format=csv`);
    const ndjson = await get(app, `${WINDOW}&fields=positions`);
    assert.equal(csv.status, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    const rows = csv.body.trim().split('\n');
    assert.equal(rows[0], METADATA.join(','));
    const profiles = ndjson.body.trim().split('\n').map((l) => JSON.parse(l) as OutputProfile);
    assert.equal(rows.length - 1, profiles.length);
    assert.deepEqual(rows.slice(1), profiles.map((p) => METADATA.map((k) => String(p[k as keyof OutputProfile])).join(',')));
    assert.equal(served.mirror.stats.requests, requests);
  });

  test('depth, vertical and variables are accepted and change nothing; fields=all is the default', async (t) => {
    const app = await build(t, { env: served.env });
    const plain = await get(app, `${WINDOW}&fields=positions`);
    const levels = await get(app, `${WINDOW}&fields=positions&depth=0:500:10&vertical=pressure&variables=PRES`);
    assert.equal(levels.status, 200, levels.body);
    assert.equal(levels.body, plain.body);
    const all = await get(app, `${WINDOW}&fields=all&depth=10,100`);
    const full = await get(app, `${WINDOW}&depth=10,100`);
    assert.equal(all.body, full.body, 'fields=all is the default: full profiles');
    assert.notEqual(all.body, plain.body);
  });

  test('a cached full answer is never served for positions, nor the reverse', async (t) => {
    const app = await build(t, { env: { ...served.env, ARGO_RESPONSE_CACHE_MB: '16' } });
    const query = `${WINDOW}&depth=10,100&format=json`;
    const first = JSON.parse((await get(app, query)).body) as { profiles: OutputProfile[] };
    const positions = JSON.parse((await get(app, `${query}&fields=positions`)).body) as { profiles: OutputProfile[] };
    const again = JSON.parse((await get(app, query)).body) as { profiles: OutputProfile[] };
    assert.ok(first.profiles[0].TEMP, 'the full answer has level data');
    assert.equal(positions.profiles[0].TEMP, undefined, 'positions have none');
    assert.deepEqual(again, first);
  });

  test('a bad value is a 400 naming fields', async (t) => {
    const app = await build(t, { env: served.env });
    const res = await get(app, `${WINDOW}&fields=levels`);
    assert.equal(res.status, 400);
    const problem = JSON.parse(res.body) as { errors: { parameter: string; message: string }[] };
    assert.deepEqual(problem.errors.map((e) => e.parameter), ['fields']);
    assert.match(problem.errors[0].message, /positions/);
  });
});
