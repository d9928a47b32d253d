/**
 * What the GDAC answers is checked before a query uses it (issue 19, defects 1 and 4): an HTML page
 * answered with 200, a 206 with a wrong Content-Range total, a profile file replaced on the GDAC
 * by one of another size. Over the loopback test mirror, through the app, caches on.
 *
 * What must hold: never silently different numbers (an error line, or the replaced file's own
 * data read whole, logged as needing a rebuild); nothing from a failed or suspicious read in any
 * cache, so once the fault clears the same replica gives what a clean replica gives; the mirror is
 * never marked as ignoring Range on such evidence.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { writeArgoProfile } from '../../fixtures/index.js';
import { testConfig } from '../helpers/config.js';
import { createLogger } from '../../src/logger.js';
import type { QueryServiceWithStats } from '../../src/query/service.js';
import { createServices } from '../../src/services.js';
import { INDEX_PATH, type FixtureProfile } from './kit/fixture-gdac.js';
import { buildMonths, getProfiles, startFixture, type Fixture } from './kit/harness.js';

const STANDARD = 'start=2023-01-01&end=2023-02-01&variables=TEMP,PSAL,PRES&depth=10,100,500,1000';
const EXPERT = 'start=2023-01-01&end=2023-02-01&mode=expert&variables=TEMP,PSAL';
const OTHER_SHAPE = 'start=2023-01-01&end=2023-02-01&vertical=pressure&depth=0:2000:250&format=json';

interface World extends Fixture {
  /** A clean replica's answer (fresh caches, no fault): what "correct data" means here. */
  baseline(q: string): Promise<string>;
}

async function world(t: TestContext): Promise<World> {
  const fx = await startFixture(t, { months: ['2023-01'], perMonth: 6, seed: 23 });
  assert.equal((await buildMonths(await fx.app(), ['2023-01'])).status, 'succeeded');
  const baselines = new Map<string, string>();
  return {
    ...fx,
    async baseline(q) {
      if (!baselines.has(q)) {
        const r = await getProfiles(await fx.app(), q);
        assert.equal(r.status, 200);
        assert.equal(errorOf(r.body), undefined);
        baselines.set(q, r.body);
      }
      return baselines.get(q)!;
    },
  };
}

interface Served {
  app: FastifyInstance;
  /** Warnings and errors logged (the 'rebuild the month' note is one). */
  logs: Record<string, unknown>[];
  /** GET /v1/profiles over real HTTP: the response cache sees a real response end (app.inject's does not). */
  query(q: string): Promise<{ status: number; body: string; lines: Record<string, unknown>[] }>;
}

/** The app listening on loopback, its logs kept. */
async function serve(t: TestContext, fx: Fixture): Promise<Served> {
  const logs: Record<string, unknown>[] = [];
  // No stall is scripted here: a generous timeout keeps a ~1 MB HTML body on a loaded machine a 502, not a 504.
  const config = testConfig({ ...fx.env, LOG_LEVEL: 'warn', ARGO_FETCH_TIMEOUT_SECONDS: '10' });
  const logger = createLogger(config, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const services = createServices({ config, logger });
  const app = await buildApp({ config, services, logger });
  t.after(async () => {
    await app.close();
    await services.close();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/v1/profiles?`;
  return {
    app,
    logs,
    async query(q) {
      const response = await fetch(base + q, { signal: AbortSignal.timeout(30_000) });
      const body = await response.text();
      const lines = body.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
      return { status: response.status, body, lines };
    },
  };
}

function errorOf(body: string): { status: number; message: string } | undefined {
  const last = body.trim().split('\n').pop() ?? '';
  try {
    return (JSON.parse(last) as { error?: { status: number; message: string } }).error;
  } catch {
    return undefined;
  }
}

/** The caches' entry counts, once the response cache had its turn (it stores after the body ends). */
async function cacheStats(app: FastifyInstance) {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  return {
    levels: (app.queryService as QueryServiceWithStats).cacheStats().entries,
    outputs: (app.queryService as QueryServiceWithStats).outputCacheStats().entries,
    responses: app.profileResponder.cacheStats().entries,
  };
}

describe('answers that are not the file', () => {
  test('200 text/html (~1 MB) to every ranged read: an error line, not numbers; caches clean; the mirror not marked', async (t) => {
    const fx = await world(t);
    const { app, query } = await serve(t, fx);
    fx.mirror.setFault('dac/**', { kind: 'html' });
    for (const q of [STANDARD, EXPERT]) {
      const r = await query(q);
      assert.equal(r.status, 200);
      // Before: 200 with empty arrays (standard) or HTML bytes decoded as numbers (expert).
      assert.deepEqual(r.lines.map((l) => Object.keys(l)), [['error']], `${q}: ${r.body.slice(0, 300)}`);
      assert.deepEqual(errorOf(r.body), { status: 502, message: 'The Argo data source failed to deliver the data; try again later.' });
    }
    assert.deepEqual(app.gdac.stats().rangeIgnoredBy, []);
    assert.deepEqual(await cacheStats(app), { levels: 0, outputs: 0, responses: 0 });

    // The mirror recovers: the same replica answers what a clean one does, other shapes included.
    fx.mirror.clearFaults();
    for (const q of [STANDARD, EXPERT, OTHER_SHAPE]) assert.equal((await query(q)).body, await fx.baseline(q), q);
    assert.deepEqual(app.gdac.stats().rangeIgnoredBy, []);
    assert.deepEqual(await cacheStats(app), { levels: 6, outputs: 18, responses: 3 }, 'clean answers are cached as usual');
  });

  test('a 206 with a wrong Content-Range total: the file is read whole instead, the numbers are right, nothing cached', async (t) => {
    const fx = await world(t);
    const { app, logs, query } = await serve(t, fx);
    const victim = fx.gdac.profiles[2];
    fx.mirror.setFault(victim.path, { kind: 'wrong-total', delta: 1000 });
    const r = await query(STANDARD);
    assert.equal(r.body, await fx.baseline(STANDARD));
    const note = logs.find((l) => l.id === victim.id);
    assert.ok(note, JSON.stringify(logs));
    assert.match(String(note.msg), /rebuild the month/);
    assert.deepEqual([note.month, note.recordedSize, note.answeredSize], ['2023-01', victim.bytes, victim.bytes + 1000]);
    // Five profiles cached, not the sixth; the body not cached (it held a provisional profile).
    assert.deepEqual(await cacheStats(app), { levels: 5, outputs: 5, responses: 0 });
    assert.deepEqual(app.gdac.stats().rangeIgnoredBy, []);
  });
});

describe('a profile file replaced on the GDAC after the build', () => {
  /** The victim's file written again with 90 levels instead of 60: another size, other numbers. */
  function replacement(victim: FixtureProfile): Uint8Array {
    const nLevels = 90;
    const pres = Array.from({ length: nLevels }, (_, k) => Number((5 + (k * 1995) / (nLevels - 1)).toFixed(1)));
    return writeArgoProfile({
      profiles: [
        {
          platformNumber: victim.platform,
          cycleNumber: victim.cycle,
          timeMs: victim.timeMs,
          latitude: victim.latitude,
          longitude: victim.longitude,
          dataMode: victim.id.split('/').pop()!.startsWith('D') ? 'D' : 'R',
          levels: { PRES: pres, TEMP: pres.map((p) => 25 - p / 100), PSAL: pres.map((p) => 35 + p / 10_000) },
        },
      ],
      dateUpdate: '20240301000000',
    });
  }

  test('its own data, read whole, logged as needing a rebuild, never cached; the same numbers as after the rebuild', async (t) => {
    const fx = await world(t);
    const { app, logs, query } = await serve(t, fx);
    const before = await fx.baseline(STANDARD);
    const victim = fx.gdac.profiles[1];
    const original = fx.gdac.files.get(victim.path)!;
    const updated = replacement(victim);
    assert.notEqual(updated.length, original.length);

    fx.mirror.setFile(victim.path, updated);
    const during = await query(STANDARD);
    assert.equal(errorOf(during.body), undefined, during.body.slice(-300));
    const changed = during.lines.filter((line, i) => JSON.stringify(line) !== before.split('\n')[i]);
    assert.deepEqual(changed.map((l) => l.id), [victim.id], 'only the replaced profile differs');
    // The new file's numbers: TEMP = 25 - PRES/100 (on depth levels 10, 100, 500, 1000 m).
    const temp = (changed[0] as { TEMP: number[] }).TEMP;
    [24.9, 24, 20, 15].forEach((expected, i) => assert.ok(Math.abs(temp[i] - expected) < 0.2, `TEMP ${JSON.stringify(temp)}`));
    assert.ok(logs.some((l) => l.id === victim.id && /rebuild the month/.test(String(l.msg))));
    assert.equal((await cacheStats(app)).responses, 0);

    // The original back (e.g. a mirror that had not synced yet): nothing of the new file was kept.
    fx.mirror.setFile(victim.path, original);
    assert.equal((await query(STANDARD)).body, before);
    assert.equal((await cacheStats(app)).responses, 1, 'a clean body is cached (so the 0 above means something)');

    // Replaced for good, the GDAC index says so, the month is rebuilt: the rebuilt index serves
    // exactly what the provisional read served.
    fx.mirror.setFile(victim.path, updated);
    const index = fx.gdac.indexText.replace(new RegExp(`^(${victim.id},.*,)${victim.dateUpdate}$`, 'm'), '$120240301000000');
    assert.notEqual(index, fx.gdac.indexText);
    fx.mirror.setFile(INDEX_PATH, new TextEncoder().encode(index));
    const job = await buildMonths(app, ['2023-01']);
    assert.equal(job.status, 'succeeded');
    assert.equal(job.results[0].fetched, 1);
    const rebuilt = await query(STANDARD);
    assert.equal(rebuilt.body, during.body);
    assert.equal(logs.filter((l) => l.id === victim.id).length, 1, 'the rebuilt month reads the new file by range: no more notes');
    assert.equal((await cacheStats(app)).responses, 2);
  });
});
