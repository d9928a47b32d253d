/**
 * A month object missing from the index store (the master index lists the month, the object was
 * deleted: by hand, a bucket lifecycle rule, a partial restore) — issue 19, defect 7.
 *
 * What must hold: a window touching it answers with the other months and names it in
 * X-Argo-Months-Missing (not a 503 for the whole window); the log says why; /readyz stays 200 but
 * says `degraded` and names the month; /v1/months stops listing it; a rebuild heals it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testConfig } from '../helpers/config.js';
import { createLogger } from '../../src/logger.js';
import { createServices } from '../../src/services.js';
import { createBlobStore } from '../../src/storage/index.js';
import { buildApp } from '../../src/http/app.js';
import { buildMonths, getProfiles, startFixture } from './kit/harness.js';

const WINDOW = 'start=2023-01-01&end=2023-04-01&variables=TEMP,PSAL&depth=10,100,1000';

test('a month object missing from the store: reported, the rest of the window served, /readyz degraded; a rebuild heals it', async (t) => {
  const fx = await startFixture(t, { months: ['2023-01', '2023-02', '2023-03'], perMonth: 4, seed: 31 });
  assert.equal((await buildMonths(await fx.app(), fx.gdac.months)).status, 'succeeded');
  const clean = await getProfiles(await fx.app(), WINDOW);
  assert.equal(clean.status, 200);
  assert.equal(clean.lines.length, 12);

  const logs: Record<string, unknown>[] = [];
  const config = testConfig({ ...fx.env, LOG_LEVEL: 'warn' });
  const logger = createLogger(config, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const services = createServices({ config, logger });
  const app = await buildApp({ config, services, logger });
  t.after(async () => {
    await app.close();
    await services.close();
  });
  await app.ready();

  const february = (await services.catalog.listMonths()).find((m) => m.month === '2023-02')!;
  await createBlobStore({ location: fx.storeDir }).delete(february.key);

  // Before: 503 problem for the whole window.
  const during = await getProfiles(app, WINDOW);
  assert.equal(during.status, 200, during.body);
  assert.equal(during.headers['x-argo-months-missing'], '2023-02');
  const expected = clean.lines.filter((l) => !String(l.time).startsWith('2023-02'));
  assert.equal(expected.length, 8);
  assert.deepEqual(during.lines, expected, 'January and March, exactly as a clean replica serves them');
  const why = logs.filter((l) => l.month === '2023-02' && l.key === february.key);
  assert.equal(why.length, 1, JSON.stringify(logs));
  assert.match(String(why[0].msg), /missing from the index store/);

  const ready = await app.inject('/readyz');
  assert.equal(ready.statusCode, 200);
  assert.deepEqual(
    { status: ready.json().status, months: ready.json().checks.months },
    { status: 'degraded', months: { ok: false, unavailable: ['2023-02'], error: 'month objects missing from the index store; rebuild these months' } },
  );
  const months = await app.inject('/v1/months');
  assert.deepEqual(months.json().map((m: { month: string }) => m.month), ['2023-01', '2023-03']);
  // Asking again costs no new warning.
  await getProfiles(app, WINDOW);
  assert.equal(logs.filter((l) => l.month === '2023-02').length, 1);

  // The rebuild heals it.
  assert.equal((await buildMonths(app, ['2023-02'])).status, 'succeeded');
  const healed = await getProfiles(app, WINDOW);
  assert.equal(healed.headers['x-argo-months-missing'], '');
  assert.equal(healed.body, clean.body);
  assert.deepEqual((await app.inject('/readyz')).json(), { status: 'ready', checks: { index_store: { ok: true, description: services.store.description } } });
  assert.deepEqual((await app.inject('/v1/months')).json().map((m: { month: string }) => m.month), ['2023-01', '2023-02', '2023-03']);
});
