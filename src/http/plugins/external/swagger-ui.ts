/** Swagger UI (@fastify/swagger-ui) at /docs, over the document of the swagger plugin. */
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export default fp(
  async function swaggerUiPlugin(app: FastifyInstance) {
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  },
  { name: 'swagger-ui', dependencies: ['swagger'] },
);
