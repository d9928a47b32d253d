/** The services' series on the app's registry (../../service-metrics.ts): GDAC, caches, builds, months. */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { registerServiceMetrics } from '../../service-metrics.js';

export default fp(
  async function serviceMetricsPlugin(app: FastifyInstance) {
    const stopObservingBuilds = registerServiceMetrics(app.metrics, {
      gdac: app.gdac,
      catalog: app.catalog,
      query: app.queryService,
      responder: app.profileResponder,
      builds: app.builds,
      logger: app.log,
    });
    app.addHook('onClose', async () => stopObservingBuilds());
  },
  { name: 'service-metrics', dependencies: ['metrics', 'services', 'profile-responder'] },
);
