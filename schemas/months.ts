/**
 * `GET /v1/months` and `GET /v1/months/{month}`: which months have a built index. Zod only;
 * imports nothing from `src/`.
 */
import { z } from 'zod';
import { commonProblems, count, problemResponse } from './common.js';

/** YYYY-MM with a real month number: also what keeps the parameter from naming any other key. */
export const MONTH_REGEX = /^\d{4}-(0[1-9]|1[0-2])$/;

export const monthString = z
  .string()
  .regex(MONTH_REGEX, { error: (issue) => `must be a month as YYYY-MM, such as 2024-01 (got ${JSON.stringify(issue.input)})` })
  .meta({ example: '2024-01' });

export const monthPackSchema = z
  .object({
    key: z.string().describe('Store key of the Parquet file, relative to the index store (ARGO_INDEX_STORE).').meta({ example: 'packs/2024/2024-01.20240201T031044512Z-4f9a2c1e.parquet' }),
    bytes: count().describe('Size of the pack in bytes.').meta({ example: 221304 }),
    rows: count().describe('Profiles in the pack (one row each).').meta({ example: 149 }),
  })
  .describe("The month's data pack (docs/data-packs.md): every profile's level arrays as one Parquet file, versioned with the month index. Absent for a month built before packs.");

export const monthSummarySchema = z
  .object({
    month: z.string().describe('The month, YYYY-MM (UTC).').meta({ example: '2024-01' }),
    profiles: count().describe('Profiles in the month index (valid time and position).').meta({ example: 149 }),
    start: z.string().nullable().describe('Time of the first profile (ISO 8601), null when the month is empty.').meta({ example: '2024-01-01T06:33:00.000Z' }),
    end: z.string().nullable().describe('Time of the last profile (ISO 8601), null when the month is empty.').meta({ example: '2024-01-31T23:59:59.600Z' }),
    built_at: z.string().describe('When this version of the month index was written (ISO 8601).').meta({ example: '2024-02-01T03:10:44.512Z' }),
    failed: count().describe('GDAC files that could not be downloaded or read at the last build (retried by the next build).').meta({ example: 0 }),
    dataset: z.enum(['phy', 'bgc']).describe('`phy`: core profile files; `bgc`: synthetic (BGC) profile files, queried with dataset=bgc.').meta({ example: 'phy' }),
    pack: monthPackSchema.optional(),
  })
  .describe('A built month.')
  .meta({
    id: 'MonthSummary',
    example: { month: '2024-01', profiles: 149, start: '2024-01-01T06:33:00.000Z', end: '2024-01-31T23:59:59.600Z', built_at: '2024-02-01T03:10:44.512Z', failed: 0, dataset: 'phy' },
  });

export const monthsListResponse = z
  .array(monthSummarySchema)
  .describe('The built months, oldest first.')
  .meta({
    example: [
      { month: '2024-01', profiles: 149, start: '2024-01-01T06:33:00.000Z', end: '2024-01-31T23:59:59.600Z', built_at: '2024-02-01T03:10:44.512Z', failed: 0, dataset: 'phy' },
      { month: '2024-02', profiles: 149, start: '2024-02-01T05:54:00.000Z', end: '2024-02-29T23:59:59.600Z', built_at: '2024-03-01T03:09:12.100Z', failed: 1, dataset: 'phy' },
      { month: '2024-01', profiles: 12, start: '2024-01-02T04:10:00.000Z', end: '2024-01-30T21:40:00.000Z', built_at: '2024-02-01T03:12:01.020Z', failed: 0, dataset: 'bgc' },
    ],
  });

export const monthFailureSchema = z
  .object({
    id: z.string().describe('The file, as a path under dac/.').meta({ example: 'aoml/1910000/profiles/R1910000_031.nc' }),
    reason: z.string().describe('Why it could not be indexed.').meta({ example: 'not found on the GDAC (404)' }),
    date_update: z.string().describe('The GDAC index date_update of the file (YYYYMMDDHHMMSS) when it failed.').meta({ example: '20240123223103' }),
  })
  .describe('A file that could not be downloaded or read.');

export const monthDetailResponse = monthSummarySchema
  .extend({
    excluded: count().describe('Files read but not listed: no valid time or position (never returned by a query).').meta({ example: 1 }),
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
  .describe("One month's summary, with the files that failed to index.")
  .meta({
    id: 'MonthDetail',
    example: {
      month: '2024-01',
      profiles: 149,
      start: '2024-01-01T06:33:00.000Z',
      end: '2024-01-31T23:59:59.600Z',
      built_at: '2024-02-01T03:10:44.512Z',
      failed: 1,
      dataset: 'phy',
      excluded: 1,
      source: 'GDAC mirrors https://data-argo.ifremer.fr; index ar_index_global_prof.txt.gz',
      failures: [{ id: 'aoml/1910000/profiles/R1910000_031.nc', reason: 'not found on the GDAC (404)', date_update: '20240123223103' }],
    },
  });

export const monthParams = z.object({
  month: monthString.describe('The month, YYYY-MM.'),
});

export const monthQuery = z.object({
  dataset: z.enum(['phy', 'bgc']).default('phy').describe('`phy` (default) or `bgc`: which dataset\'s month.').meta({ example: 'phy' }),
});

export const monthsSchemas = {
  list: { response: { 200: monthsListResponse, ...commonProblems } },
  detail: {
    params: monthParams,
    querystring: monthQuery,
    response: {
      200: monthDetailResponse,
      400: problemResponse('The month is not YYYY-MM.', {
        detail: 'Invalid request: month: must be a month as YYYY-MM, such as 2024-01 (got "2024-1")',
        instance: '/v1/months/2024-1',
        errors: [{ parameter: 'month', message: 'must be a month as YYYY-MM, such as 2024-01 (got "2024-1")' }],
      }),
      404: problemResponse('The month has no built index.', { detail: 'Month 2023-04 has no built index.', instance: '/v1/months/2023-04' }),
      ...commonProblems,
    },
  },
};
