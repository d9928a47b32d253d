/**
 * `GET /v1/profiles`: parse (zod, ceilings from the options) → one call of the profile responder
 * (`app.profileResponder`) → stream the body. The headers come from the plan, so they are sent
 * before the first profile is read.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { profilesQuerySchema, profilesResponses, type ProfilesQueryLimits } from '../schemas/profiles.js';
import { AbortedError } from '../src/errors.js';
import { CONTENT_TYPES, selectFormat } from '../src/serialize/index.js';

export interface ProfilesRoutesOptions {
  /** The query ceilings (the config's `limits`): they shape the schema and its documentation. */
  limits: ProfilesQueryLimits;
}

const DESCRIPTION = [
  'The Argo profiles whose time is in `[start, end)`, filtered by QC mode, area and platform, on',
  'depth levels (TEOS-10), pressure levels or their native levels, in time order (then platform,',
  'cycle, direction A before D), streamed as NDJSON (default), JSON or CSV.',
  '',
  'Headers sent before the body: `X-Argo-Profiles-Matched` (matches before the cap),',
  '`X-Argo-Truncated` (`true` when `max_profiles` cut the result) and `X-Argo-Months-Missing`',
  '(months of the window with no built index, comma list, empty when none).',
  '',
  '`fields=positions` returns each profile\'s metadata and position only, from the month indexes',
  'alone (no profile file is read): a cheap way to map a window before fetching level data.',
  '',
  'Validation: every bad parameter is reported in one 400 `application/problem+json` whose',
  '`errors` name each parameter. Unknown parameters, repeated parameters and empty values are',
  'rejected (a typo never silently widens a query). Ceilings: the window length',
  '(ARGO_MAX_WINDOW_DAYS), the number of levels (ARGO_MAX_LEVELS) and `max_profiles`',
  '(ARGO_MAX_PROFILES_LIMIT).',
  '',
  'A failure after the body started ends it with `{"error":{"status":502,"message":"..."}}` (last',
  'NDJSON line, or the `error` member of the JSON object) or a last CSV line `# error: 502 ...`.',
  '',
  'Time limits: a query running past ARGO_QUERY_TIMEOUT_SECONDS (planning to last profile) is ended',
  'with a 504, as a problem before the body started or as the error line after; a client that',
  'accepts no bytes for ARGO_SEND_TIMEOUT_SECONDS is disconnected.',
].join('\n');

const profilesRoutes: FastifyPluginAsyncZod<ProfilesRoutesOptions> = async (app, { limits }) => {
  app.get(
    '/v1/profiles',
    {
      schema: {
        tags: ['profiles'],
        operationId: 'queryProfiles',
        summary: 'Query profiles in a time window',
        description: DESCRIPTION,
        querystring: profilesQuerySchema(limits),
        response: profilesResponses,
      },
    },
    async (request, reply) => {
      const { format: explicitFormat, ...query } = request.query;
      const format = selectFormat(explicitFormat, request.headers.accept);

      // The response's 'close' before it finished means the client went away, or the send
      // timeout cut it (the request's own 'close' fires as soon as its body is read, which for a
      // GET is at once).
      const hangUp = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) hangUp.abort(new AbortedError({ message: 'client closed the connection' }));
      });

      const response = await app.profileResponder.respond(query, {
        format,
        signal: hangUp.signal,
        onError: (error) => request.log.error({ err: error }, 'profile stream failed after the headers were sent'),
      });
      reply
        .type(CONTENT_TYPES[format])
        .header('Vary', 'Accept')
        .header('X-Argo-Profiles-Matched', String(response.matched))
        .header('X-Argo-Truncated', String(response.truncated))
        .header('X-Argo-Months-Missing', response.monthsMissing.join(','));
      // The response schemas document the streamed body; a stream is sent as it is, never serialized.
      return reply.send(response.body as never);
    },
  );
};

export default profilesRoutes;
