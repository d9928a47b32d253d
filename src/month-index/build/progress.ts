/** Build progress: the counters the steps update, and the report to listeners. */

export interface BuildProgress {
  phase: 'reading-index' | 'building' | 'done';
  /** Files to handle (known after the index pass). */
  total: number;
  done: number;
  failed: number;
  monthsDone: number;
  monthsTotal: number;
}

/** The progress counters the steps update, and the report to listeners. */
export interface ProgressTracker {
  readonly state: BuildProgress;
  report(): void;
}

export function createProgressTracker(monthsTotal: number, onProgress?: (progress: BuildProgress) => void): ProgressTracker {
  const state: BuildProgress = { phase: 'reading-index', total: 0, done: 0, failed: 0, monthsDone: 0, monthsTotal };
  return { state, report: () => onProgress?.({ ...state }) };
}
