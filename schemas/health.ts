import { z } from 'zod';
import { problemSchema } from './common.js';

export const healthzResponse = z
  .object({ status: z.literal('ok'), uptime_seconds: z.number(), version: z.string() })
  .describe('The process is up.');

export const readyzResponse = z
  .object({
    status: z.enum(['ready', 'unavailable']),
    checks: z.object({ index_store: z.object({ ok: z.boolean(), description: z.string(), error: z.string().optional() }) }),
  })
  .describe('Whether the index store is reachable.');

export const healthSchemas = {
  healthz: { response: { 200: healthzResponse } },
  readyz: { response: { 200: readyzResponse, 503: readyzResponse.or(problemSchema) } },
};
