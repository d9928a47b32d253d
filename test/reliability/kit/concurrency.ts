/**
 * Concurrent builder processes on one index store, and the checks that nothing was lost:
 *
 *     const round = await concurrentRound({ env, jobs: [['2023-01', '2023-02'], ['2023-02', '2023-03']], runner: 'cli' });
 *     const check = await checkStore({ store, expected: gdac.countByMonth, app });
 *
 * Each job is its own process (the real `src/cli/build-index.ts`, `npm run build-index`, or the
 * S3 builder of build-child.ts), all started at once; a round resolves when every one exited or
 * was killed at its deadline. `slicedRound` starts the backfill Job's builders instead: the same
 * range for each, with `--slice i/N`.
 */
import { readdir } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { sliceMonths } from '../../../src/cli/build-index.js';
import { monthsBetween } from '../../../src/month-index/months.js';
import type { BlobStore } from '../../../src/storage/types.js';
import { runChild, tsArgs, type ChildResult } from './children.js';
import { inspectStore, type StoreReport } from './harness.js';

export type BuilderRunner = 'cli' | 'npm' | 'build-child';

export interface RoundResult {
  children: (ChildResult & { months: string[] })[];
  ms: number;
}

function command(runner: BuilderRunner, months: string[]): { command: string; args: string[] } {
  switch (runner) {
    case 'cli':
      return { command: process.execPath, args: tsArgs('src/cli/build-index.ts', '--months', months.join(',')) };
    case 'npm':
      return { command: 'npm', args: ['run', '--silent', 'build-index', '--', '--months', months.join(',')] };
    case 'build-child':
      return { command: process.execPath, args: tsArgs('test/reliability/kit/build-child.ts', months.join(',')) };
  }
}

/**
 * The backfill's Indexed Job, as processes: `count` builders started at once, builder i running
 * `build-index --start S --end E --slice i/count` (the real command, as a Job completion runs it).
 * Each child's `months` is the slice it builds.
 */
export async function slicedRound(options: {
  env: Record<string, string>;
  start: string;
  end: string;
  count: number;
  timeoutMs?: number;
}): Promise<RoundResult> {
  const started = Date.now();
  const all = monthsBetween(options.start, options.end);
  const children = await Promise.all(
    Array.from({ length: options.count }, async (_, index) => ({
      ...(await runChild({
        command: process.execPath,
        args: tsArgs('src/cli/build-index.ts', '--start', options.start, '--end', options.end, '--slice', `${index}/${options.count}`),
        env: options.env,
        timeoutMs: options.timeoutMs ?? 120_000,
      })),
      months: sliceMonths(all, { index, count: options.count }),
    })),
  );
  return { children, ms: Date.now() - started };
}

export async function concurrentRound(options: {
  env: Record<string, string>;
  jobs: string[][];
  runner: BuilderRunner;
  timeoutMs?: number;
}): Promise<RoundResult> {
  const started = Date.now();
  const children = await Promise.all(
    options.jobs.map(async (months) => ({
      ...(await runChild({ ...command(options.runner, months), env: options.env, timeoutMs: options.timeoutMs ?? 120_000 })),
      months,
    })),
  );
  return { children, ms: Date.now() - started };
}

export interface StoreCheck {
  report: StoreReport;
  /** Months built (expected) that the master index lacks. */
  missingFromMaster: string[];
  /** Months built that GET /v1/months does not list. */
  missingFromApi: string[];
  /** Months whose newest object holds a wrong number of profiles. */
  wrongCounts: string[];
  /** Temp and lock files left in a local store. */
  leftovers: string[];
}

/** Walks a local store directory for our temp and lock files (names starting with '.'). */
export async function leftoverFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.startsWith('.')) out.push(`${entry.parentPath}/${entry.name}`);
  }
  return out;
}

export async function checkStore(options: {
  store: BlobStore;
  expected: Map<string, number>;
  /** An app on the same store: GET /v1/months must list every month. */
  app: FastifyInstance;
  localDir?: string;
}): Promise<StoreCheck> {
  const report = await inspectStore(options.store);
  const months = [...options.expected.keys()].sort();
  const response = await options.app.inject({ method: 'GET', url: '/v1/months' });
  const listed = response.statusCode === 200 ? (JSON.parse(response.body) as { month: string; profiles: number }[]) : [];
  const listedMap = new Map(listed.map((m) => [m.month, m.profiles]));
  return {
    report,
    missingFromMaster: months.filter((m) => !report.masterMonths.includes(m)),
    missingFromApi: months.filter((m) => !listedMap.has(m)),
    wrongCounts: months.filter((m) => report.newestCount.get(m) !== options.expected.get(m) || listedMap.get(m) !== options.expected.get(m)),
    leftovers: options.localDir ? await leftoverFiles(options.localDir) : [],
  };
}
