/**
 * The explorer on a service with no built month (a fresh install): it says so, and how to build
 * one, instead of showing an empty map without a word.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { build } from '../helpers/build.js';
import { launchChromium, openPage, SKIP_WITHOUT_CHROMIUM } from '../kit/browser.js';

test('with no built month the explorer says there is nothing yet, and how to build a month', { skip: SKIP_WITHOUT_CHROMIUM }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'argo-explore-empty-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const app = await build(t, { env: { ARGO_INDEX_STORE: dir, ARGO_GDAC: join(dir, 'no-gdac'), ARGO_MAX_EVENT_LOOP_DELAY_MS: '0' } });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium(t);
  const recorded = await openPage(browser, base);
  await recorded.page.goto(`${base}/explore`);
  await recorded.page.waitForSelector('#map[data-state="ready"]', { timeout: 30_000 });
  const words = await recorded.page.locator('#summary').innerText();
  assert.match(words, /No month is built yet/);
  assert.match(words, /npm run build-index/);
  assert.equal(await recorded.page.locator('#map circle.profile').count(), 0);
  assert.equal(new URL(recorded.page.url()).search, '', 'no window is invented');
  recorded.assertClean();
});
