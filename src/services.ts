/**
 * The service container: one instance of each domain service, built from the config. The HTTP
 * app (src/http/app.ts) and the command line (build-index, demo, bench) use the same container, so
 * they share caches, retries and limits. HTTP concerns (the response cache, serialization) are
 * not here: the app adds them on top.
 */
import type { Config } from './config.js';
import { createGdacSource } from './gdac/index.js';
import type { GdacSource } from './gdac/types.js';
import type { Logger } from './logger.js';
import { createBuildService, type BuildServiceImpl } from './month-index/build-service.js';
import type { MonthStep } from './month-index/build/month-steps.js';
import { createPackStep } from './month-index/build/pack-step.js';
import { createMonthCatalog, type MonthCatalogImpl } from './month-index/catalog.js';
import { createPlatformLocator } from './month-index/platform-map.js';
import { createPlatformService, type PlatformService } from './query/platforms.js';
import { datasetStore } from './month-index/datasets.js';
import { withPackSource } from './query/pack-reader.js';
import { withQueryDeadline } from './query/deadline.js';
import { createQueryService, type QueryServiceWithStats } from './query/service.js';
import { createBlobStore } from './storage/index.js';
import type { BlobStore } from './storage/types.js';

export interface Services {
  config: Config;
  logger: Logger;
  store: BlobStore;
  gdac: GdacSource;
  catalog: MonthCatalogImpl;
  /** The BGC months (dataset=bgc), in the store's `bgc/` key space. */
  bgcCatalog: MonthCatalogImpl;
  builds: BuildServiceImpl;
  query: QueryServiceWithStats;
  /** Float summaries (`/v1/platforms/{wmo}`), from the platform map and the month indexes. */
  platforms: PlatformService;
  close(): Promise<void>;
}

export interface CreateServicesOptions {
  config: Config;
  logger: Logger;
  /** Replace parts (tests inject a store or a GDAC source pointing at loopback servers). */
  overrides?: Partial<Pick<Services, 'store' | 'gdac'>>;
  /**
   * The build's month steps from the default ones (the data pack): the bench builds without them,
   * a test wraps them in a probe. Default: as they are.
   */
  withMonthSteps?: (steps: readonly MonthStep[]) => readonly MonthStep[];
}

export function createServices({ config, logger, overrides = {}, withMonthSteps = (steps) => steps }: CreateServicesOptions): Services {
  const store =
    overrides.store ?? createBlobStore({ location: config.store.location, s3: config.s3, timeoutMs: config.store.timeoutMs });
  const gdac =
    overrides.gdac ??
    createGdacSource({
      roots: config.gdac.roots,
      downloadWorkers: config.gdac.downloadWorkers,
      maxRetries: config.gdac.maxRetries,
      retryBackoffMs: config.gdac.retryBackoffMs,
      timeoutMs: config.gdac.timeoutMs,
      // The GDAC's own S3 settings (ARGO_GDAC_S3_*), never the index store's.
      s3: config.gdac.s3,
      s3Anonymous: config.gdac.s3.anonymous,
      logger: logger.child({ component: 'gdac' }),
    });
  const catalog = createMonthCatalog({
    store,
    monthCacheBytes: config.cache.monthBytes,
    masterTtlMs: config.cache.masterTtlMs,
    logger: logger.child({ component: 'catalog' }),
  });
  // BGC months: the same catalog over the store's `bgc/` key space (month-index/datasets.ts).
  const bgcCatalog = createMonthCatalog({
    store: datasetStore(store, 'bgc'),
    monthCacheBytes: config.cache.monthBytes,
    masterTtlMs: config.cache.masterTtlMs,
    logger: logger.child({ component: 'catalog', dataset: 'bgc' }),
  });
  const builds = createBuildService({
    store,
    gdac,
    catalog,
    bgcCatalog,
    indexPath: config.gdac.index,
    syntheticIndexPath: config.gdac.syntheticIndex,
    downloadWorkers: config.gdac.downloadWorkers,
    maxQueued: config.builds.maxQueued,
    // Every month version gets its data pack (docs/data-packs.md).
    steps: withMonthSteps([createPackStep({ store, gdac, logger: logger.child({ component: 'pack' }) })]),
    logger: logger.child({ component: 'builder' }),
  });
  const locator = createPlatformLocator({ store, catalog, logger: logger.child({ component: 'platforms' }) });
  const platforms = createPlatformService({ catalog, locator });
  const query = withQueryDeadline(
    createQueryService({
      catalog,
      locator,
      bgcCatalog,
      gdac,
      profileCacheBytes: config.cache.profileBytes,
      concurrency: config.limits.queryConcurrency,
      logger: logger.child({ component: 'query' }),
      // ARGO_QUERY_SOURCE: a month's data pack in the index store, or GDAC byte ranges.
      withSource: (reader) => withPackSource(reader, { source: config.query.source, store, catalog, logger: logger.child({ component: 'pack' }) }),
    }),
    { timeoutMs: config.limits.queryTimeoutMs },
  );
  let closed: Promise<void> | undefined;
  return {
    config,
    logger,
    store,
    gdac,
    catalog,
    bgcCatalog,
    builds,
    query,
    platforms,
    close() {
      closed ??= (async () => {
        await builds.close();
        await gdac.close();
        await store.close?.();
      })();
      return closed;
    },
  };
}
