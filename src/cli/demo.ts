/**
 * `npm run demo`: the service on a machine with no network, on generated data.
 *
 *   1. Generates the demo GDAC (fixtures/demo-gdac.ts: 2024-01..2024-03, ~150 realistic
 *      Argo core profile files a month, seeded) into `.cache/demo-gdac/`, unless it is there.
 *   2. Builds those months into the local index store `./data/demo-index/`, unless built (an
 *      incremental rebuild is cheap, but a built demo starts at once).
 *   3. Starts the server on them (PORT, default 8080), with the same app and services as
 *      `npm start`.
 *
 * The configuration is the normal one (loadConfig), with ARGO_GDAC, ARGO_GDAC_INDEX and
 * ARGO_INDEX_STORE forced to the demo's; everything else (PORT, HOST, ARGO_ADMIN_TOKEN to try the
 * admin routes, LOG_LEVEL, ...) still comes from the environment.
 */
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../http/app.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { DEMO_MONTHS, DEMO_PROFILES_PER_MONTH, DEMO_SEED, generateDemoGdac } from '../../fixtures/index.js';
import { createLogger, type Logger } from '../logger.js';
import { listenErrorAsConfigError } from '../main.js';
import { createServices, type Services } from '../services.js';

export const DEMO_GDAC_DIR = '.cache/demo-gdac';
export const DEMO_STORE_DIR = './data/demo-index';
const DEMO_INDEX = 'ar_index_global_prof.txt';
/** The demo's synthetic profile index (its BGC floats), beside the core one. */
const DEMO_SYNTHETIC_INDEX = 'argo_synthetic-profile_index.txt';
/**
 * BGC floats of the demo: a few, so `npm run demo` shows dataset=bgc (DOXY, CHLA, BBP700 in mixed
 * parameter modes) without slowing the demo's build; the core files are the same with or without.
 */
export const DEMO_BGC_FLOATS = 4;

export interface RunDemoOptions {
  /** Where the demo GDAC lives (default `.cache/demo-gdac`, relative to the working directory). */
  gdacDir?: string;
  /** The local index store (default `./data/demo-index`). */
  storeDir?: string;
  /** Environment overrides on top of the process environment (tests: PORT=0, LOG_LEVEL=silent). */
  env?: Record<string, string | undefined>;
  months?: readonly string[];
  profilesPerMonth?: number;
  seed?: number;
}

export interface RunningDemo {
  app: FastifyInstance;
  services: Services;
  config: Config;
  /** http://host:port of the running server. */
  url: string;
  generated: boolean;
  built: string[];
  close(): Promise<void>;
}

/** Generates the demo GDAC into `dir` unless its index is there (atomic: temp dir, then rename). */
export async function ensureDemoGdac(options: { dir: string; months?: readonly string[]; profilesPerMonth?: number; seed?: number; logger?: Logger }): Promise<boolean> {
  const dir = resolve(options.dir);
  // A demo GDAC generated before it had BGC floats is generated again (the core files are the same).
  if (existsSync(join(dir, DEMO_INDEX)) && existsSync(join(dir, DEMO_SYNTHETIC_INDEX))) return false;
  const temp = `${dir}.tmp-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  await mkdir(dirname(dir), { recursive: true });
  options.logger?.info({ dir }, 'generating the demo GDAC');
  const demo = await generateDemoGdac({
    outDir: temp,
    months: options.months ?? DEMO_MONTHS,
    profilesPerMonth: options.profilesPerMonth ?? DEMO_PROFILES_PER_MONTH,
    seed: options.seed ?? DEMO_SEED,
    bgcFloats: DEMO_BGC_FLOATS,
  });
  await rm(dir, { recursive: true, force: true });
  await rename(temp, dir);
  options.logger?.info({ dir, files: demo.profiles.length, bytes: demo.bytes }, 'demo GDAC generated');
  return true;
}

export async function runDemo(options: RunDemoOptions = {}): Promise<RunningDemo> {
  const gdacDir = resolve(options.gdacDir ?? DEMO_GDAC_DIR);
  const storeDir = resolve(options.storeDir ?? DEMO_STORE_DIR);
  const months = [...(options.months ?? DEMO_MONTHS)];
  const config = loadConfig({
    ...options.env,
    ARGO_GDAC: gdacDir,
    ARGO_GDAC_INDEX: DEMO_INDEX,
    ARGO_INDEX_STORE: storeDir,
  });
  const logger = createLogger(config);
  const generated = await ensureDemoGdac({ dir: gdacDir, months, profilesPerMonth: options.profilesPerMonth, seed: options.seed, logger });
  const services = createServices({ config, logger });
  let app: FastifyInstance | undefined;
  try {
    // A regenerated GDAC invalidates whatever was built from the previous one.
    const built = new Set((await services.catalog.listMonths()).map((m) => m.month));
    const builtBgc = new Set((await services.bgcCatalog.listMonths()).map((m) => m.month));
    const missing = generated ? months : months.filter((m) => !built.has(m) || !builtBgc.has(m));
    if (missing.length > 0) {
      logger.info({ months: missing, store: storeDir }, 'building the demo months');
      const job = await services.builds.wait(services.builds.submit({ months: missing }).id);
      if (job.status !== 'succeeded') throw new Error(`demo build failed: ${job.error ?? 'unknown error'}`);
    }
    app = await buildApp({ config, services, logger });
    try {
      await app.listen({ port: config.port, host: config.host });
    } catch (error) {
      throw listenErrorAsConfigError(error, config) ?? error;
    }
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const running = app;
    return {
      app: running,
      services,
      config,
      url,
      generated,
      built: missing,
      async close() {
        await running.close();
        await services.close();
      },
    };
  } catch (error) {
    await app?.close();
    await services.close();
    throw error;
  }
}

function isMain(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  runDemo().then(
    (demo) => {
      process.stdout.write(
        `\nArgo profiles demo on ${demo.url}\n` +
          `  ${demo.url}/docs\n` +
          `  ${demo.url}/v1/months\n` +
          `  ${demo.url}/v1/profiles?start=2024-01-01&end=2024-01-08&depth=10,50,100,500&format=json\n\n`,
      );
      let stopping = false;
      const stop = (): void => {
        if (stopping) return;
        stopping = true;
        demo.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (error: unknown) => {
      process.stderr.write(`demo: ${error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(error instanceof ConfigError ? 2 : 1);
    },
  );
}
