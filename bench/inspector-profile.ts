/**
 * CPU profiles of a phase, not of the whole process: the inspector's sampling profiler started
 * and stopped around the work (a `--cpu-prof` profile would be mostly module loading in a
 * short-lived child). Writes a `.cpuprofile` that Chrome DevTools and `cpu-profile.ts` read.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { dirname } from 'node:path';

export interface PhaseProfiler {
  stop(path: string): Promise<void>;
}

// 200 µs sampling: fine enough for functions of a few µs per call over seconds of work, and the
// overhead stays a few percent.
const SAMPLING_INTERVAL_US = 200;

export async function startPhaseProfile(): Promise<PhaseProfiler> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
  await session.post('Profiler.start');
  return {
    async stop(path: string) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, JSON.stringify(profile));
    },
  };
}
