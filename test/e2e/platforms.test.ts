/**
 * The float routes against the shared GDAC sample, built as test/e2e/profiles.test.ts builds it:
 * `GET /v1/platforms/{wmo}/profiles` returns every standard-mode profile of each float that
 * expected/reference.json includes (values compared), reading only the months the platform map
 * names; `GET /v1/platforms/{wmo}` summarises the float from the indexes; the map is written by
 * the builder, consistent with the master, and healed when missing.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { createLogger } from '../../src/logger.js';
import { readMaster } from '../../src/month-index/master.js';
import { PLATFORMS_KEY, readPlatformMap } from '../../src/month-index/platform-map.js';
import type { OutputProfile } from '../../src/query/types.js';
import { createServices } from '../../src/services.js';
import { createLocalBlobStore } from '../../src/storage/local-blob-store.js';
import { build } from '../helpers/build.js';
import { testConfig } from '../helpers/config.js';
import { startGdacMirror, type GdacMirror } from '../kit/gdac-mirror.js';
import { compareProfile, includedIds, loadReference, referenceMonths, VARIABLES, type Reference } from '../kit/reference.js';
import { skipWithoutShared } from '../kit/shared-sample.js';

interface World {
  mirror: GdacMirror;
  storeDir: string;
  reference: Reference;
  env: Record<string, string>;
}

let world: Promise<World> | undefined;
let cleanup: (() => Promise<void>) | undefined;
after(async () => cleanup?.());

function setup(t: TestContext): Promise<World> | undefined {
  const dir = skipWithoutShared(t);
  if (!dir) return undefined;
  world ??= (async () => {
    const reference = loadReference(dir);
    const mirror = await startGdacMirror({ root: dir });
    const storeDir = await mkdtemp(join(tmpdir(), 'argo-e2e-platforms-'));
    cleanup = async () => {
      await mirror.stop();
      await rm(storeDir, { recursive: true, force: true });
    };
    const env = { ARGO_GDAC: mirror.url, ARGO_INDEX_STORE: storeDir, ARGO_QUERY_CONCURRENCY: '4' };
    const config = testConfig(env);
    const services = createServices({ config, logger: createLogger(config) });
    try {
      const job = await services.builds.wait(services.builds.submit({ months: referenceMonths(reference) }).id);
      assert.equal(job.status, 'succeeded', JSON.stringify(job));
    } finally {
      await services.close();
    }
    return { mirror, storeDir, reference, env };
  })();
  return world;
}

/** The reference's listed profiles (valid time and position) of each float, as the month indexes list them. */
function listedByFloat(reference: Reference): Map<string, { id: string; timeMs: number; months: Set<string> }[]> {
  const out = new Map<string, { id: string; timeMs: number; months: Set<string> }[]>();
  for (const [id, p] of Object.entries(reference.profiles)) {
    if (p.time_ms === null || p.latitude === null || p.longitude === null) continue;
    const list = out.get(p.platform_number) ?? [];
    list.push({ id, timeMs: p.time_ms, months: new Set([new Date(p.time_ms).toISOString().slice(0, 7)]) });
    out.set(p.platform_number, list);
  }
  return out;
}

function parseNdjson(body: string): OutputProfile[] {
  return body
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as OutputProfile);
}

test('the builder writes the platform map, consistent with the master index', async (t) => {
  const w = await setup(t);
  if (!w) return;
  const store = createLocalBlobStore({ root: w.storeDir });
  const { master } = await readMaster(store);
  const map = await readPlatformMap(store);
  assert.ok(map, 'platforms.json.zst written');
  assert.deepEqual(Object.keys(map.months).sort(), Object.keys(master.months).sort());
  for (const [month, summary] of Object.entries(master.months)) assert.equal(map.months[month].key, summary.key, month);
  const byFloat = listedByFloat(w.reference);
  for (const [wmo, listed] of byFloat) {
    const months = [...new Set(listed.flatMap((p) => [...p.months]))].sort();
    assert.deepEqual(Object.keys(map.months).filter((m) => map.months[m].platforms.includes(wmo)).sort(), months, wmo);
  }
});

test("GET /v1/platforms/{wmo}/profiles: every standard-mode profile of each float, and only the float's months are read", async (t) => {
  const w = await setup(t);
  if (!w) return;
  const standard = includedIds(w.reference, 'standard');
  const floats = [...new Set(Object.values(w.reference.profiles).map((p) => p.platform_number))].sort();
  assert.ok(floats.length >= 10);
  let total = 0;
  for (const wmo of floats) {
    // A fresh app per float: its month loads are this float's alone.
    const app = await build(t, { env: w.env });
    const expected: string[] = standard.filter((id) => w.reference.profiles[id].platform_number === wmo);
    const res: Awaited<ReturnType<typeof app.inject>> = await app.inject({
      url: `/v1/platforms/${wmo}/profiles`,
      query: { mode: 'standard', variables: VARIABLES.join(','), depth: w.reference.levels.join(',') },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['x-argo-profiles-matched'], String(expected.length), wmo);
    assert.equal(res.headers['x-argo-truncated'], 'false');
    assert.equal(res.headers['x-argo-months-missing'], '');
    const profiles = parseNdjson(res.body);
    assert.deepEqual(profiles.map((p) => p.id), expected, wmo);
    for (const p of profiles) compareProfile(w.reference, p, 'standard', 'depth', VARIABLES);
    total += profiles.length;
    const floatMonths: Set<string> = new Set(listedByFloat(w.reference).get(wmo)!.flatMap((p) => [...p.months]));
    assert.equal(app.catalog.stats().monthLoads, floatMonths.size, `${wmo}: only its ${floatMonths.size} months are read`);
    await app.close();
  }
  assert.equal(total, standard.length, 'every standard-mode profile of the sample, float by float');
});

test('the float route takes the /v1/profiles parameters; start/end optional, no window ceiling; 404/400', async (t) => {
  const w = await setup(t);
  if (!w) return;
  const app = await build(t, { env: { ...w.env, ARGO_MAX_WINDOW_DAYS: '31' } });
  const wmo = '6901929';
  const all = includedIds(w.reference, 'expert').filter((id) => w.reference.profiles[id].platform_number === wmo);
  const expert = await app.inject({ url: `/v1/platforms/${wmo}/profiles`, query: { mode: 'expert', fields: 'positions' } });
  assert.equal(expert.statusCode, 200, expert.body);
  assert.deepEqual(parseNdjson(expert.body).map((p) => p.id), all);
  const windowed = await app.inject({ url: `/v1/platforms/${wmo}/profiles`, query: { mode: 'expert', start: '2022-01-01', end: '2023-03-01', fields: 'positions' } });
  assert.deepEqual(
    parseNdjson(windowed.body).map((p) => p.id),
    all.filter((id) => w.reference.profiles[id].time_ms! >= Date.UTC(2022, 0, 1) && w.reference.profiles[id].time_ms! < Date.UTC(2023, 2, 1)),
  );
  const capped = await app.inject({ url: `/v1/platforms/${wmo}/profiles`, query: { mode: 'expert', max_profiles: '2', format: 'json' } });
  assert.equal(capped.headers['x-argo-truncated'], 'true');
  assert.deepEqual(capped.json().profiles.map((p: OutputProfile) => p.id), all.slice(0, 2));

  const unknown = await app.inject({ url: '/v1/platforms/1234567/profiles' });
  assert.equal(unknown.statusCode, 404);
  assert.match(unknown.json().detail, /No built month holds a profile of float 1234567/);
  const bad = await app.inject({ url: `/v1/platforms/${wmo}/profiles`, query: { platform: '6903247', mode: 'strict' } });
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(bad.json().errors.map((e: { parameter: string }) => e.parameter).sort(), ['mode', 'platform']);
  assert.equal((await app.inject({ url: '/v1/platforms/69x/profiles' })).statusCode, 400);
});

test('GET /v1/platforms/{wmo}: a summary from the indexes; 404 for an unknown float; the map is healed when missing', async (t) => {
  const w = await setup(t);
  if (!w) return;
  const store = createLocalBlobStore({ root: w.storeDir });
  await store.delete(PLATFORMS_KEY);
  const app = await build(t, { env: w.env });
  for (const [wmo, listed] of listedByFloat(w.reference)) {
    const res = await app.inject({ url: `/v1/platforms/${wmo}` });
    assert.equal(res.statusCode, 200, res.body);
    const s = res.json();
    const refs: Reference['profiles'][string][] = listed.map((p) => w.reference.profiles[p.id]).sort((a, b) => a.time_ms! - b.time_ms! || a.cycle_number - b.cycle_number);
    const last = refs[refs.length - 1];
    assert.equal(s.platform, wmo);
    assert.deepEqual(s.dacs, [...new Set(listed.map((p) => p.id.split('/')[0]))]);
    assert.equal(s.profiles, listed.length);
    assert.equal(s.cycles, new Set(refs.map((p) => p.cycle_number)).size);
    assert.equal(s.first_time, new Date(refs[0].time_ms!).toISOString());
    assert.equal(s.last_time, new Date(last.time_ms!).toISOString());
    assert.equal(s.last_position.cycle, last.cycle_number);
    assert.ok(Math.abs(s.last_position.latitude - last.latitude!) < 1e-9 && Math.abs(s.last_position.longitude - last.longitude!) < 1e-9);
    assert.deepEqual(s.months, [...new Set(listed.flatMap((p) => [...p.months]))].sort());
    assert.ok(s.parameters.includes('TEMP') && s.parameters.includes('PRES'), JSON.stringify(s.parameters));
    const modes: Record<string, number> = {};
    for (const p of refs) modes[p.data_mode] = (modes[p.data_mode] ?? 0) + 1;
    assert.deepEqual(s.data_modes, modes);
  }
  // The first request rebuilt the missing map from the month indexes and wrote it back.
  const healed = await readPlatformMap(store);
  const { master } = await readMaster(store);
  assert.deepEqual(Object.keys(healed?.months ?? {}).sort(), Object.keys(master.months).sort());
  const unknown = await app.inject({ url: '/v1/platforms/1234567' });
  assert.equal(unknown.statusCode, 404);
  assert.match(String(unknown.headers['content-type']), /application\/problem\+json/);
  assert.equal((await app.inject({ url: '/v1/platforms/abc' })).statusCode, 400);
});
