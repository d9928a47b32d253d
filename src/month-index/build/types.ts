/**
 * What the build steps hand each other (see ../builder.ts for the pipeline). Kept apart from the
 * steps so a new step depends on these shapes, not on another step's module.
 */
import type { Logger } from '../../logger.js';
import type { ProfileEntry } from '../codec.js';
import type { MonthBuildCounts, MonthFailure, MonthSummary } from '../types.js';

export type BuildLogger = Pick<Logger, 'info' | 'warn' | 'debug' | 'error'>;

/** A file listed by the GDAC index for a month: its `date_update` decides reuse. */
export interface Candidate {
  dateUpdate: string;
}

/** month → id → candidate, for the months of the build. */
export type Candidates = Map<string, Map<string, Candidate>>;

/** What reading one file gave. */
export type FileOutcome =
  | { ok: true; month: string | null; entry?: ProfileEntry; excludedReason?: string }
  | { ok: false; reason: string };

/** One file as a build read it (file-ingest.ts). */
export interface IngestedFile {
  id: string;
  dateUpdate: string;
  outcome: FileOutcome;
  /**
   * The downloaded bytes, for steps that keep more than the month index needs (a data pack).
   * Absent when the outcome was remembered from an earlier read of this build (a file two
   * months ask for, an undated file): a step that needs them reads the file again.
   */
  bytes?: Uint8Array;
}

/** Where a file ended up in its month. */
export type Placement = 'profile' | 'excluded' | 'outside' | 'failed';

/** One file of a month as assembled, for steps that follow every file (MonthStepRun.file). */
export interface MonthFile {
  id: string;
  dateUpdate: string;
  placement: Placement;
  /** `fetched`: read by this build; `reused`: taken from the previous version, not downloaded. */
  source: 'fetched' | 'reused';
  /** For profiles. */
  entry?: ProfileEntry;
  /**
   * The downloaded bytes (fetched files). Handed over: one step may take them (the pack step
   * transfers their buffer to its worker thread, which leaves them empty here), so no other step
   * may rely on them.
   */
  bytes?: Uint8Array;
}

/** What month assembly decided about the month. */
export type MonthDecision =
  | { kind: 'write' }
  /** Every file reused, none dropped or failing: the current version stands. */
  | { kind: 'unchanged' }
  /** The new version would lose too many profiles (shrink guard): the current one stands. */
  | { kind: 'refused'; reason: string };

/** A month as assembled from its candidates and its previous version (month-assembly.ts). */
export interface AssembledMonth {
  month: string;
  /** The current version's summary, when the month is built already. */
  previous?: MonthSummary;
  /** In the query's result order when the decision is `write`. */
  profiles: ProfileEntry[];
  failures: MonthFailure[];
  excluded: MonthFailure[];
  outside: MonthFailure[];
  counts: MonthBuildCounts;
  decision: MonthDecision;
}

/** A store object of a month version: written before the master names the version. */
export interface MonthObject {
  key: string;
  body: Uint8Array;
  contentType: string;
}
