/**
 * Float routes: `GET /v1/platforms/{wmo}` (its summary, from the month indexes) and
 * `GET /v1/platforms/{wmo}/profiles` (all its profiles across the built months, with the
 * `/v1/profiles` parameters; start and end optional, no window ceiling). Both read only the months
 * the platform map names for the float (month-index/platform-map.ts).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { platformSchemas } from '../schemas/platforms.js';
import type { ProfilesQueryLimits } from '../schemas/profiles.js';
import { AbortedError, NotFoundError } from '../src/errors.js';
import { platformSummaryView } from '../src/http/views.js';
import { CONTENT_TYPES, selectFormat } from '../src/serialize/index.js';

export interface PlatformsRoutesOptions {
  limits: ProfilesQueryLimits;
}

const PROFILES_DESCRIPTION = [
  "All of a float's profiles across every built month, in time order (then cycle, direction A before D), streamed",
  'like `GET /v1/profiles` and with its parameters (mode, depth, vertical, variables, bbox, fields, max_profiles,',
  'format; not `platform`: the float is in the path). `start` and `end` are optional (the whole record by default)',
  'and the window ceiling (ARGO_MAX_WINDOW_DAYS) does not apply; `max_profiles` and its ceiling do.',
  '',
  'Only the month indexes of the months holding the float are read (the platform map). Headers as for',
  '`/v1/profiles`: `X-Argo-Profiles-Matched`, `X-Argo-Truncated`, `X-Argo-Months-Missing`. 404 when no built month',
  'holds a profile of the float.',
].join('\n');

const platformsRoutes: FastifyPluginAsyncZod<PlatformsRoutesOptions> = async (app, { limits }) => {
  const schemas = platformSchemas(limits);

  app.get(
    '/v1/platforms/:wmo',
    {
      schema: {
        tags: ['platforms'],
        operationId: 'getPlatform',
        summary: "A float's summary",
        description:
          "A float's summary from the month indexes: profiles, cycles, first and last time, last position, DAC, data " +
          'modes, level parameters and the built months holding its profiles. No profile file is read. 404 when no ' +
          'built month holds a profile of the float.',
        ...schemas.summary,
      },
    },
    async (request) => {
      const { wmo } = request.params;
      const summary = await app.platforms.summary(wmo);
      if (!summary) throw new NotFoundError({ message: `No built month holds a profile of float ${wmo}.`, context: { platform: wmo } });
      return platformSummaryView(summary);
    },
  );

  app.get(
    '/v1/platforms/:wmo/profiles',
    {
      schema: {
        tags: ['platforms'],
        operationId: 'getPlatformProfiles',
        summary: "A float's profiles",
        description: PROFILES_DESCRIPTION,
        ...schemas.profiles,
      },
    },
    async (request, reply) => {
      const { format: explicitFormat, ...query } = request.query;
      const { wmo } = request.params;
      const format = selectFormat(explicitFormat, request.headers.accept);
      const hangUp = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) hangUp.abort(new AbortedError({ message: 'client closed the connection' }));
      });
      const response = await app.profileResponder.respond(
        { ...query, platforms: [wmo], float: wmo },
        {
          format,
          signal: hangUp.signal,
          onError: (error) => request.log.error({ err: error }, 'profile stream failed after the headers were sent'),
        },
      );
      reply
        .type(CONTENT_TYPES[format])
        .header('Vary', 'Accept')
        .header('X-Argo-Profiles-Matched', String(response.matched))
        .header('X-Argo-Truncated', String(response.truncated))
        .header('X-Argo-Months-Missing', response.monthsMissing.join(','));
      return reply.send(response.body as never);
    },
  );
};

export default platformsRoutes;
