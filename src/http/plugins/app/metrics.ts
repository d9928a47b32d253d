/**
 * Prometheus metrics: the registry (`app.metrics`, served by GET /metrics), process metrics, and
 * request counts and latencies per route. The services' series (GDAC, caches, builds) are added by
 * the service-metrics plugin. One registry per app so tests that build several apps do not collide.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry;
  }
  interface FastifyRequest {
    metricsStart?: bigint;
  }
}

// Buckets from 5 ms (a warm cached query) to 30 s (a cold year-long window).
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export default fp(
  async function metrics(app: FastifyInstance, options: { registry?: Registry }) {
    const registry = options.registry ?? new Registry();
    collectDefaultMetrics({ register: registry });
    const requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by method, route and status.',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    });
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency (until the response ends) by method and route.',
      labelNames: ['method', 'route'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    app.decorate('metrics', registry);
    app.addHook('onRequest', async (request) => {
      request.metricsStart = process.hrtime.bigint();
    });
    app.addHook('onResponse', async (request, reply) => {
      // The route pattern, not the URL, so month ids and build ids do not explode the label set.
      const route = request.routeOptions.url ?? 'unmatched';
      requests.inc({ method: request.method, route, status: String(reply.statusCode) });
      if (request.metricsStart !== undefined) {
        const seconds = Number(process.hrtime.bigint() - request.metricsStart) / 1e9;
        duration.observe({ method: request.method, route }, seconds);
      }
    });
  },
  { name: 'metrics' },
);
