/**
 * Real Chromium for the page tests: Debian's `chromium` driven by playwright-core, kept off the
 * network, with every page recording what a person's browser would show or do.
 *
 *     test('…', { skip: SKIP_WITHOUT_CHROMIUM }, async (t) => {
 *       const browser = await launchChromium(t);
 *       const recorded = await openPage(browser, base);       // records console, errors, requests
 *       await recorded.page.goto(`${base}/explore`);
 *       recorded.assertClean();        // no console error, no page error, no request off the origin
 *     });
 *
 * Screenshots: `screenshot(target, name)` writes docs/images/<name>.png when the tests run with
 * ARGO_UI_SCREENSHOTS=1 (`npm run screenshots`), and does nothing otherwise, so CI stays cheap.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/** The `skip` option of a test that needs Chromium. */
export const SKIP_WITHOUT_CHROMIUM: string | false = CHROMIUM ? false : 'Chromium not installed (apt-get install chromium)';

/**
 * The flags keep Chromium off the network (this machine has none but loopback) and quiet: no
 * background services, no component updates, no QUIC probing. Playwright gives the browser a
 * fresh temporary profile of its own.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** One browser, closed in `t.after` (pass `{ after }` from node:test for a suite-wide one). */
export async function launchChromium(t: Pick<TestContext, 'after'>): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  return browser;
}

export interface RecordedPage {
  page: Page;
  /** Console messages of type error (CSP violations and failed loads among them). */
  consoleErrors: string[];
  /** Uncaught exceptions of the page's scripts. */
  pageErrors: string[];
  /** Every request the page made, in order. */
  requests: string[];
  /** Requests to anywhere but the service's origin. */
  foreign(): string[];
  /**
   * Asserts nothing went wrong: no page error, no console error (except those matching `allow`,
   * e.g. the failed load a test provokes on purpose), no request off the origin.
   */
  assertClean(allow?: RegExp): void;
}

/** A new page (its own context: no shared cache or storage) that records as it goes. */
export async function openPage(browser: Browser, origin: string, { width = 1400, height = 1000 } = {}): Promise<RecordedPage> {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => pageErrors.push(error.stack ?? error.message));
  page.on('request', (request) => requests.push(request.url()));
  const own = new URL(origin).origin;
  // data: URLs are the colour ramps Plot draws in a canvas: never a network request.
  const foreign = () => requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== own);
  return {
    page,
    consoleErrors,
    pageErrors,
    requests,
    foreign,
    assertClean(allow) {
      assert.deepEqual(pageErrors, [], 'no uncaught error in the page');
      assert.deepEqual(consoleErrors.filter((e) => !allow?.test(e)), [], 'no console error');
      assert.deepEqual(foreign(), [], `no request leaves ${own}`);
    },
  };
}

const IMAGES = fileURLToPath(new URL('../../docs/images/', import.meta.url));

/** Whether this run writes screenshots (ARGO_UI_SCREENSHOTS=1, see `npm run screenshots`). */
export const SCREENSHOTS = process.env.ARGO_UI_SCREENSHOTS === '1';

/** Saves docs/images/<name>.png of a page or an element, when SCREENSHOTS is on. */
export async function screenshot(target: Page | Locator, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  if (!SCREENSHOTS) return;
  await mkdir(IMAGES, { recursive: true });
  const path = join(IMAGES, `${name}.png`);
  // The pointer off the page: no hover tip left over from the test's last click.
  await ('goto' in target ? target : target.page()).mouse.move(0, 0);
  if ('goto' in target) await target.screenshot({ path, fullPage: options.fullPage ?? false, animations: 'disabled' });
  else await target.screenshot({ path, animations: 'disabled' });
}
