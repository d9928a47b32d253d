/**
 * Operations routes: liveness, readiness (`app.store` reachable), Prometheus metrics
 * (`app.metrics`).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { healthzResponse, readyzResponse } from '../schemas/health.js';
import { SERVICE_VERSION } from '../src/version.js';

// Readiness must answer quickly even when the store hangs: an orchestrator probes every few seconds.
const READY_TIMEOUT_MS = 3000;

const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/healthz',
    {
      // Liveness is never shed: a busy replica is alive, and restarting it would cut capacity further.
      config: { pressureHandler: () => undefined },
      schema: {
        tags: ['operations'],
        operationId: 'getHealth',
        summary: 'Liveness',
        description: 'Answers 200 while the process is up. Does not touch the index store or the GDAC.',
        response: { 200: healthzResponse },
      },
    },
    async () => ({ status: 'ok' as const, uptime_seconds: Math.round(process.uptime()), version: SERVICE_VERSION }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        operationId: 'getReadiness',
        summary: 'Readiness',
        description:
          'Answers 200 when the index store is reachable, 503 otherwise. A 200 with `status: degraded` lists the built ' +
          'months whose month object is missing from the store (queries report them in X-Argo-Months-Missing and ' +
          'serve the rest; a rebuild heals them): the replica stays in rotation, since every replica shares the store.',
        response: { 200: readyzResponse, 503: readyzResponse },
      },
    },
    async (request, reply) => {
      const { store, catalog } = app;
      try {
        const signal = AbortSignal.timeout(READY_TIMEOUT_MS);
        await store.ping({ signal });
        const index_store = { ok: true, description: store.description };
        // Still ready: the other months serve, and taking this replica out would not bring the
        // month back (every replica reads the same store). Monitoring alerts on `degraded`.
        const unavailable = (await catalog.unavailableMonths?.({ signal }).catch(() => [])) ?? [];
        if (unavailable.length === 0) return { status: 'ready' as const, checks: { index_store } };
        const months = { ok: false, unavailable: unavailable.map((u) => u.month), error: 'month objects missing from the index store; rebuild these months' };
        return { status: 'degraded' as const, checks: { index_store, months } };
      } catch (error) {
        request.log.warn({ err: error }, 'index store not reachable');
        return reply.code(503).send({
          status: 'unavailable' as const,
          checks: { index_store: { ok: false, description: store.description, error: 'index store not reachable' } },
        });
      }
    },
  );

  app.get(
    '/metrics',
    {
      // Metrics matter most under load: never shed them.
      config: { pressureHandler: () => undefined },
      schema: {
        tags: ['operations'],
        operationId: 'getMetrics',
        summary: 'Prometheus metrics',
        description:
          'Prometheus text format: request counts and latencies per route, process metrics, GDAC requests by outcome and ' +
          'bytes, hits and misses of each cache, build durations and files by outcome, and the age of the newest month.',
      },
    },
    async (_request, reply) => {
      reply.type(app.metrics.contentType);
      return app.metrics.metrics();
    },
  );
};

export default healthRoutes;
