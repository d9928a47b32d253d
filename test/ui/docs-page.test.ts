/**
 * Swagger UI in a real browser (Debian's Chromium driven by playwright-core): the page renders
 * every operation, "Try it out" on GET /v1/months reaches the live server and shows a 200, and the
 * console stays clean under the page's Content-Security-Policy (Swagger UI's top bar, whose logo
 * carries an inline <style>, is left out for that reason). Skips with a message where Chromium is
 * not installed (`.ci/run` installs it).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { build } from '../helpers/build.js';
import { launchChromium, openPage, SKIP_WITHOUT_CHROMIUM } from '../kit/browser.js';

test('Swagger UI renders the API, runs a request, and logs no console error', { skip: SKIP_WITHOUT_CHROMIUM }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'argo-docs-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const app = await build(t, { env: { ARGO_INDEX_STORE: dir, ARGO_MAX_EVENT_LOOP_DELAY_MS: '0' } });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium(t);
  const recorded = await openPage(browser, base);
  const { page } = recorded;

  await page.goto(`${base}/docs`);
  await page.waitForSelector('.opblock-summary-path', { timeout: 30_000 });
  const paths = await page.$$eval('.opblock-summary-path', (els) => els.map((e) => e.getAttribute('data-path')));
  for (const path of ['/v1/profiles', '/v1/months', '/v1/months/{month}', '/admin/builds', '/healthz', '/explore', '/']) {
    assert.ok(paths.includes(path), `Swagger UI lists ${path} (has ${paths.join(', ')})`);
  }

  await page.click('#operations-months-listMonths .opblock-summary');
  await page.click('#operations-months-listMonths .try-out__btn');
  await page.click('#operations-months-listMonths .execute');
  const status = await page.waitForSelector('#operations-months-listMonths .live-responses-table tbody .response-col_status', { timeout: 15_000 });
  assert.equal((await status.textContent())?.trim(), '200');
  recorded.assertClean();
});
