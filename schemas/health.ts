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
    status: z
      .enum(['ready', 'degraded', 'unavailable'])
      .describe('`degraded`: ready (200), but some months cannot be served: see `checks.months`.'),
    checks: z.object({
      index_store: z.object({ ok: z.boolean(), description: z.string(), error: z.string().optional() }),
      months: z
        .object({
          ok: z.boolean(),
          unavailable: z.array(z.string()).describe('Months the master index lists whose month object is missing from the store.'),
          error: z.string().optional(),
        })
        .optional()
        .describe('Present when some built months cannot be served until they are rebuilt.'),
    }),
  })
  .describe('Whether the index store is reachable, and which built months cannot be served.');
