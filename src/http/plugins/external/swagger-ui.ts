/** Swagger UI (@fastify/swagger-ui) at /docs, over the document of the swagger plugin. */
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { servePagesUnderLoad } from '../app/pages.js';

export default fp(
  async function swaggerUiPlugin(app: FastifyInstance) {
    // In a scope of its own: its page and files are served under load, like the other pages.
    await app.register(async (scope) => {
      servePagesUnderLoad(scope);
      await scope.register(swaggerUi, {
        routePrefix: '/docs',
        staticCSP: true,
        // BaseLayout: the operations without Swagger UI's top bar. The top bar draws Swagger's logo as
        // an SVG holding an inline <style>, which the strict CSP (no 'unsafe-inline') blocks with a
        // console error; its other content, a box to load another document, has no use here.
        uiConfig: { layout: 'BaseLayout' },
      });
    });
  },
  { name: 'swagger-ui', dependencies: ['swagger'] },
);
