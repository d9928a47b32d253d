/**
 * CORS (@fastify/cors): browser dashboards call the API from other origins. The `X-Argo-*`
 * headers carry the plan's facts, and the rate limit's headers say when to come back, so they are
 * exposed to scripts explicitly; a page may send its API key (`X-API-Key`).
 */
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../../config.js';
import { RATE_LIMIT_HEADERS } from './rate-limit.js';

/** The headers routes/profiles.ts sends with the plan's facts. */
export const ARGO_HEADERS = ['X-Argo-Profiles-Matched', 'X-Argo-Truncated', 'X-Argo-Months-Missing'] as const;

export interface CorsPluginOptions {
  /** ARGO_CORS_ORIGINS: '*' or a list of origins. */
  origins: Config['cors']['origins'];
}

// Browsers may cache a preflight for 10 minutes: the allowed methods and headers never change
// while a replica runs.
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export default fp(
  async function corsPlugin(app: FastifyInstance, options: CorsPluginOptions) {
    await app.register(cors, {
      origin: options.origins,
      methods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'X-Request-Id', 'X-API-Key'],
      // Browsers hide response headers from scripts unless they are exposed explicitly.
      exposedHeaders: [...ARGO_HEADERS, 'X-Request-Id', 'Location', 'Link', ...RATE_LIMIT_HEADERS],
      maxAge: PREFLIGHT_MAX_AGE_SECONDS,
    });
  },
  { name: 'cors' },
);
