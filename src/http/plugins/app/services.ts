/**
 * The domain services as typed decorators, one per service: `app.store`, `app.gdac`,
 * `app.catalog`, `app.builds`, `app.queryService`. Handlers reach them at request time, so the
 * routes can be registered (and the OpenAPI printed) without any service behind them.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { GdacSource } from '../../../gdac/types.js';
import type { BuildServiceImpl } from '../../../month-index/build-service.js';
import type { MonthCatalogImpl } from '../../../month-index/catalog.js';
import type { PlatformService } from '../../../query/platforms.js';
import type { QueryServiceWithStats } from '../../../query/service.js';
import type { Services } from '../../../services.js';
import type { BlobStore } from '../../../storage/types.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The index store (month indexes, the master index). */
    store: BlobStore;
    /** The GDAC source (mirrors, s3:// or a directory). */
    gdac: GdacSource;
    /** The built months: master index and month indexes, cached. */
    catalog: MonthCatalogImpl;
    /** The built BGC months (dataset=bgc), in the store's `bgc/` key space. */
    bgcCatalog: MonthCatalogImpl;
    /** Build jobs. */
    builds: BuildServiceImpl;
    /** Profile queries: plan, read, compute. */
    queryService: QueryServiceWithStats;
    /** Float summaries. */
    platforms: PlatformService;
  }
}

export interface ServicesPluginOptions {
  services: Services;
  /** Close the services when the app closes (the app created them). */
  closeOnShutdown: boolean;
}

export default fp(
  async function servicesPlugin(app: FastifyInstance, { services, closeOnShutdown }: ServicesPluginOptions) {
    app.decorate('store', services.store);
    app.decorate('gdac', services.gdac);
    app.decorate('catalog', services.catalog);
    app.decorate('bgcCatalog', services.bgcCatalog);
    app.decorate('builds', services.builds);
    app.decorate('queryService', services.query);
    app.decorate('platforms', services.platforms);
    if (closeOnShutdown) app.addHook('onClose', async () => services.close());
  },
  { name: 'services' },
);
