/**
 * The explorer in real Chromium over the shared sample of real GDAC files (../shared, served by
 * the loopback test mirror, its months built by the real builder): the whole sample in one window
 * (1997–2023, so ARGO_MAX_WINDOW_DAYS is raised), every matched profile on the map, each float's
 * track, a click plotting the right float and cycle, and the reference's included profiles in
 * standard mode. Skips with a message where ../shared or Chromium is absent.
 */
import assert from 'node:assert/strict';
import { after, test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { build } from '../helpers/build.js';
import { launchChromium, openPage, screenshot, SKIP_WITHOUT_CHROMIUM } from '../kit/browser.js';
import { includedIds, loadReference, referenceMonths } from '../kit/reference.js';
import { serveGdac } from '../kit/served-gdac.js';
import { sharedSampleDir } from '../kit/shared-sample.js';

const WINDOW = 'start=1997-01-01&end=2024-01-01';

const cleanups: (() => unknown)[] = [];
const scope = { after: (fn: () => unknown) => void cleanups.push(fn) };
after(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

async function mapReady(page: Page): Promise<number> {
  await page.waitForSelector('#map[data-state="ready"]', { timeout: 30_000 });
  return page.locator('#map circle.profile').count();
}

test('the explorer maps and plots the shared sample of real GDAC files', { skip: SKIP_WITHOUT_CHROMIUM }, async (t) => {
  const dir = sharedSampleDir();
  if (!dir) {
    t.skip('needs the shared Argo GDAC sample at ../shared/argo-gdac-sample (absent in this checkout)');
    return;
  }
  const reference = await loadReference(dir);
  const served = await serveGdac(scope, { root: dir, months: referenceMonths(reference), env: { ARGO_MAX_WINDOW_DAYS: '36600' } });
  const app = await build(scope as unknown as TestContext, { env: served.env });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium(scope);
  const recorded = await openPage(browser, base);
  const { page } = recorded;

  await page.goto(`${base}/explore?${WINDOW}`);
  const dots = await mapReady(page);
  const response = await fetch(`${base}/v1/profiles?${WINDOW}&fields=positions&format=json`);
  const positions = (await response.json()) as { profiles: { id: string; platform_number: string }[]; matched: number; truncated: boolean };
  assert.equal(positions.truncated, false);
  assert.equal(dots, positions.matched, 'one dot per matched profile');
  const onMap = await page.locator('#map circle.profile').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
  assert.deepEqual([...onMap].sort(), includedIds(reference, 'standard').sort(), "the map's profiles are the reference's standard-mode ones");

  // A track for each float with two profiles or more.
  const perFloat = new Map<string, number>();
  for (const p of positions.profiles) perFloat.set(p.platform_number, (perFloat.get(p.platform_number) ?? 0) + 1);
  const tracked = [...perFloat].filter(([, n]) => n > 1).map(([wmo]) => wmo).sort();
  const tracks = await page.locator('#map path.track').evaluateAll((els) => els.map((e) => e.getAttribute('data-platform')));
  assert.deepEqual([...tracks].sort(), tracked);

  // Click a profile: its float and cycle are plotted.
  const [id] = await page.$$eval('#map circle.profile', (all) =>
    all
      .filter((dot) => {
        const r = dot.getBoundingClientRect();
        return dot.ownerDocument.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === dot;
      })
      .map((dot) => dot.getAttribute('data-id')!),
  );
  const dot = page.locator(`#map circle.profile[data-id="${id}"]`);
  const [platform, cycle] = [await dot.getAttribute('data-platform'), await dot.getAttribute('data-cycle')];
  await dot.click();
  const panel = page.locator('#panel-profile[data-state="ready"]');
  await panel.waitFor({ timeout: 30_000 });
  assert.equal(await panel.getAttribute('data-platform'), platform);
  assert.equal(await panel.getAttribute('data-cycle'), cycle);
  assert.match(await panel.locator('.caption').innerText(), new RegExp(id.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
  await screenshot(page, 'explore-shared', { fullPage: true });

  // The address restores the view.
  const url = page.url();
  await page.goto('about:blank');
  await page.goto(url);
  assert.equal(await mapReady(page), dots);
  await page.locator('#panel-profile[data-state="ready"]').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('#panel-profile').getAttribute('data-cycle'), cycle);
  recorded.assertClean();
});
