/**
 * The public (snake_case, API.md) shapes of the month and build objects, for the routes and the
 * command line. Pure.
 */
import type { BuildJob, MonthDetail, MonthSummary } from './types.js';

export interface MonthSummaryView {
  month: string;
  profiles: number;
  start: string | null;
  end: string | null;
  built_at: string;
  failed: number;
}

export interface MonthDetailView extends MonthSummaryView {
  excluded: number;
  source: string;
  failures: { id: string; reason: string; date_update: string }[];
}

export interface BuildJobView {
  id: string;
  status: BuildJob['status'];
  months: string[];
  progress: { done: number; total: number; failed: number };
  phase: NonNullable<BuildJob['phase']>;
  months_done: number;
  created_at: string;
  started_at?: string;
  finished_at?: string;
  results: { month: string; profiles: number; reused: number; fetched: number; failed: number; dropped: number; excluded: number }[];
  error?: string;
  joined?: string[];
  undated?: { candidates: number; fetched: number; failures: { id: string; reason: string; date_update: string }[] };
}

export function monthSummaryView(s: MonthSummary): MonthSummaryView {
  return { month: s.month, profiles: s.profiles, start: s.start, end: s.end, built_at: s.builtAt, failed: s.failed };
}

export function monthDetailView(d: MonthDetail): MonthDetailView {
  return {
    ...monthSummaryView(d),
    excluded: d.excluded,
    source: d.source,
    failures: d.failures.map((f) => ({ id: f.id, reason: f.reason, date_update: f.dateUpdate })),
  };
}

export function buildJobView(job: BuildJob): BuildJobView {
  return {
    id: job.id,
    status: job.status,
    months: job.months,
    progress: { ...job.progress },
    phase: job.phase ?? (job.status === 'queued' ? 'queued' : job.status === 'running' ? 'building' : 'done'),
    months_done: job.monthsDone ?? job.results.length,
    created_at: job.createdAt,
    ...(job.startedAt ? { started_at: job.startedAt } : {}),
    ...(job.finishedAt ? { finished_at: job.finishedAt } : {}),
    results: job.results.map((r) => ({
      month: r.month,
      profiles: r.profiles,
      reused: r.reused,
      fetched: r.fetched,
      failed: r.failed,
      dropped: r.dropped,
      excluded: r.excluded,
    })),
    ...(job.error ? { error: job.error } : {}),
    ...(job.joined?.length ? { joined: job.joined } : {}),
    ...(job.undated
      ? {
          undated: {
            candidates: job.undated.candidates,
            fetched: job.undated.fetched,
            failures: job.undated.failures.map((f) => ({ id: f.id, reason: f.reason, date_update: f.dateUpdate })),
          },
        }
      : {}),
  };
}
