/**
 * `GET /v1/months` and `GET /v1/months/{month}`: which months have a built index. Zod only;
 * imports nothing from `src/`.
 */
import { z } from 'zod';
import { problemSchema } from './common.js';

/** YYYY-MM with a real month number: also what keeps the parameter from naming any other key. */
export const MONTH_REGEX = /^\d{4}-(0[1-9]|1[0-2])$/;

export const monthString = z
  .string()
  .regex(MONTH_REGEX, { error: 'must be a month as YYYY-MM (e.g. 2023-04)' })
  .meta({ example: '2023-04' });

export const monthSummarySchema = z
  .object({
    month: z.string().describe('The month, YYYY-MM (UTC).').meta({ example: '2023-04' }),
    profiles: z.number().int().describe('Profiles in the month index (valid time and position).').meta({ example: 13214 }),
    start: z.string().nullable().describe('Time of the first profile (ISO 8601), null when the month is empty.').meta({ example: '2023-04-01T00:02:10.000Z' }),
    end: z.string().nullable().describe('Time of the last profile (ISO 8601), null when the month is empty.').meta({ example: '2023-04-30T23:58:01.000Z' }),
    built_at: z.string().describe('When this version of the month index was written (ISO 8601).').meta({ example: '2023-05-02T03:10:44.512Z' }),
    failed: z.number().int().describe('GDAC files that could not be downloaded or read at the last build (retried by the next build).').meta({ example: 0 }),
    dataset: z.enum(['phy', 'bgc']).describe('`phy`: core profile files; `bgc`: synthetic (BGC) profile files, queried with dataset=bgc.').meta({ example: 'phy' }),
  })
  .meta({
    id: 'MonthSummary',
    example: { month: '2023-04', profiles: 13214, start: '2023-04-01T00:02:10.000Z', end: '2023-04-30T23:58:01.000Z', built_at: '2023-05-02T03:10:44.512Z', failed: 0, dataset: 'phy' },
  })
  .describe('A built month.');

export const monthsListResponse = z
  .array(monthSummarySchema)
  .describe('The built months, oldest first.')
  .meta({
    example: [
      { month: '2023-03', profiles: 13877, start: '2023-03-01T00:00:41.000Z', end: '2023-03-31T23:59:20.000Z', built_at: '2023-05-02T03:09:12.100Z', failed: 0, dataset: 'phy' },
      { month: '2023-04', profiles: 13214, start: '2023-04-01T00:02:10.000Z', end: '2023-04-30T23:58:01.000Z', built_at: '2023-05-02T03:10:44.512Z', failed: 2, dataset: 'phy' },
      { month: '2023-04', profiles: 3120, start: '2023-04-01T00:40:02.000Z', end: '2023-04-30T23:11:45.000Z', built_at: '2023-05-02T03:12:01.020Z', failed: 0, dataset: 'bgc' },
    ],
  });

export const monthFailureSchema = z
  .object({
    id: z.string().describe('The file, as a path under dac/.').meta({ example: 'aoml/5906072/profiles/R5906072_121.nc' }),
    reason: z.string().describe('Why it could not be indexed.').meta({ example: 'not found on the GDAC (404)' }),
    date_update: z.string().describe('The GDAC index date_update of the file (YYYYMMDDHHMMSS) when it failed.').meta({ example: '20230423223103' }),
  })
  .describe('A file that could not be downloaded or read.');

export const monthDetailResponse = monthSummarySchema
  .extend({
    excluded: z.number().int().describe('Files read but not listed: no valid time or position (never returned by a query).').meta({ example: 3 }),
    source: z.string().describe('The GDAC and profile index the month was built from.').meta({ example: 'GDAC mirrors https://data-argo.ifremer.fr; index ar_index_global_prof.txt.gz' }),
    failures: z.array(monthFailureSchema).describe('The files that failed at the last build.'),
    parameters: z
      .array(
        z.object({
          name: z.string().meta({ example: 'DOXY' }),
          class: z.string().describe('argopy\'s QC class: core, radiometry, cdom or other.').meta({ example: 'other' }),
          units: z.string().nullable().describe('The `units` attribute in the files.').meta({ example: 'micromole/kg' }),
          long_name: z.string().nullable().meta({ example: 'Dissolved oxygen' }),
          standard_name: z.string().nullable().meta({ example: 'moles_of_oxygen_per_unit_mass_in_sea_water' }),
        }),
      )
      .optional()
      .describe('dataset=bgc: the parameters the month\'s profiles have, what `variables` may name, with units and names from the files.'),
  })
  .meta({
    id: 'MonthDetail',
    example: {
      month: '2023-04',
      profiles: 13214,
      start: '2023-04-01T00:02:10.000Z',
      end: '2023-04-30T23:58:01.000Z',
      built_at: '2023-05-02T03:10:44.512Z',
      failed: 1,
      dataset: 'phy',
      excluded: 3,
      source: 'GDAC mirrors https://data-argo.ifremer.fr; index ar_index_global_prof.txt.gz',
      failures: [{ id: 'aoml/5906072/profiles/R5906072_121.nc', reason: 'not found on the GDAC (404)', date_update: '20230423223103' }],
    },
  })
  .describe("One month's summary, with the files that failed to index.");

export const monthParams = z.object({
  month: monthString.describe('The month, YYYY-MM.'),
});

export const monthQuery = z.object({
  dataset: z.enum(['phy', 'bgc']).default('phy').describe('`phy` (default) or `bgc`: which dataset\'s month.').meta({ example: 'bgc' }),
});

export const monthsSchemas = {
  list: { response: { 200: monthsListResponse, 500: problemSchema } },
  detail: {
    params: monthParams,
    querystring: monthQuery,
    response: {
      200: monthDetailResponse,
      400: problemSchema.describe('The month is not YYYY-MM.'),
      404: problemSchema.describe('The month has no built index.'),
      500: problemSchema,
    },
  },
};
