/**
 * The OpenAPI document (@fastify/swagger), generated from the routes' zod schemas through
 * fastify-type-provider-zod (../../openapi-transform.ts), and served at /openapi.json. `npm run openapi` writes the same
 * document to openapi/openapi.json (see ../../openapi-document.ts).
 */
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { transformDocument, transformRoute } from '../../openapi-transform.js';

/** The version of the API contract (the OpenAPI `info.version`), not of the package. */
export const API_VERSION = '1.0.0';

export const OPENAPI_INFO = {
  title: 'Argo profiles service',
  version: API_VERSION,
  description:
    'Time-window queries over the Argo float profiles (temperature, salinity, pressure) of the ' +
    'Argo GDAC, with Argo QC applied and values interpolated onto depth (TEOS-10) or pressure ' +
    'levels. Results stream as NDJSON, JSON or CSV.',
  license: { name: 'MIT' },
};

export default fp(
  async function swaggerPlugin(app: FastifyInstance) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: OPENAPI_INFO,
        tags: [
          { name: 'profiles', description: 'Query Argo profiles by time window, area and platform.' },
          { name: 'platforms', description: "One float: its summary and all its profiles, across every built month." },
          { name: 'months', description: 'Which months have a built index.' },
          { name: 'admin', description: 'Build month indexes, list and cancel builds, remove months (bearer token).' },
          { name: 'operations', description: 'Health, readiness, metrics and this documentation.' },
          { name: 'pages', description: 'Web pages: the landing page and the explorer.' },
        ],
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', description: 'ARGO_ADMIN_TOKEN' },
            apiKey: {
              type: 'apiKey',
              in: 'header',
              name: 'X-API-Key',
              description: 'Optional: a key from ARGO_API_KEYS, whose own rate limit applies instead of the per-address one.',
            },
          },
        },
      },
      // fastify-type-provider-zod's transforms, keeping response headers and examples and
      // naming each type once (see ../../openapi-transform.ts).
      transform: transformRoute,
      transformObject: transformDocument,
    });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'swagger' },
);
