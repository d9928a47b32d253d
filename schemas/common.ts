/**
 * What every route's schemas share: the problem+json error body (RFC 9457) and its responses,
 * the integer kinds with real bounds, and the fair-use answers (401 for an unknown API key, 429
 * with its headers). `schemas/` imports nothing from `src/`.
 */
import { z } from 'zod';

/** The media type of every error response (src/http/plugins/app/error-handler.ts sends it). */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/**
 * A count (profiles, files, months): a non-negative 32-bit integer. Explicit bounds, so the
 * OpenAPI document says 0..2147483647 rather than zod's default ±(2^53 − 1).
 */
export const count = () => z.int32().min(0);

/** An HTTP error status, as the problem body and the stream's error line carry it. */
export const errorStatus = () => z.int().min(400).max(599);

export const problemSchema = z
  .object({
    type: z.string().describe('A URI reference identifying the problem type (about:blank when generic).'),
    title: z.string().describe('Short summary of the HTTP status.'),
    status: errorStatus().describe('The HTTP status code, repeated.'),
    detail: z.string().describe('What went wrong, for a human.'),
    instance: z.string().optional().describe('The request path.'),
    request_id: z.string().optional().describe('Quote this when reporting a problem.'),
    errors: z
      .array(z.object({ parameter: z.string(), message: z.string() }))
      .optional()
      .describe('One entry per bad parameter (400 only).'),
    cost: z
      .object({
        values: count().describe('The estimated level values of the answer: profiles × levels × variables.'),
        limit: count().describe('The most one answer may carry (ARGO_MAX_REQUEST_COST).'),
        profiles: count().describe('Profiles the answer would hold: the matches, capped by max_profiles.'),
        levels: count().describe('Levels per profile: the depth levels asked for, or an estimate for native levels.'),
        levels_estimated: z.boolean().describe('True on native levels, whose count is known only once each profile is read.'),
        variables: count().describe('Variables asked for.'),
      })
      .optional()
      .describe('413 only: the request\'s cost and the ceiling, to size the parts of a split.'),
  })
  .describe('An RFC 9457 problem document (application/problem+json).')
  .meta({ id: 'Problem' });

/** What an error response's example says; the OpenAPI transform adds type, title, status and request_id. */
export interface ProblemExample {
  detail: string;
  /** The request path, when it is not the route's own (a path with parameters). */
  instance?: string;
  errors?: { parameter: string; message: string }[];
}

/**
 * An error response as the server sends it: `application/problem+json`, described, with an
 * example of a real answer (src/http/openapi-transform.ts completes it for the document).
 */
export function problemResponse(description: string, example: ProblemExample) {
  return {
    description,
    content: { [PROBLEM_MEDIA_TYPE]: { schema: problemSchema, example } },
  };
}

/** The `Retry-After` header of a 503 sent while shedding load. */
export const retryAfterHeader = z
  .int()
  .min(1)
  .max(3600)
  .describe('Seconds to wait before retrying (sent when the service sheds load).')
  .meta({ example: 5 });

/** The error responses any route can give: a failure of the service, and load shedding. */
export const commonProblems = {
  500: problemResponse('An unexpected failure; the detail is in the server logs (quote request_id).', { detail: 'Internal server error.' }),
  503: {
    ...problemResponse('The service is overloaded (sent with `Retry-After`), or the index store is unreachable.', {
      detail: 'The service is overloaded; try again shortly.',
    }),
    headers: { 'Retry-After': retryAfterHeader },
  },
};

/**
 * The headers of a rate-limited route (IETF draft "RateLimit header fields for HTTP" names), sent
 * with every answer while rate limiting is on; `Retry-After` comes with a 429.
 */
export const rateLimitHeaders = {
  'Retry-After': z.int().min(0).max(3600).describe('Seconds to wait before the next request is served.').meta({ example: 42 }),
  'RateLimit-Limit': z.int().min(1).max(1_000_000).describe('Requests allowed per minute to this client (its API key, or its address).').meta({ example: 60 }),
  'RateLimit-Remaining': z.int().min(0).max(1_000_000).describe('Requests left in the current minute.').meta({ example: 0 }),
  'RateLimit-Reset': z.int().min(0).max(60).describe('Seconds until the current minute ends and the count starts again.').meta({ example: 42 }),
};

/** The answers every rate-limited route may give besides its own (see src/http/plugins/external/rate-limit.ts). */
export const rateLimitedResponses = {
  401: problemResponse(
    'The `X-API-Key` header names no key this service knows (checked while rate limiting is on). ' +
      'Send a key you were given, or no header to be served as an anonymous client.',
    { detail: 'Unknown API key: send a key you were given, or no X-API-Key header.' },
  ),
  429: {
    ...problemResponse(
      'Too many requests from this client (its API key, or its address) in the current minute. ' +
        'Wait the seconds of `Retry-After`, then send again; an API key (`X-API-Key`) may carry a higher limit.',
      { detail: 'Rate limit exceeded: 60 requests per minute; retry in 42 s.' },
    ),
    headers: rateLimitHeaders,
  },
};
