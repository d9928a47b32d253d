/**
 * One month through the steps: assemble it, then either keep its current version (unchanged, or
 * refused by the shrink guard) or encode the new version, let the month steps add their outputs,
 * and publish them together.
 */
import type { MonthBuildResult, MonthSummary } from '../types.js';
import { assembleMonth, type AssembleMonthOptions } from './month-assembly.js';
import { encodeMonthVersion, type MonthStep, type MonthStepRun } from './month-steps.js';
import type { Publisher } from './publisher.js';
import type { MonthObject } from './types.js';

export interface BuildMonthOptions extends Omit<AssembleMonthOptions, 'onFile'> {
  publisher: Publisher;
  steps: readonly MonthStep[];
  /** Description of the GDAC and index, recorded in the month object. */
  source: string;
  now: () => Date;
}

export async function buildMonth(options: BuildMonthOptions): Promise<MonthBuildResult> {
  const { month, publisher, current, signal } = options;
  const runs = options.steps.map((step) => step.start({ month, ...(current ? { previous: current } : {}), ...(signal ? { signal } : {}) }));
  try {
    return await buildWithRuns(options, runs);
  } finally {
    for (const run of runs) run.close?.();
  }
}

async function buildWithRuns(options: BuildMonthOptions, runs: MonthStepRun[]): Promise<MonthBuildResult> {
  const { month, publisher, current } = options;
  const followers = runs.filter((run) => run.file);
  const assembled = await assembleMonth({
    ...options,
    rewrite: runs.some((run) => run.rewrite),
    ...(followers.length > 0 ? { onFile: async (file) => void (await Promise.all(followers.map((run) => run.file!(file)))) } : {}),
  });
  const { decision } = assembled;
  let summary: MonthSummary;
  if (decision.kind !== 'write') {
    summary = assembled.previous!;
    if (decision.kind === 'refused') options.logger?.error({ month, previous: summary.profiles, now: assembled.profiles.length }, 'month rebuild refused: it would lose many profiles');
    publisher.keep(summary, current?.key);
  } else {
    const at = options.now();
    const version = await encodeMonthVersion(assembled, { at, source: options.source });
    const objects: MonthObject[] = [];
    summary = version.summary;
    for (const run of runs) {
      const output = await run.finish(assembled, { key: version.summary.key, at });
      objects.push(...output.objects);
      summary = { ...summary, ...output.summary, month, key: version.summary.key };
    }
    // The month index object last: once it is listed, the version is complete.
    objects.push(version.object);
    await publisher.publish({ summary, objects, previousKey: current?.key });
  }
  return {
    month,
    profiles: summary.profiles,
    key: summary.key,
    ...assembled.counts,
    ...(decision.kind === 'unchanged' ? { unchanged: true } : {}),
    ...(decision.kind === 'refused' ? { refused: decision.reason } : {}),
  };
}
