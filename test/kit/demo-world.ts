/**
 * A demo GDAC (fixtures' generator, deterministic) served by the test GDAC mirror, with its months
 * built by the real builder into a temporary local store: a few hundred realistic profiles across
 * several months and oceans (one float home crosses the antimeridian), for route tests that need
 * many positions and several months. Needs nothing from ../shared.
 *
 *     const world = await startDemoWorld();   // once per test file
 *     after(() => world.stop());
 *     const app = await build(t, { env: world.env });
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_MONTHS, generateDemoGdac, type DemoGdac } from '../../fixtures/index.js';
import { createLogger } from '../../src/logger.js';
import { createServices } from '../../src/services.js';
import { testConfig } from '../helpers/config.js';
import { startGdacMirror, type GdacMirror } from './gdac-mirror.js';

export interface DemoWorld {
  demo: DemoGdac;
  mirror: GdacMirror;
  months: readonly string[];
  /** Config variables pointing an app at the mirror and the built store. */
  env: Record<string, string>;
  /** (Re)builds months with the mirror's current content. */
  buildMonths(months: readonly string[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startDemoWorld({ months = DEMO_MONTHS, profilesPerMonth = 150 }: { months?: readonly string[]; profilesPerMonth?: number } = {}): Promise<DemoWorld> {
  const gdacDir = await mkdtemp(join(tmpdir(), 'argo-demo-gdac-'));
  const storeDir = await mkdtemp(join(tmpdir(), 'argo-demo-store-'));
  const demo = await generateDemoGdac({ outDir: gdacDir, months, profilesPerMonth });
  const mirror = await startGdacMirror({ root: gdacDir });
  const env = {
    ARGO_GDAC: mirror.url,
    ARGO_INDEX_STORE: storeDir,
    ARGO_MAX_FETCH_RETRIES: '0',
    ARGO_RETRY_BACKOFF_SECONDS: '0',
  };
  async function buildMonths(list: readonly string[]): Promise<void> {
    const config = testConfig(env);
    const services = createServices({ config, logger: createLogger(config) });
    try {
      const job = await services.builds.wait(services.builds.submit({ months: [...list] }).id);
      assert.equal(job.status, 'succeeded', JSON.stringify(job));
    } finally {
      await services.close();
    }
  }
  await buildMonths(months);
  mirror.resetStats();
  return {
    demo,
    mirror,
    months,
    env,
    buildMonths,
    async stop() {
      await mirror.stop();
      await rm(gdacDir, { recursive: true, force: true });
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}
