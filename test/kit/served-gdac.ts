/**
 * A GDAC tree served by the loopback test mirror, with months built into a temporary index store
 * by the real builder: the setup of tests that query a live service over known data (the demo
 * GDAC, which needs nothing from ../shared, or the shared sample). Everything is removed in
 * `after`.
 *
 *     const gdac = await demoGdacDir(t, { months: ['2024-01'] });     // generated, seeded
 *     const served = await serveGdac(t, { root: gdac, months: ['2024-01'] });
 *     const app = await build(t, { env: served.env });
 *     served.mirror.stats.requests;   // GDAC requests since the months were built
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { testConfig } from '../helpers/config.js';
import { DEMO_PROFILES_PER_MONTH, DEMO_SEED, generateDemoGdac } from '../../fixtures/index.js';
import { createLogger } from '../../src/logger.js';
import { createServices } from '../../src/services.js';
import { startGdacMirror, type GdacMirror } from './gdac-mirror.js';

type After = Pick<TestContext, 'after'>;

export interface ServedGdac {
  mirror: GdacMirror;
  storeDir: string;
  /** Config variables of an app on this GDAC and store (pass to `build(t, { env })`). */
  env: Record<string, string>;
}

async function tempDir(t: After, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The demo GDAC (src/demo) for `months`, generated into a temporary directory. */
export async function demoGdacDir(
  t: After,
  { months, profilesPerMonth = DEMO_PROFILES_PER_MONTH, seed = DEMO_SEED }: { months: string[]; profilesPerMonth?: number; seed?: number },
): Promise<string> {
  const dir = await tempDir(t, 'argo-demo-gdac-');
  await generateDemoGdac({ outDir: dir, months, profilesPerMonth, seed });
  return dir;
}

/**
 * Serves `root` over the test mirror, builds `months` with the service's own builder, then zeroes
 * the mirror's counters, so `mirror.stats` counts only what the tests themselves cause.
 */
export async function serveGdac(
  t: After,
  { root, months, env = {} }: { root: string; months: string[]; env?: Record<string, string> },
): Promise<ServedGdac> {
  const mirror = await startGdacMirror({ root });
  t.after(() => mirror.stop());
  const storeDir = await tempDir(t, 'argo-served-store-');
  const served = {
    ARGO_GDAC: mirror.url,
    ARGO_GDAC_INDEX: 'ar_index_global_prof.txt',
    ARGO_INDEX_STORE: storeDir,
    LOG_LEVEL: 'silent',
    // These tests are about answers, not load shedding (test/reliability/overload.test.ts is): a
    // second of event-loop lag on a busy runner must not turn a request into a 503.
    ARGO_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...env,
  };
  const config = testConfig(served);
  const services = createServices({ config, logger: createLogger(config) });
  try {
    const job = await services.builds.wait(services.builds.submit({ months }).id);
    assert.equal(job.status, 'succeeded', `building ${months.join(', ')}: ${JSON.stringify(job)}`);
  } finally {
    await services.close();
  }
  mirror.resetStats();
  return { mirror, storeDir, env: served };
}
