/**
 * OpenAPI from the routes' zod schemas (@fastify/swagger + fastify-type-provider-zod), Swagger UI
 * at /docs. `openapiDocument(app)` is what `npm run openapi` writes to openapi/openapi.json.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

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
  async function openapi(app: FastifyInstance) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: OPENAPI_INFO,
        tags: [
          { name: 'profiles', description: 'Query Argo profiles by time window, area and platform.' },
          { name: 'months', description: 'Which months have a built index.' },
          { name: 'admin', description: 'Build month indexes (bearer token).' },
          { name: 'operations', description: 'Health, readiness, metrics and this documentation.' },
          { name: 'pages', description: 'Web pages: the landing page and the explorer.' },
        ],
        components: {
          securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'ARGO_ADMIN_TOKEN' } },
        },
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      // BaseLayout: the operations without Swagger UI's top bar. The top bar draws Swagger's logo as
      // an SVG holding an inline <style>, which the strict CSP (no 'unsafe-inline') blocks with a
      // console error; its other content, a box to load another document, has no use here.
      uiConfig: { layout: 'BaseLayout' },
    });
  },
  { name: 'openapi' },
);
