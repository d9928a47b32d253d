/**
 * The OpenAPI document (@fastify/swagger), generated from the routes' zod schemas through
 * fastify-type-provider-zod, and served at /openapi.json. `npm run openapi` writes the same
 * document to openapi/openapi.json (see ../../openapi-document.ts).
 */
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';

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

type RouteDocument = Parameters<typeof jsonSchemaTransform>[0];

/**
 * The zod type provider's transform, keeping the `headers` of responses given by content type
 * (`{ description, content, headers }`), which it drops: each header's zod schema becomes its
 * OpenAPI schema, so a 429 documents its Retry-After and RateLimit-* headers.
 */
export function transformWithResponseHeaders(document: RouteDocument): ReturnType<typeof jsonSchemaTransform> {
  const transformed = jsonSchemaTransform(document);
  const responses = (document.schema as { response?: Record<string, unknown> } | undefined)?.response;
  const out = (transformed.schema as { response?: Record<string, Record<string, unknown>> } | undefined)?.response;
  if (!responses || !out) return transformed;
  for (const [status, response] of Object.entries(responses)) {
    const headers = (response as { headers?: Record<string, unknown> } | null)?.headers;
    if (!headers || !out[status]) continue;
    out[status].headers = Object.fromEntries(
      Object.entries(headers).map(([name, schema]) => {
        if (!(schema instanceof z.ZodType)) return [name, schema];
        const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'output' });
        return [name, json];
      }),
    );
  }
  return transformed;
}

export default fp(
  async function swaggerPlugin(app: FastifyInstance) {
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
      transform: transformWithResponseHeaders,
      transformObject: jsonSchemaTransformObject,
    });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'swagger' },
);
