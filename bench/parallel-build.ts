/**
 * Several builders at once against one GDAC, as the backfill's Indexed Job runs them: each builds
 * the benchmark's month (bench/generate.ts) in its own process into its own store, all reading
 * the same test mirror with the given latency. Prints each builder's rate and the total, to check
 * that builders add up (docs/operations.md, "The backfill").
 *
 *     npx tsx bench/parallel-build.ts --builders 4 --latency 100
 *     npx tsx bench/parallel-build.ts --builders 2 --latency 20 --profiles 5000
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startGdacMirror } from '../test/kit/gdac-mirror.js';
import type { BuildInput, BuildOutput } from './build.js';
import { runChildrenFrom, runInChild } from './children.js';
import { compileForChildren } from './compile.js';
import { ensureMonth } from './generate.js';

const MiB = 1024 * 1024;
const { values } = parseArgs({
  options: {
    builders: { type: 'string', default: '4' },
    latency: { type: 'string', default: '100' },
    profiles: { type: 'string', default: '13000' },
  },
  strict: true,
});
const builders = Number(values.builders);
const latency = Number(values.latency);
const profiles = Number(values.profiles);
if (!(builders >= 1 && latency >= 0 && profiles >= 1)) throw new Error('--builders ≥ 1, --latency ≥ 0, --profiles ≥ 1');

runChildrenFrom(await compileForChildren());
const month = await ensureMonth({ month: '2023-04', profiles, seed: 1, source: 'auto' });
const mirror = await startGdacMirror({ root: month.root, latencyMs: latency });
const work = await mkdtemp(join(os.tmpdir(), 'argo-parallel-build-'));
const loadAtStart = os.loadavg()[0];
try {
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: builders }, (_, i) =>
      runInChild<BuildInput, BuildOutput>({
        file: 'bench/build.ts',
        input: { env: { ARGO_GDAC: mirror.url, ARGO_INDEX_STORE: join(work, `store-${i}`), LOG_LEVEL: 'error', ARGO_MAX_EVENT_LOOP_DELAY_MS: '0' }, months: ['2023-04'] },
      }),
    ),
  );
  const wall = (performance.now() - started) / 1000;
  for (const [i, r] of results.entries()) {
    console.log(`builder ${i}: ${r.profiles} profiles in ${r.seconds.toFixed(1)} s = ${(r.profiles / r.seconds).toFixed(1)} profiles/s, peak RSS ${(r.maxRss / MiB).toFixed(0)} MiB`);
  }
  const total = results.reduce((s, r) => s + r.profiles, 0);
  console.log(
    `${builders} builder(s) at ${latency} ms: ${(total / wall).toFixed(0)} profiles/s together in ${wall.toFixed(1)} s; ` +
      `${mirror.stats.maxInFlight} requests in flight at most; load average ${loadAtStart.toFixed(1)} → ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`,
  );
} finally {
  await mirror.stop();
  await rm(work, { recursive: true, force: true });
}
