/**
 * The month index as the query side sees it once decoded: columns sorted by the result order
 * (time, then platform, cycle, direction 'A' before 'D'), typed arrays plus strings.
 *
 * Only profiles with a valid time and position are listed (SEMANTICS.md: the others are never
 * returned); the builder counts the rest in the summary.
 */
import type { NcType } from '../netcdf/types.js';

/** Where one level variable's primary-profile row sits in a file, relative to the profile's `base`. */
export interface VariableSlot {
  type: NcType;
  /** Offset from the profile's `base` offset (bytes). */
  rel: number;
  /** Bytes of the primary profile's row (N_LEVELS × type size, or the string length for chars). */
  length: number;
  /** The variable's numeric `_FillValue` when the file declares one (Argo: 99999). */
  fillValue?: number;
  /**
   * The variable's valid range (`valid_min`/`valid_max`, or `valid_range`) when declared: values
   * outside it are masked like fills, as netCDF readers and the reference do.
   */
  validMin?: number;
  validMax?: number;
}

/**
 * A file layout shared by many files (same N_LEVELS and variable order): stored once per month,
 * referenced by index from each profile. Variables absent from the file (PSAL in old floats) are
 * absent here.
 */
export interface FileLayout {
  nLevels: number;
  variables: Partial<Record<string, VariableSlot>>;
}

/**
 * A parameter a BGC month has: its argopy class, and units and names from the files' attributes
 * (the first file that states them).
 */
export interface MonthParameter {
  name: string;
  class: string;
  units: string | null;
  longName: string | null;
  standardName: string | null;
}

export interface MonthFailure {
  id: string;
  reason: string;
  /** GDAC `date_update` of the failed file (YYYYMMDDHHMMSS), so the next build retries it. */
  dateUpdate: string;
}

export interface MonthSummary {
  month: string;
  profiles: number;
  /** First and last profile time (ISO), null when the month is empty. */
  start: string | null;
  end: string | null;
  builtAt: string;
  failed: number;
  /** Store key of the month index object this summary describes. */
  key: string;
  /** The month version's data pack, when it has one (written with it, named by the same master entry). */
  pack?: MonthPack;
}

/** A month version's data pack (docs/data-packs.md): where it is and what a reader needs to open it. */
export interface MonthPack {
  /** Store key (`packs/<YYYY>/<YYYY-MM>.<stamp>-<random>.parquet`, the month index key's twin). */
  key: string;
  bytes: number;
  rows: number;
  /** Bytes of the Parquet footer: the reader opens the pack with one exact ranged read. */
  footerBytes: number;
}

export interface MonthIndex {
  formatVersion: number;
  month: string;
  builtAt: string;
  /** Description of the GDAC it was built from. */
  source: string;
  /** Store key it was loaded from (a version: month objects are immutable). */
  key: string;
  count: number;
  time: Float64Array;
  latitude: Float64Array;
  longitude: Float64Array;
  cycle: Int32Array;
  /** File offset that layout slots are relative to. */
  base: Float64Array;
  layout: Uint32Array;
  /** File size in bytes. */
  size: Float64Array;
  id: string[];
  platform: string[];
  /** GDAC `date_update` per profile (YYYYMMDDHHMMSS). */
  dateUpdate: string[];
  /** One character per profile. */
  direction: string;
  dataMode: string;
  positionQc: string;
  juldQc: string;
  layouts: FileLayout[];
  failures: MonthFailure[];
  /** Files read but not listed (no valid time or position), with why: kept so rebuilds reuse them. */
  excluded: MonthFailure[];
  /**
   * Candidate files read for this month whose JULD put them in another month (`reason` is that
   * month, YYYY-MM): the GDAC index date is rounded to the second, so files within a second of a
   * month boundary are candidates for both months. Kept so rebuilds do not download them again.
   */
  outside?: MonthFailure[];
  /** What the build that wrote this object did (reused, fetched, failed, dropped, excluded). */
  counts?: MonthBuildCounts;
  /** Approximate decoded size in bytes, for the byte-bounded cache. */
  byteSize: number;
  /**
   * BGC months only (synthetic files): each profile's parameters with their data modes (`{PRES:
   * 'D', DOXY: 'A'}`; rows sharing a set share the object), and the month's parameters.
   */
  parameterModes?: Readonly<Record<string, string>>[];
  parameters?: MonthParameter[];
}

/** The master index: which months are built, pointing at their current immutable objects. */
export interface MasterIndex {
  formatVersion: number;
  updatedAt: string;
  months: Record<string, MonthSummary>;
}

/** A month's public summary plus the files that failed to index (GET /v1/months/{month}). */
export interface MonthDetail extends MonthSummary {
  failures: MonthFailure[];
  excluded: number;
  source: string;
  /** BGC months: the parameters the month's profiles have (what `variables` may name). */
  parameters?: MonthParameter[];
}

/** A month the master index names whose month object is missing from the index store. */
export interface UnavailableMonth {
  month: string;
  /** The store key the master names (and the store lacks). */
  key: string;
  /** When it was found missing (ISO). */
  since: string;
}

/**
 * Read access to the built months, cached: the master index (short TTL, healed from a listing of
 * month objects when it lags) and month indexes (LRU bounded in bytes, single-flight loads).
 */
export interface MonthCatalog {
  /** The built months, without those known to be unavailable (their object is missing). */
  listMonths(options?: { signal?: AbortSignal }): Promise<MonthSummary[]>;
  /** undefined when the month is not built (or its object is missing). */
  monthDetail(month: string, options?: { signal?: AbortSignal }): Promise<MonthDetail | undefined>;
  /** undefined when the month is not built, or its object is missing from the store (it is then reported). */
  loadMonth(month: string, options?: { signal?: AbortSignal }): Promise<MonthIndex | undefined>;
  /** The month's current summary (its master entry: pack included), undefined when not built. */
  monthSummary?(month: string, options?: { signal?: AbortSignal }): Promise<MonthSummary | undefined>;
  /**
   * Months found (by loads so far) to be listed by the master index but missing from the store,
   * until rebuilt or back. Optional: a catalog that cannot lose objects has none to report.
   */
  unavailableMonths?(options?: { signal?: AbortSignal }): Promise<UnavailableMonth[]>;
  /** Forget cached master-index state (after a build finishes). */
  invalidate(): void;
}

// `cancelled`: stopped by an operator (DELETE /admin/builds/{id}); a shutdown's stop is `failed`.
export const BUILD_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type BuildStatus = (typeof BUILD_STATUSES)[number];

export interface MonthBuildCounts {
  /** Files whose `date_update` was unchanged: taken from the previous month object, not downloaded. */
  reused: number;
  /** Files downloaded and read (new, changed, or failed last time). */
  fetched: number;
  /** Files that could not be downloaded or read (listed in `failures`). */
  failed: number;
  /** Files of the previous month object that are gone from the GDAC index (or left the month). */
  dropped: number;
  /** Files read but not listed: no valid time or position. */
  excluded: number;
}

export interface MonthBuildResult extends MonthBuildCounts {
  month: string;
  /** `bgc` for a BGC month (absent: a core month). */
  dataset?: 'bgc';
  profiles: number;
  key: string;
  /** Nothing changed since the current version: it was kept, nothing was written. */
  unchanged?: boolean;
  /** Why the new version was not written (the existing one was kept), when it was refused. */
  refused?: string;
}

export const BUILD_PHASES = ['queued', 'reading-index', 'building', 'done'] as const;
export type BuildPhase = (typeof BUILD_PHASES)[number];

export interface BuildJob {
  id: string;
  status: BuildStatus;
  months: string[];
  progress: { done: number; total: number; failed: number };
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  results: MonthBuildResult[];
  /** Generic error text when status is failed (details in the logs). */
  error?: string;
  /** What the job is doing now (for progress displays). */
  phase?: BuildPhase;
  /** Months finished so far (progress counts files: done/total/failed). */
  monthsDone?: number;
  /**
   * Files the GDAC index lists without a date: read once to place them by their JULD (see
   * gdac-index.ts); `failed` are those that could not be read this time (retried next build).
   */
  undated?: { candidates: number; fetched: number; failures: MonthFailure[] };
  /** Other active jobs already building some of the requested months (not repeated here). */
  joined?: string[];
  /** The datasets the job builds (`phy`, `bgc`); absent: core months only. */
  datasets?: ('phy' | 'bgc')[];
  /** Datasets of the job that were not built, with why (a GDAC with no synthetic index). */
  skipped?: Partial<Record<'phy' | 'bgc', string>>;
}

/** Build progress events, for the command line's progress display. */
export interface BuildEvent {
  type: 'queued' | 'started' | 'progress' | 'month' | 'finished';
  job: BuildJob;
  /** For `month` events: the month just written. */
  result?: MonthBuildResult;
  /**
   * For `finished` events of a failed job: what failed, with its context and `cause` (the job's
   * `error` is only the client-facing text). The command line prints it.
   */
  error?: unknown;
}

export interface BuildService {
  /**
   * Queues a build; a month already queued or running joins that job (its id is returned). Throws
   * BuildQueueFullError when the queue is at its cap.
   */
  submit(request: { months: string[]; allowShrink?: boolean; datasets?: ('phy' | 'bgc')[] }): BuildJob;
  get(id: string): BuildJob | undefined;
  /** Resolves when the job ends (for the command line and tests). */
  wait(id: string, options?: { signal?: AbortSignal }): Promise<BuildJob>;
  /**
   * Cancels a job: a queued one never runs; a running one stops at once (its signal), keeping
   * the months it finished and leaving the others as they were. Returns what the job was when
   * asked, or undefined when there is no such job. The job ends `cancelled`, saying what was kept.
   */
  cancel(id: string): 'queued' | 'running' | 'finished' | undefined;
  /** Recent jobs, newest first: the active ones and the last finished ones (bounded). */
  list(options?: { limit?: number }): BuildJob[];
  /** Listen to every job's events; returns the unsubscribe function. */
  subscribe?(listener: (event: BuildEvent) => void): () => void;
  close(): Promise<void>;
}
