/**
 * The API's shapes of the month and build objects: the domain's camelCase records mapped onto
 * the snake_case bodies the response schemas (schemas/) describe. The view types are the
 * schemas' own output types, so a member the schema declares and the mapping forgets is a compile
 * error here, not a field that silently never appears. Pure.
 */
import type { z } from 'zod';
import type { buildJobSchema, removedMonthResponse } from '../../schemas/admin.js';
import type { platformSummarySchema } from '../../schemas/platforms.js';
import type { RemovedMonth } from '../month-index/remove-month.js';
import type { PlatformSummary } from '../query/platforms.js';
import type { monthDetailResponse, monthSummarySchema } from '../../schemas/months.js';
import type { BuildJob, MonthBuildResult, MonthDetail, MonthFailure, MonthSummary } from '../month-index/types.js';

export type MonthSummaryView = z.output<typeof monthSummarySchema>;
export type MonthDetailView = z.output<typeof monthDetailResponse>;
export type BuildJobView = z.output<typeof buildJobSchema>;
export type RemovedMonthView = z.output<typeof removedMonthResponse>;
export type PlatformSummaryView = z.output<typeof platformSummarySchema>;
type BuildResultView = BuildJobView['results'][number];
type FailureView = MonthDetailView['failures'][number];

/** Optional members are left out rather than sent empty: `unchanged` only when true, `refused` only when set. */
function buildResultView(r: MonthBuildResult): BuildResultView {
  return {
    month: r.month,
    ...(r.dataset ? { dataset: r.dataset } : {}),
    profiles: r.profiles,
    reused: r.reused,
    fetched: r.fetched,
    failed: r.failed,
    dropped: r.dropped,
    excluded: r.excluded,
    ...(r.unchanged ? { unchanged: true } : {}),
    ...(r.refused !== undefined ? { refused: r.refused } : {}),
  };
}

function failureView(f: MonthFailure): FailureView {
  return { id: f.id, reason: f.reason, date_update: f.dateUpdate };
}

export function monthSummaryView(s: MonthSummary, dataset: 'phy' | 'bgc' = 'phy'): MonthSummaryView {
  return {
    month: s.month,
    profiles: s.profiles,
    start: s.start,
    end: s.end,
    built_at: s.builtAt,
    failed: s.failed,
    dataset,
    ...(s.pack ? { pack: { key: s.pack.key, bytes: s.pack.bytes, rows: s.pack.rows } } : {}),
  };
}

export function monthDetailView(d: MonthDetail, dataset: 'phy' | 'bgc' = 'phy'): MonthDetailView {
  return {
    ...monthSummaryView(d, dataset),
    excluded: d.excluded,
    source: d.source,
    failures: d.failures.map(failureView),
    ...(d.parameters
      ? { parameters: d.parameters.map((p) => ({ name: p.name, class: p.class, units: p.units, long_name: p.longName, standard_name: p.standardName })) }
      : {}),
  };
}

export function buildJobView(job: BuildJob): BuildJobView {
  return {
    id: job.id,
    status: job.status,
    months: job.months,
    progress: { done: job.progress.done, total: job.progress.total, failed: job.progress.failed },
    phase: job.phase ?? (job.status === 'queued' ? 'queued' : job.status === 'running' ? 'building' : 'done'),
    months_done: job.monthsDone ?? job.results.length,
    created_at: job.createdAt,
    ...(job.startedAt ? { started_at: job.startedAt } : {}),
    ...(job.finishedAt ? { finished_at: job.finishedAt } : {}),
    results: job.results.map(buildResultView),
    ...(job.error ? { error: job.error } : {}),
    ...(job.joined?.length ? { joined: job.joined } : {}),
    ...(job.datasets ? { datasets: job.datasets } : {}),
    ...(job.skipped ? { skipped: job.skipped } : {}),
    ...(job.undated
      ? {
          undated: {
            candidates: job.undated.candidates,
            fetched: job.undated.fetched,
            failures: job.undated.failures.map(failureView),
          },
        }
      : {}),
  };
}

export function removedMonthView(r: RemovedMonth): RemovedMonthView {
  return { month: r.summary.month, removed: monthSummaryView(r.summary), deleted_objects: r.deleted.length };
}

export function platformSummaryView(s: PlatformSummary): PlatformSummaryView {
  return {
    platform: s.platform,
    dacs: s.dacs,
    profiles: s.profiles,
    cycles: s.cycles,
    first_cycle: s.firstCycle,
    last_cycle: s.lastCycle,
    first_time: s.firstTime,
    last_time: s.lastTime,
    last_position: s.lastPosition,
    data_modes: s.dataModes,
    parameters: s.parameters,
    months: s.months,
  };
}
