/**
 * The request cost guard: `requestCost` by hand, the 413 through the app over the demo GDAC served
 * by the loopback mirror (so "no level read" is counted, not assumed), and the default ceiling
 * against every example query the repository shows its readers.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseQuerystring } from 'node:querystring';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { profilesQuerySchema } from '../../schemas/profiles.js';
import { NATIVE_LEVELS_ESTIMATE, requestCost } from '../../src/http/cost-guard.js';
import type { ProfileQuery } from '../../src/query/types.js';
import { build } from '../helpers/build.js';
import { testConfig } from '../helpers/config.js';
import { demoGdacDir, serveGdac } from '../kit/served-gdac.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const DEFAULTS = testConfig();

function query(overrides: Partial<ProfileQuery> = {}): ProfileQuery {
  return {
    startMs: Date.parse('2024-01-01'),
    endMs: Date.parse('2024-02-01'),
    vertical: 'depth',
    variables: ['TEMP', 'PSAL'],
    mode: 'standard',
    maxProfiles: 20,
    ...overrides,
  };
}

describe('requestCost', () => {
  test('profiles (matches capped by max_profiles) × levels asked × variables', () => {
    assert.deepEqual(requestCost({ matched: 50, query: query({ levels: [0, 10, 20, 50, 100] }) }), {
      values: 200,
      profiles: 20,
      levels: 5,
      levelsEstimated: false,
      variables: 2,
    });
    assert.equal(requestCost({ matched: 7, query: query({ levels: [0, 10], variables: ['TEMP', 'PSAL', 'PRES'] }) }).values, 42);
    assert.equal(requestCost({ matched: 0, query: query({ levels: [0] }) }).values, 0);
  });

  test('native levels count as the estimate; positions read no level and cost nothing', () => {
    assert.deepEqual(requestCost({ matched: 3, query: query() }), {
      values: 3 * NATIVE_LEVELS_ESTIMATE * 2,
      profiles: 3,
      levels: NATIVE_LEVELS_ESTIMATE,
      levelsEstimated: true,
      variables: 2,
    });
    assert.equal(requestCost({ matched: 10_000, query: query({ fields: 'positions', maxProfiles: 10_000 }) }).values, 0);
  });
});

describe('the 413 through the app', () => {
  test('a query above ARGO_MAX_REQUEST_COST is refused once planned, with no GDAC read, and says how to split it', async (t) => {
    const months = ['2024-01'];
    const served = await serveGdac(t, { root: await demoGdacDir(t, { months, profilesPerMonth: 30 }), months });
    // GDAC ranges, not the month's data pack: the mirror's request count is what shows a level read.
    const app = await build(t, { env: { ...served.env, ARGO_MAX_REQUEST_COST: '100', ARGO_QUERY_SOURCE: 'gdac' } });
    const window = 'start=2024-01-01&end=2024-02-01';

    const positions = await app.inject(`/v1/profiles?${window}&fields=positions&format=json`);
    assert.equal(positions.statusCode, 200, 'positions read no level data: never refused');
    const matched = Number(positions.headers['x-argo-profiles-matched']);
    assert.ok(matched > 10, `the demo month has more than 10 profiles (${matched})`);
    assert.equal(served.mirror.stats.requests, 0);

    // 20 profiles × 5 levels × 2 variables = 200 > 100.
    const refused = await app.inject(`/v1/profiles?${window}&depth=0,10,20,50,100&variables=TEMP,PSAL&max_profiles=20`);
    assert.equal(refused.statusCode, 413, refused.body);
    assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
    assert.equal(refused.headers['retry-after'], undefined, 'the same request would be refused again');
    const body = refused.json();
    assert.equal(body.title, 'Content Too Large');
    assert.equal(body.status, 413);
    assert.equal(body.instance, '/v1/profiles');
    assert.deepEqual(body.cost, { values: 200, limit: 100, profiles: 20, levels: 5, levels_estimated: false, variables: 2 });
    assert.equal(
      body.detail,
      'This request would return about 200 level values (20 profiles × 5 levels × 2 variables); one request may return ' +
        'at most 100 (ARGO_MAX_REQUEST_COST). Split it: a shorter window (start, end), a smaller area (bbox), fewer ' +
        'levels (depth) or variables, or fewer profiles per request (max_profiles) over several requests.',
    );
    assert.equal(served.mirror.stats.requests, 0, 'refused before any level was read');

    // Native levels are estimated.
    const native = await app.inject(`/v1/profiles?${window}&variables=TEMP&max_profiles=1`);
    assert.equal(native.statusCode, 413);
    assert.deepEqual(native.json().cost, {
      values: NATIVE_LEVELS_ESTIMATE,
      limit: 100,
      profiles: 1,
      levels: NATIVE_LEVELS_ESTIMATE,
      levels_estimated: true,
      variables: 1,
    });
    assert.match(native.json().detail, /1 profiles × 500 levels \(native levels, estimated\) × 1 variables/);
    assert.equal(served.mirror.stats.requests, 0);

    // Split as told: 10 profiles × 5 levels × 2 variables = 100, at the ceiling, is served.
    const split = await app.inject(`/v1/profiles?${window}&depth=0,10,20,50,100&variables=TEMP,PSAL&max_profiles=10`);
    assert.equal(split.statusCode, 200, split.body);
    const lines = split.body.trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(lines.length, 10);
    assert.deepEqual(lines[0].depth, [0, 10, 20, 50, 100]);
    assert.ok(served.mirror.stats.requests > 0, 'the served query read its levels');
  });

  test('ARGO_MAX_REQUEST_COST=0 turns the guard off', async (t) => {
    const months = ['2024-01'];
    const served = await serveGdac(t, { root: await demoGdacDir(t, { months, profilesPerMonth: 12 }), months });
    const app = await build(t, { env: { ...served.env, ARGO_MAX_REQUEST_COST: '0' } });
    const res = await app.inject('/v1/profiles?start=2024-01-01&end=2024-02-01&max_profiles=3&format=json');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().profiles.length, 3);
  });
});

/** Every `/v1/profiles?...` example the repository shows: READMEs, docs/, the demo's banner. */
function documentedQueries(): { where: string; query: string }[] {
  const files = [
    'README.md',
    'clients/python/README.md',
    'src/cli/demo.ts',
    ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`),
  ];
  const found: { where: string; query: string }[] = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(/\/v1\/profiles\?([^\s\\'"`)<>]+)/g)) found.push({ where: file, query: m[1].replaceAll('&amp;', '&') });
  }
  return found;
}

test('the default ceiling refuses none of the documented examples, even were every profile to match', () => {
  const schema = profilesQuerySchema(DEFAULTS.limits);
  const examples = documentedQueries();
  assert.ok(examples.length >= 5, `found the examples (${examples.length})`);
  // The explorer's own level requests (web/explore/api.js): a section on 0:2000:10, the T/S diagram's 300.
  examples.push(
    { where: 'explorer section', query: 'start=2024-01-01&end=2024-02-01&variables=TEMP,PSAL&depth=0:2000:10' },
    { where: 'explorer T/S diagram', query: 'start=2024-01-01&end=2024-02-01&variables=TEMP,PSAL&max_profiles=300' },
    // The service's own ceilings at the default max_profiles.
    { where: 'ceilings', query: `start=2024-01-01&end=2024-12-31&variables=TEMP,PSAL,PRES&depth=0:999:1` },
    { where: 'ceilings, native', query: `start=2024-01-01&end=2024-12-31&max_profiles=${DEFAULTS.limits.maxProfilesLimit}` },
  );
  let checked = 0;
  for (const { where, query: text } of examples) {
    const parsed = schema.safeParse(parseQuerystring(text));
    if (!parsed.success) continue; // an example of a 400 (or a placeholder such as start=…)
    const { format: _format, ...q } = parsed.data;
    const cost = requestCost({ matched: Number.MAX_SAFE_INTEGER, query: q as ProfileQuery });
    assert.ok(cost.values <= DEFAULTS.fairUse.maxRequestCost, `${where}: ${text} costs ${cost.values}`);
    checked++;
  }
  assert.ok(checked >= 9, `examples checked: ${checked}`);
  assert.equal(DEFAULTS.fairUse.maxRequestCost, 10_000_000);
});
