/**
 * Step 4, month outputs: what a written month version consists of. The month index object is
 * always one (`encodeMonthVersion`); further outputs are `MonthStep`s, each its own module, given
 * to `buildMonths({ steps })`. A step follows the month's files as they are placed (with the
 * downloaded bytes of the files this build read) and, when the month is to be written, adds its
 * objects and its fields of the month's summary. The publisher writes them all before the month
 * index object, and one master entry names them together: a reader never pairs one version's
 * month index with another version's output.
 *
 * A data pack per month (issue 12) is such a step: it extracts each read file's levels in `file`,
 * takes the rows of reused files from the previous version's pack (`previous` summary), and
 * writes the pack in `finish`, on a worker thread it stops in `close`.
 */
import { encodeMonthIndex } from '../codec.js';
import { newMonthKey } from '../months.js';
import type { MonthSummary } from '../types.js';
import type { AssembledMonth, MonthFile, MonthObject } from './types.js';

export interface MonthStepContext {
  month: string;
  /** The current version's summary, when the month is built already. */
  previous?: MonthSummary;
  signal?: AbortSignal;
}

export interface MonthStepOutput {
  objects: MonthObject[];
  /** Fields this step adds to the month's summary (and so to its master entry). */
  summary?: Partial<MonthSummary>;
}

export interface MonthStepRun {
  /**
   * Write a new version even when no file changed: the current version lacks this step's output
   * (a month built before the step existed).
   */
  rewrite?: boolean;
  /** Each file of the month, as placed. */
  file?(file: MonthFile): void | Promise<void>;
  /** The month is to be written as `version` (the month index key, write time). */
  finish(month: AssembledMonth, version: { key: string; at: Date }): Promise<MonthStepOutput>;
  /**
   * Releases what the run holds (a worker thread): called once the month is done, whether it was
   * written, kept, refused or failed. Idempotent.
   */
  close?(): void;
}

export interface MonthStep {
  readonly name: string;
  /** Starts the step's work on one month, before its files are placed. */
  start(context: MonthStepContext): MonthStepRun;
}

/** The month index object of an assembled month, and the summary that points at it. */
export async function encodeMonthVersion(
  assembled: AssembledMonth,
  options: { at: Date; source: string; key?: string },
): Promise<{ object: MonthObject; summary: MonthSummary }> {
  const { month, profiles, failures } = assembled;
  const { at } = options;
  const key = options.key ?? newMonthKey(month, at);
  const body = await encodeMonthIndex({
    month,
    builtAt: at.toISOString(),
    source: options.source,
    key,
    profiles,
    failures,
    excluded: assembled.excluded,
    outside: assembled.outside,
    counts: assembled.counts,
  });
  const summary: MonthSummary = {
    month,
    profiles: profiles.length,
    start: profiles.length > 0 ? new Date(profiles[0].timeMs).toISOString() : null,
    end: profiles.length > 0 ? new Date(profiles[profiles.length - 1].timeMs).toISOString() : null,
    builtAt: at.toISOString(),
    failed: failures.length,
    key,
  };
  return { object: { key, body, contentType: 'application/zstd' }, summary };
}
