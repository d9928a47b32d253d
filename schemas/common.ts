/**
 * What every route's schemas share: the problem+json error body (RFC 9457) and its responses,
 * and the integer kinds with real bounds. `schemas/` imports nothing from `src/`.
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
