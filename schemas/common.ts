/**
 * The problem+json error body (RFC 9457), shared by every route's error responses.
 * `schemas/` imports nothing from `src/`.
 */
import { z } from 'zod';

export const problemSchema = z
  .object({
    type: z.string().describe('A URI reference identifying the problem type (about:blank when generic).'),
    title: z.string().describe('Short summary of the HTTP status.'),
    status: z.number().int(),
    detail: z.string().describe('What went wrong, for a human.'),
    instance: z.string().optional().describe('The request path.'),
    request_id: z.string().optional().describe('Quote this when reporting a problem.'),
    errors: z
      .array(z.object({ parameter: z.string(), message: z.string() }))
      .optional()
      .describe('One entry per bad parameter (400 only).'),
  })
  .meta({ id: 'Problem' })
  .describe('An RFC 9457 problem document (application/problem+json).');
