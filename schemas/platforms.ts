/**
 * Float routes: `GET /v1/platforms/{wmo}` (a float's summary) and `GET /v1/platforms/{wmo}/profiles`
 * (its profiles, with the `/v1/profiles` parameters; start and end optional). Zod only; imports
 * nothing from `src/`.
 */
import { z } from 'zod';
import { commonProblems, count, problemResponse } from './common.js';
import { profilesQuerySchema, profilesResponses, type ProfilesQueryLimits } from './profiles.js';

export const platformParams = z.object({
  wmo: z
    .string()
    .regex(/^\d{5,8}$/, { error: 'must be a WMO platform number (5 to 8 digits)' })
    .describe('The WMO platform number of the float.')
    .meta({ example: '6903247' }),
});

export const platformSummarySchema = z
  .object({
    platform: z.string().meta({ example: '6903247' }),
    dacs: z.array(z.string()).describe('Data assembly centre(s) of its files (normally one).').meta({ example: ['coriolis'] }),
    profiles: count().describe('Listed profiles (valid time and position), every direction and data mode.').meta({ example: 142 }),
    cycles: count().describe('Distinct cycle numbers.').meta({ example: 141 }),
    first_cycle: count().meta({ example: 0 }),
    last_cycle: count().meta({ example: 140 }),
    first_time: z.string().describe('Time of its first profile (ISO 8601, UTC).').meta({ example: '2019-03-02T11:04:00.000Z' }),
    last_time: z.string().describe('Time of its last profile.').meta({ example: '2023-04-28T10:51:00.000Z' }),
    last_position: z
      .object({ latitude: z.number(), longitude: z.number(), time: z.string(), cycle: count() })
      .describe('Position of its last profile.')
      .meta({ example: { latitude: 44.12, longitude: -20.53, time: '2023-04-28T10:51:00.000Z', cycle: 140 } }),
    data_modes: z.record(z.string(), count()).describe('Profiles per data mode (R real time, A adjusted, D delayed mode).').meta({ example: { R: 12, D: 130 } }),
    parameters: z.array(z.string()).describe("Level parameters of its files (from the month indexes' file layouts).").meta({ example: ['PRES', 'PSAL', 'TEMP'] }),
    months: z.array(z.string()).describe('Built months holding its profiles, in calendar order.').meta({ example: ['2023-03', '2023-04'] }),
  })
  .meta({ id: 'PlatformSummary' })
  .describe("A float's summary, from the month indexes (no profile file is read).");

const notFound = problemResponse('No built month holds a profile of this float.', {
  detail: 'No built month holds a profile of float 1234567.',
  instance: '/v1/platforms/1234567',
});

export function platformSchemas(limits: ProfilesQueryLimits) {
  return {
    summary: {
      params: platformParams,
      response: {
        200: platformSummarySchema,
        400: problemResponse('The WMO number is malformed.', {
          detail: 'Invalid request: wmo: a WMO platform number is 5 to 7 digits',
          instance: '/v1/platforms/69x',
          errors: [{ parameter: 'wmo', message: 'a WMO platform number is 5 to 7 digits' }],
        }),
        404: notFound,
        502: problemResponse('The index store answered with a corrupt month index.', { detail: 'The index store failed to deliver the data; try again later.' }),
        ...commonProblems,
      },
    },
    profiles: {
      params: platformParams,
      querystring: profilesQuerySchema(limits, { scope: 'float' }),
      response: { ...profilesResponses, 404: notFound },
    },
  };
}
