/**
 * The services' Prometheus series: GDAC requests and bytes, the hits and misses of every cache,
 * builds, and how fresh the built months are. Counters and gauges are read at scrape time from
 * the services' own `stats()` (the domain keeps plain counters and knows nothing of Prometheus);
 * builds, which keep no running totals, are observed from their events.
 *
 *     argo_gdac_requests_total{outcome}        attempts sent to the GDAC, by how they ended
 *     argo_gdac_read_bytes_total               body bytes received from the GDAC
 *     argo_gdac_retries_total                  transient failures retried
 *     argo_gdac_failovers_total                moves to the next mirror
 *     argo_cache_hits_total{cache}             month | level | output | response
 *     argo_cache_misses_total{cache}
 *     argo_cache_entries{cache}
 *     argo_cache_size_bytes{cache}             bytes charged against the cache's budget
 *     argo_master_index_loads_total            master index reads (TTL expiries, invalidations)
 *     argo_build_duration_seconds{status}      histogram of finished build jobs
 *     argo_build_files_total{outcome}          reused | fetched | failed | dropped | excluded
 *     argo_months_built                        months with a built index
 *     argo_newest_month_age_seconds{month}     since the newest month was last built
 *     argo_newest_profile_age_seconds{month}   since the newest profile of the built months
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { GdacSource } from '../gdac/types.js';
import { GDAC_OUTCOMES } from '../gdac/with-outcome-count.js';
import type { Logger } from '../logger.js';
import type { BuildServiceImpl } from '../month-index/build-service.js';
import type { MonthCatalogImpl } from '../month-index/catalog.js';
import type { MonthBuildCounts, MonthSummary } from '../month-index/types.js';
import type { QueryServiceWithStats } from '../query/service.js';
import type { ProfileResponder } from './profile-responder.js';

export interface ServiceMetricsSources {
  gdac: Pick<GdacSource, 'stats'>;
  catalog: Pick<MonthCatalogImpl, 'stats' | 'listMonths'>;
  query: Pick<QueryServiceWithStats, 'cacheStats' | 'outputCacheStats'>;
  responder: Pick<ProfileResponder, 'cacheStats'>;
  builds: Pick<BuildServiceImpl, 'subscribe'>;
  logger?: Pick<Logger, 'warn'>;
  /** Clock for the age gauges (tests). */
  now?: () => number;
}

interface CacheCounts {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
}

// From a few seconds (an incremental rebuild with nothing new) to two hours (a cold build of a
// busy month over a slow mirror).
const BUILD_DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];

// A scrape must answer even when the index store hangs: the age gauges are left out after 2 s.
const MONTHS_LIST_TIMEOUT_MS = 2000;

const FILE_OUTCOMES = ['reused', 'fetched', 'failed', 'dropped', 'excluded'] as const satisfies readonly (keyof MonthBuildCounts)[];

/** Registers the series on `registry`; returns the function that stops observing builds. */
export function registerServiceMetrics(registry: Registry, sources: ServiceMetricsSources): () => void {
  const { gdac, catalog, query, responder, builds, logger } = sources;
  const now = sources.now ?? Date.now;
  const registers = [registry];

  // Counters that mirror a running total: reset and set to the total at each scrape.
  const counterOf = <L extends string>(name: string, help: string, labelNames: readonly L[], read: (set: (labels: Record<L, string>, value: number) => void) => void) =>
    new Counter<L>({
      name,
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        read((labels, value) => this.inc(labels, value));
      },
    });
  const totalOf = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(read());
      },
    });

  counterOf('argo_gdac_requests_total', 'Attempts sent to the GDAC (each retry counts), by how they ended.', ['outcome'], (set) => {
    const outcomes = gdac.stats().outcomes;
    for (const outcome of GDAC_OUTCOMES) set({ outcome }, outcomes?.[outcome] ?? 0);
  });
  totalOf('argo_gdac_read_bytes_total', 'Body bytes received from the GDAC.', () => gdac.stats().bytes);
  totalOf('argo_gdac_retries_total', 'Transient GDAC failures retried.', () => gdac.stats().retries);
  totalOf('argo_gdac_failovers_total', 'Moves to the next GDAC mirror after a mirror failed.', () => gdac.stats().failovers);

  const caches = (): Record<'month' | 'level' | 'output' | 'response', CacheCounts> => {
    const month = catalog.stats();
    return {
      month: { hits: month.monthHits, misses: month.monthLoads, entries: month.cachedMonths, bytes: month.cachedBytes },
      level: query.cacheStats(),
      output: query.outputCacheStats(),
      response: responder.cacheStats(),
    };
  };
  const perCache = (read: (c: CacheCounts) => number) => (set: (labels: { cache: string }, value: number) => void) => {
    for (const [cache, counts] of Object.entries(caches())) set({ cache }, read(counts));
  };
  counterOf('argo_cache_hits_total', 'Cache hits: month (decoded month indexes), level (decoded level data), output (finished profiles), response (finished bodies).', ['cache'], perCache((c) => c.hits));
  counterOf('argo_cache_misses_total', 'Cache misses (a month load, a level read, a profile computed, a body serialized).', ['cache'], perCache((c) => c.misses));
  new Gauge({
    name: 'argo_cache_entries',
    help: 'Entries held by each cache.',
    labelNames: ['cache'],
    registers,
    collect() {
      perCache((c) => c.entries)((labels, value) => this.set(labels, value));
    },
  });
  new Gauge({
    name: 'argo_cache_size_bytes',
    help: "Bytes charged against each cache's budget (an estimate of the memory it holds).",
    labelNames: ['cache'],
    registers,
    collect() {
      perCache((c) => c.bytes)((labels, value) => this.set(labels, value));
    },
  });
  totalOf('argo_master_index_loads_total', 'Reads of the master index (after its TTL or a finished build).', () => catalog.stats().masterLoads);

  const buildDuration = new Histogram({
    name: 'argo_build_duration_seconds',
    help: 'Duration of finished build jobs, from start to end, by final status.',
    labelNames: ['status'],
    buckets: BUILD_DURATION_BUCKETS,
    registers,
  });
  const buildFiles = new Counter({
    name: 'argo_build_files_total',
    help: 'GDAC files handled by builds, by outcome: reused (unchanged), fetched, failed, dropped (gone from the index), excluded (no valid time or position).',
    labelNames: ['outcome'],
    registers,
  });
  for (const outcome of FILE_OUTCOMES) buildFiles.inc({ outcome }, 0);
  const unsubscribe = builds.subscribe((event) => {
    if (event.type === 'month' && event.result) {
      for (const outcome of FILE_OUTCOMES) buildFiles.inc({ outcome }, event.result[outcome]);
    } else if (event.type === 'finished' && event.job.startedAt && event.job.finishedAt) {
      const seconds = (Date.parse(event.job.finishedAt) - Date.parse(event.job.startedAt)) / 1000;
      if (seconds >= 0) buildDuration.observe({ status: event.job.status }, seconds);
    }
  });

  // One listing per scrape, shared by the three gauges below (the registry collects them at once).
  let listing: Promise<MonthSummary[] | undefined> | undefined;
  const builtMonths = (): Promise<MonthSummary[] | undefined> => {
    listing ??= catalog
      .listMonths({ signal: AbortSignal.timeout(MONTHS_LIST_TIMEOUT_MS) })
      .catch((error: unknown) => {
        logger?.warn({ err: error }, 'metrics: the built months could not be listed');
        return undefined;
      })
      .finally(() => {
        listing = undefined;
      });
    return listing;
  };
  const secondsSince = (iso: string | null | undefined): number | undefined => (iso ? (now() - Date.parse(iso)) / 1000 : undefined);
  new Gauge({
    name: 'argo_months_built',
    help: 'Months with a built index (the last known count when the index store cannot be listed).',
    registers,
    async collect() {
      const months = await builtMonths();
      if (months) this.set(months.length);
    },
  });
  // Labelled with the month, so the series is absent (not a misleading 0) when no month is built
  // or the store cannot be listed.
  const ageGauge = (name: string, help: string, pick: (months: MonthSummary[]) => MonthSummary | undefined, at: (m: MonthSummary) => string | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['month'],
      registers,
      async collect() {
        this.reset();
        const months = await builtMonths();
        const month = months && pick(months);
        const seconds = month && secondsSince(at(month));
        if (month && seconds !== undefined) this.set({ month: month.month }, seconds);
      },
    });
  ageGauge(
    'argo_newest_month_age_seconds',
    'Seconds since the newest built month (the latest YYYY-MM, labelled) was last built.',
    (months) => months.at(-1),
    (m) => m.builtAt,
  );
  ageGauge(
    'argo_newest_profile_age_seconds',
    'Seconds since the newest profile of the built months (its month labelled): how far the data lags behind now.',
    (months) => months.findLast((m) => m.end !== null),
    (m) => m.end,
  );

  return unsubscribe;
}
