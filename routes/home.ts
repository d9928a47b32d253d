/** `GET /`: a small landing page linking the explorer, the API documentation and the data. */
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { join } from 'node:path';
import { htmlPageResponses } from '../schemas/pages.js';
import { addPageHeaders, servePagesUnderLoad, WEB_ROOT } from '../src/http/plugins/app/pages.js';

const homeRoutes: FastifyPluginAsyncZod = async (app) => {
  addPageHeaders(app);
  servePagesUnderLoad(app);
  // Only for reply.sendFile (ETag, Last-Modified, conditional GET); it serves no folder itself.
  await app.register(fastifyStatic, { root: join(WEB_ROOT, 'home'), serve: false });

  app.get(
    '/',
    {
      schema: {
        tags: ['pages'],
        operationId: 'homePage',
        summary: 'The landing page',
        description:
          'A small HTML page linking the explorer (`/explore`), the API documentation (`/docs`), the built ' +
          'months (`/v1/months`) and the Python client.',
        response: htmlPageResponses,
      },
    },
    async (_request, reply) => reply.sendFile('index.html'),
  );
};

export default homeRoutes;
