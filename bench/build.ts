/**
 * One month build in its own process (so its peak RSS is its own): the real BuildService from
 * `createServices`, configured from the variables the parent sends, as `npm run build-index`
 * would run it.
 *
 *     const r = await runInChild<BuildInput, BuildOutput>({ file: 'bench/build.ts', input: { env, month } });
 */
import { parseConfig } from '../src/config.js';
import type { GdacStats } from '../src/gdac/types.js';
import { createLogger } from '../src/logger.js';
import type { BuildJob } from '../src/month-index/types.js';
import { createServices } from '../src/services.js';
import { isMain, serveChild } from './children.js';
import { startPhaseProfile } from './inspector-profile.js';

export interface BuildInput {
  env: Record<string, string>;
  months: string[];
  /**
   * false: the same build without its month steps (no data pack), for the throughput with and
   * without packs. Default true: the service's own build service.
   */
  packs?: boolean;
  /** Write a CPU profile of the build (modules already loaded) to this path. */
  cpuProfile?: string;
}

export interface BuildOutput {
  seconds: number;
  job: BuildJob;
  /** Profiles listed in the built month indexes. */
  profiles: number;
  /** Files downloaded and read. */
  fetched: number;
  /** RSS once the modules are loaded, before the build (bytes). */
  rssBefore: number;
  /** Peak RSS of the process, build included (bytes). */
  maxRss: number;
  gdac: GdacStats;
}

export async function runBuild(input: BuildInput): Promise<BuildOutput> {
  const config = parseConfig({ LOG_LEVEL: 'error', ...input.env });
  // Without packs: the service's build, minus its month steps.
  const services = createServices({ config, logger: createLogger(config), ...(input.packs === false ? { withMonthSteps: () => [] } : {}) });
  try {
    const rssBefore = process.memoryUsage().rss;
    const profiler = input.cpuProfile ? await startPhaseProfile() : undefined;
    const started = performance.now();
    const builds = services.builds;
    const submitted = builds.submit({ months: input.months });
    const job = await builds.wait(submitted.id);
    const seconds = (performance.now() - started) / 1000;
    if (profiler && input.cpuProfile) await profiler.stop(input.cpuProfile);
    if (job.status !== 'succeeded') throw new Error(`build ${job.id} ${job.status}: ${job.error ?? 'no detail'}`);
    return {
      seconds,
      job,
      profiles: job.results.reduce((s, r) => s + r.profiles, 0),
      fetched: job.results.reduce((s, r) => s + r.fetched, 0),
      rssBefore,
      maxRss: process.resourceUsage().maxRSS * 1024,
      gdac: services.gdac.stats(),
    };
  } finally {
    await services.close();
  }
}

if (isMain(import.meta.url)) serveChild(runBuild);
