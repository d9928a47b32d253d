/** The operations routes' bodies: liveness and readiness. Zod only; imports nothing from `src/`. */
import { z } from 'zod';

export const healthzResponse = z
  .object({
    status: z.literal('ok'),
    uptime_seconds: z.number(),
    version: z.string().describe("The service's version (its package.json)."),
  })
  .describe('The process is up.');

export const readyzResponse = z
  .object({
    status: z.enum(['ready', 'unavailable']),
    checks: z.object({ index_store: z.object({ ok: z.boolean(), description: z.string(), error: z.string().optional() }) }),
  })
  .describe('Whether the index store is reachable.');
