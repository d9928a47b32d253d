/**
 * Swagger UI's "Try it out" on GET /v1/profiles, with the defaults it fills in (the OpenAPI
 * parameter examples), returns profiles from the demo, in a real browser (Debian's Chromium driven
 * by playwright-core). Skips with a message where Chromium is not installed.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runDemo } from '../../src/cli/demo.js';
import { EXAMPLE_QUERY } from '../../schemas/profiles.js';
import { tempDir } from '../month-index/helpers.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

test('"Try it out" on GET /v1/profiles with its defaults returns the demo\'s profiles', { skip: CHROMIUM ? false : 'Chromium not installed (apt-get install chromium)' }, async (t) => {
  const { chromium } = await import('playwright-core');
  const dir = await tempDir(t, 'try-it-out-');
  const demo = await runDemo({ gdacDir: join(dir, 'gdac'), storeDir: join(dir, 'index'), env: { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' } });
  t.after(() => demo.close());

  // The flags keep Chromium off the network: only loopback is reachable.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.after(() => browser.close());
  const page = await browser.newPage();
  const requests: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/v1/profiles')) requests.push(r.url());
  });

  await page.goto(`${demo.url}/docs`);
  const op = '#operations-profiles-queryProfiles';
  await page.waitForSelector(`${op} .opblock-summary`, { timeout: 30_000 });
  await page.click(`${op} .opblock-summary`);
  await page.click(`${op} .try-out__btn`);
  await page.click(`${op} .execute`);
  const status = await page.waitForSelector(`${op} .live-responses-table tbody .response-col_status`, { timeout: 30_000 });
  assert.equal((await status.textContent())?.trim(), '200');
  const body = (await page.textContent(`${op} .live-responses-table .response-col_description pre`)) ?? '';
  const profiles = body
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as { id: string; platform_number: string; TEMP: (number | null)[] });
  assert.ok(profiles.length > 0, `profiles in the response: ${body.slice(0, 300)}`);
  for (const p of profiles) {
    assert.ok(EXAMPLE_QUERY.platform.split(',').includes(p.platform_number), p.id);
    assert.equal(typeof p.TEMP[0], 'number', `${p.id}: a value at the first level`);
  }
  // The request carried every example, as Swagger UI filled them in.
  assert.equal(requests.length, 1, requests.join('\n'));
  assert.deepEqual(Object.fromEntries(new URL(requests[0]).searchParams), { ...EXAMPLE_QUERY });
});
