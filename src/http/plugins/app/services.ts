/** Makes the service container available to routes as `app.services`. */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Services } from '../services.js';

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

export default fp(
  async function services(app: FastifyInstance, options: { services: Services; closeOnShutdown: boolean }) {
    app.decorate('services', options.services);
    if (options.closeOnShutdown) app.addHook('onClose', async () => options.services.close());
  },
  { name: 'services' },
);
