/**
 * The load and overload tests' world: the demo GDAC (fixtures/demo-gdac.ts, 2024-01..2024-03,
 * ~150 profiles a month) behind the loopback test mirror, built into a local index store by the
 * real command (`npm run build-index`), served by the real server (`src/main.ts`) in a child
 * process.
 *
 *     const world = await startLoadWorld(t, { serverEnv: { ARGO_MAX_EVENT_LOOP_DELAY_MS: '20' } });
 *     world.server.url; world.paths (the query mix); world.platforms
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { DEMO_MONTHS, generateDemoGdac, type DemoGdac } from '../../fixtures/index.js';
import { startGdacMirror, type GdacMirror } from '../../test/kit/gdac-mirror.js';
import { lastJsonLine, rssOf, runChild, startServerChild, tsArgs, type ServerChild } from '../../test/reliability/kit/children.js';
import type { LoadInput, LoadOutput } from './load-child.js';

export interface LoadWorld {
  demo: DemoGdac;
  mirror: GdacMirror;
  storeDir: string;
  env: Record<string, string>;
  server: ServerChild;
  platforms: string[];
}

/** Where figures of a run are written (one JSON file per test), for docs/reliability.md. */
export const RESULTS_DIR = process.env.REL_RESULTS_DIR ?? join(tmpdir(), 'argo-reliability-results');

export async function startLoadWorld(
  t: TestContext,
  options: { serverEnv?: Record<string, string>; mirrorLatencyMs?: number; nodeFlags?: string[] } = {},
): Promise<LoadWorld> {
  const root = await mkdtemp(join(tmpdir(), 'rel-load-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const gdacDir = join(root, 'gdac');
  const storeDir = join(root, 'store');
  const demo = await generateDemoGdac({ outDir: gdacDir });
  const mirror = await startGdacMirror({ root: gdacDir, latencyMs: options.mirrorLatencyMs ?? 2 });
  t.after(() => mirror.stop());
  const env = {
    ARGO_GDAC: mirror.url,
    ARGO_GDAC_INDEX: demo.indexPath,
    ARGO_INDEX_STORE: storeDir,
    LOG_LEVEL: 'warn',
  };
  const built = await runChild({
    command: 'npm',
    args: ['run', '--silent', 'build-index', '--', '--start', DEMO_MONTHS[0], '--end', DEMO_MONTHS[DEMO_MONTHS.length - 1]],
    env,
    timeoutMs: 180_000,
  });
  assert.equal(built.code, 0, `npm run build-index failed: ${built.stderr.slice(-2000)}`);
  const server = await startServerChild({ env: { ...env, ...options.serverEnv }, nodeFlags: options.nodeFlags });
  t.after(async () => {
    await server.stop();
  });
  const platforms = [...new Set(demo.profiles.map((p) => p.platform))].sort().slice(0, 6);
  return { demo, mirror, storeDir, env, server, platforms };
}

/**
 * The mixed query set a dashboard would send: short and month-long windows, native, depth and
 * pressure levels, every format and QC mode, bbox (one across the antimeridian) and platform
 * filters, capped results, and the months routes.
 */
export function queryMix(platforms: string[]): string[] {
  const p = (q: string): string => `/v1/profiles?${q}`;
  return [
    p('start=2024-01-10&end=2024-01-11'),
    p('start=2024-01-01&end=2024-01-08&depth=0,10,20,50,100,200,500,1000'),
    p('start=2024-02-01&end=2024-03-01&depth=0:2000:10&format=json&max_profiles=40'),
    p('start=2024-03-01&end=2024-03-15&vertical=pressure&depth=0:1000:25&variables=TEMP,PSAL,PRES&format=csv'),
    p('start=2024-01-01&end=2024-04-01&bbox=-80,0,0,60&depth=0,100,500'),
    p('start=2024-01-01&end=2024-04-01&bbox=170,-30,-170,30&format=json'),
    p(`start=2024-01-01&end=2024-04-01&platform=${platforms.slice(0, 2).join(',')}&depth=0:1500:50`),
    p('start=2024-02-10&end=2024-02-20&mode=research&depth=5,50,500'),
    p('start=2024-02-10&end=2024-02-20&mode=expert&variables=TEMP'),
    p('start=2024-01-15T06:00:00Z&end=2024-01-16T18:00:00%2B02:00&format=ndjson'),
    p('start=2024-03-01&end=2024-04-01&max_profiles=10&depth=0:2000:100&format=csv'),
    p(`start=2024-01-01&end=2024-04-01&platform=${platforms[2] ?? platforms[0]}&format=json`),
    '/v1/months',
    '/v1/months/2024-02',
    p('start=2024-02-01&end=2024-02-08&variables=PSAL&depth=0:500:5'),
    p('start=2023-12-01&end=2024-01-05&depth=10,20'),
  ];
}

/** Runs the load child and samples the server's RSS every `sampleMs` while it runs. */
export async function runLoad(
  server: ServerChild,
  input: Omit<LoadInput, 'url'>,
  options: { sampleMs?: number; timeoutMs?: number } = {},
): Promise<{ output: LoadOutput; rss: { startBytes: number; peakBytes: number; endBytes: number; samples: number; timelineMB: number[] } }> {
  const dir = await mkdtemp(join(tmpdir(), 'rel-load-input-'));
  try {
    const file = join(dir, 'input.json');
    await writeFile(file, JSON.stringify({ ...input, url: server.url }));
    const startBytes = server.rssBytes() ?? 0;
    let peakBytes = startBytes;
    let samples = 0;
    const all: number[] = [];
    const sampler = setInterval(() => {
      const rss = rssOf(server.pid);
      if (rss !== undefined) {
        samples++;
        all.push(rss);
        peakBytes = Math.max(peakBytes, rss);
      }
    }, options.sampleMs ?? 500);
    let result;
    try {
      result = await runChild({
        command: process.execPath,
        args: tsArgs('test-reliability/load/load-child.ts', file),
        timeoutMs: options.timeoutMs ?? (input.durationSeconds + 120) * 1000,
      });
    } finally {
      clearInterval(sampler);
    }
    const output = lastJsonLine<LoadOutput>(result.stdout);
    assert.ok(output, `the load child gave no result (exit ${result.code}): ${result.stderr.slice(-2000)}`);
    // RSS at each tenth of the run: a plateau is caches filling, a steady climb a leak.
    const timelineMB = Array.from({ length: 10 }, (_, i) => Math.round((all[Math.min(all.length - 1, Math.floor(((i + 1) * all.length) / 10) - 1)] ?? 0) / MB));
    return { output, rss: { startBytes, peakBytes, endBytes: server.rssBytes() ?? 0, samples, timelineMB } };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function writeResult(name: string, value: unknown): Promise<string> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
  return file;
}

export const MB = 1024 * 1024;
