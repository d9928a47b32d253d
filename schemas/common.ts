/**
 * The problem+json error body (RFC 9457), shared by every route's error responses, and the
 * documentation of the fair-use answers (401 for an unknown API key, 429 with its headers).
 * `schemas/` imports nothing from `src/`.
 */
import { z } from 'zod';

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

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
    cost: z
      .object({
        values: z.number().int().min(0).describe('The estimated level values of the answer: profiles × levels × variables.'),
        limit: z.number().int().min(0).describe('The most one answer may carry (ARGO_MAX_REQUEST_COST).'),
        profiles: z.number().int().min(0).describe('Profiles the answer would hold: the matches, capped by max_profiles.'),
        levels: z.number().int().min(0).describe('Levels per profile: the depth levels asked for, or an estimate for native levels.'),
        levels_estimated: z.boolean().describe('True on native levels, whose count is known only once each profile is read.'),
        variables: z.number().int().min(0).describe('Variables asked for.'),
      })
      .optional()
      .describe('413 only: the request\'s cost and the ceiling, to size the parts of a split.'),
  })
  .meta({ id: 'Problem' })
  .describe('An RFC 9457 problem document (application/problem+json).');

/** An error response as the OpenAPI document shows it: problem+json, with the headers it carries. */
export function problemResponse(description: string, headers?: Record<string, z.ZodType>) {
  return {
    description,
    content: { [PROBLEM_MEDIA_TYPE]: { schema: problemSchema } },
    ...(headers ? { headers } : {}),
  };
}

/**
 * The headers of a rate-limited route (IETF draft "RateLimit header fields for HTTP" names), sent
 * with every answer while rate limiting is on; `Retry-After` comes with a 429.
 */
export const rateLimitHeaders = {
  'Retry-After': z.number().int().min(0).describe('Seconds to wait before the next request is served.').meta({ example: 42 }),
  'RateLimit-Limit': z.number().int().min(1).describe('Requests allowed per minute to this client (its API key, or its address).').meta({ example: 60 }),
  'RateLimit-Remaining': z.number().int().min(0).describe('Requests left in the current minute.').meta({ example: 0 }),
  'RateLimit-Reset': z.number().int().min(0).describe('Seconds until the current minute ends and the count starts again.').meta({ example: 42 }),
};

/** The answers every rate-limited route may give besides its own (see src/http/plugins/external/rate-limit.ts). */
export const rateLimitedResponses = {
  401: problemResponse(
    'The `X-API-Key` header names no key this service knows (checked while rate limiting is on). ' +
      'Send a key you were given, or no header to be served as an anonymous client.',
  ),
  429: problemResponse(
    'Too many requests from this client (its API key, or its address) in the current minute. ' +
      'Wait the seconds of `Retry-After`, then send again; an API key (`X-API-Key`) may carry a higher limit.',
    rateLimitHeaders,
  ),
};
