/**
 * Swagger UI in a real browser (Debian's Chromium driven by playwright-core): the page renders
 * every operation, and "Try it out" on GET /v1/months reaches the live server and shows a 200.
 * Skips with a message where Chromium is not installed (`.ci/run` installs it).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { build } from '../helpers/build.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

test('Swagger UI renders the API and runs a request', { skip: CHROMIUM ? false : 'Chromium not installed (apt-get install chromium)' }, async (t) => {
  const { chromium } = await import('playwright-core');
  const dir = await mkdtemp(join(tmpdir(), 'argo-docs-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const app = await build(t, { env: { ARGO_INDEX_STORE: dir } });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });

  // The flags keep Chromium off the network: this machine has none but loopback. Playwright gives
  // the browser a fresh temporary profile of its own.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.after(() => browser.close());
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(`${base}/docs`);
  await page.waitForSelector('.opblock-summary-path', { timeout: 30_000 });
  const paths = await page.$$eval('.opblock-summary-path', (els) => els.map((e) => e.getAttribute('data-path')));
  for (const path of ['/v1/profiles', '/v1/months', '/v1/months/{month}', '/admin/builds', '/healthz']) {
    assert.ok(paths.includes(path), `Swagger UI lists ${path} (has ${paths.join(', ')})`);
  }

  await page.click('#operations-months-listMonths .opblock-summary');
  await page.click('#operations-months-listMonths .try-out__btn');
  await page.click('#operations-months-listMonths .execute');
  const status = await page.waitForSelector('#operations-months-listMonths .live-responses-table tbody .response-col_status', { timeout: 15_000 });
  assert.equal((await status.textContent())?.trim(), '200');
  assert.deepEqual(errors, []);
});
