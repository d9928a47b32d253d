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
  'cycle, direction A before D), streamed as NDJSON (default), JSON, CSV, GeoJSON, Arrow or Parquet.',
  '`polygon` and `near`+`radius_km` select by shape beside `bbox`; every filter combines with AND.',
  '',
  'Headers sent before the body: `X-Argo-Profiles-Matched` (matches before the cap; with a',
  '`cursor`, the matches after it), `X-Argo-Truncated` (`true` when `max_profiles` cut the result),',
  '`X-Argo-Months-Missing` (months of the window with no built index, comma list, empty when none;',
  'with a `cursor`, from the cursor\'s month on) and, when truncated, `Link: <...>; rel="next"`: this',
  'request\'s path and query with `cursor` set to continue strictly after the last profile sent.',
  'Following every next link yields exactly the uncapped result, in order. `HEAD` answers the same',
  'headers with no body and reads no profile file.',
  'With `dataset=bgc`, `X-Argo-Units` (`DOXY=micromole/kg,...`: the requested parameters\' units as the files state them).',
  '',
  '`dataset=bgc` reads the synthetic profile files (BGC parameters: DOXY, CHLA, NITRATE, BBP700, ...)',
  'with argopy\'s QC rules per parameter; each profile carries `parameter_data_mode` and a null `data_mode`.',
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

/**
 * The next page's link: the request's own path and query string (its spelling kept) with `cursor`
 * replaced. An absolute path, so it resolves against whatever origin the client used.
 */
export function nextLinkOf(requestUrl: string, cursor: string): string {
  const at = requestUrl.indexOf('?');
  const path = at < 0 ? requestUrl : requestUrl.slice(0, at);
  const parts = at < 0 ? [] : requestUrl.slice(at + 1).split('&');
  const kept = parts.filter((part) => {
    if (part === '') return false;
    const name = part.split('=', 1)[0];
    try {
      return decodeURIComponent(name.replace(/\+/g, ' ')) !== 'cursor';
    } catch {
      return true;
    }
  });
  // base64url needs no escaping in a query string.
  return `${path}?${[...kept, `cursor=${cursor}`].join('&')}`;
}

function linkHeader(next: string): string {
  return `<${next}>; rel="next"`;
}

const profilesRoutes: FastifyPluginAsyncZod<ProfilesRoutesOptions> = async (app, { limits }) => {
  app.head(
    '/v1/profiles',
    {
      schema: {
        tags: ['profiles'],
        operationId: 'countProfiles',
        summary: 'The headers of a profile query, without its body',
        description:
          'The same headers as `GET /v1/profiles` with the same parameters (X-Argo-Profiles-Matched, ' +
          'X-Argo-Truncated, X-Argo-Months-Missing, Link rel="next", Content-Type), from the month ' +
          'indexes alone: no body, no profile file read.',
        querystring: profilesQuerySchema(limits),
      },
    },
    async (request, reply) => {
      const { format: explicitFormat, ...query } = request.query;
      const format = selectFormat(explicitFormat, request.headers.accept);
      const controller = new AbortController();
      const response = await app.profileResponder.head(query, { signal: controller.signal, linkOf: (c) => nextLinkOf(request.url, c) });
      reply
        .type(CONTENT_TYPES[format])
        .header('Vary', 'Accept')
        .header('X-Argo-Profiles-Matched', String(response.matched))
        .header('X-Argo-Truncated', String(response.truncated))
        .header('X-Argo-Months-Missing', response.monthsMissing.join(','));
      if (response.next) reply.header('Link', linkHeader(response.next));
      return reply.send();
    },
  );

  app.get(
    '/v1/profiles',
    {
      // HEAD is its own route above: the plan only, never the body's level reads.
      exposeHeadRoute: false,
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
        linkOf: (cursor) => nextLinkOf(request.url, cursor),
        onError: (error) => request.log.error({ err: error }, 'profile stream failed after the headers were sent'),
      });
      reply
        .type(CONTENT_TYPES[format])
        .header('Vary', 'Accept')
        .header('X-Argo-Profiles-Matched', String(response.matched))
        .header('X-Argo-Truncated', String(response.truncated))
        .header('X-Argo-Months-Missing', response.monthsMissing.join(','));
      if (response.next) reply.header('Link', linkHeader(response.next));
      if (response.units !== undefined) reply.header('X-Argo-Units', response.units);
      // The response schemas document the streamed body; a stream is sent as it is, never serialized.
      return reply.send(response.body as never);
    },
  );
};

export default profilesRoutes;
