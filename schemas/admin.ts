/**
 * Admin routes: `POST /admin/builds` and `GET /admin/builds/{id}`. Zod only; imports nothing from
 * `src/`.
 *
 * The request names months either as a list or as an inclusive range; both normalize to a sorted
 * list of distinct months, capped (MAX_BUILD_MONTHS) so one request cannot queue centuries.
 */
import { z } from 'zod';
import { problemSchema } from './common.js';
import { MONTH_REGEX, monthFailureSchema, monthString } from './months.js';

// 600 months = 50 years: the whole Argo record (1997–) in one request, and no more.
export const MAX_BUILD_MONTHS = 600;

// Mirrors of month-index/types.ts BUILD_STATUSES and BUILD_PHASES (test/schemas/enums.test.ts).
export const BUILD_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export const BUILD_PHASES = ['queued', 'reading-index', 'building', 'done'] as const;

function monthNumber(month: string): number {
  return Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
}

function monthName(n: number): string {
  return `${String(Math.floor(n / 12)).padStart(4, '0')}-${String((n % 12) + 1).padStart(2, '0')}`;
}

export const buildRequestBody = z
  .object({
    months: z
      .array(monthString)
      .min(1, { error: 'give at least one month' })
      .max(MAX_BUILD_MONTHS, { error: `at most ${MAX_BUILD_MONTHS} months per build` })
      .optional()
      .describe('The months to build, YYYY-MM.'),
    start: monthString.optional().describe('First month of a range (included).'),
    end: monthString.optional().describe('Last month of a range (included).'),
    allow_shrink: z
      .boolean()
      .optional()
      .describe('Accept new month versions that lose more than a fifth of their profiles (refused by default: a stale or partial GDAC index must not empty a month).'),
    dataset: z
      .enum(['phy', 'bgc'])
      .optional()
      .describe('Build only this dataset: `phy` (core profile files) or `bgc` (synthetic profile files). Default: both (BGC skipped when the GDAC has no synthetic profile index).'),
  })
  .strict()
  .superRefine((body, ctx) => {
    const hasRange = body.start !== undefined || body.end !== undefined;
    if (body.months !== undefined && hasRange) {
      ctx.addIssue({ code: 'custom', path: ['months'], message: 'give either months or start and end, not both' });
      return;
    }
    if (body.months === undefined && !hasRange) {
      ctx.addIssue({ code: 'custom', path: ['months'], message: 'give months, or start and end' });
      return;
    }
    if (hasRange) {
      if (body.start === undefined) ctx.addIssue({ code: 'custom', path: ['start'], message: 'is required with end' });
      if (body.end === undefined) ctx.addIssue({ code: 'custom', path: ['end'], message: 'is required with start' });
      if (body.start === undefined || body.end === undefined || !MONTH_REGEX.test(body.start) || !MONTH_REGEX.test(body.end)) return;
      const span = monthNumber(body.end) - monthNumber(body.start) + 1;
      if (span < 1) ctx.addIssue({ code: 'custom', path: ['end'], message: `is before start (${body.start})` });
      else if (span > MAX_BUILD_MONTHS) ctx.addIssue({ code: 'custom', path: ['end'], message: `the range holds ${span} months; at most ${MAX_BUILD_MONTHS} per build` });
    }
  })
  .transform((body): { months: string[]; allowShrink: boolean; datasets?: ('phy' | 'bgc')[] } => {
    const allowShrink = body.allow_shrink ?? false;
    const datasets = body.dataset ? { datasets: [body.dataset] } : {};
    if (body.months) return { months: [...new Set(body.months)].sort(), allowShrink, ...datasets };
    const months: string[] = [];
    for (let n = monthNumber(body.start!); n <= monthNumber(body.end!); n++) months.push(monthName(n));
    return { months, allowShrink, ...datasets };
  })
  .meta({
    id: 'BuildRequest',
    examples: [{ months: ['2023-04'] }, { start: '2023-01', end: '2023-06' }, { months: ['2023-04'], dataset: 'bgc' }],
  })
  .describe('The months to build: `months`, or an inclusive range `start`..`end`.');

const buildResultSchema = z
  .object({
    month: z.string().meta({ example: '2023-04' }),
    dataset: z.literal('bgc').optional().describe('`bgc` for a BGC month (absent: a core month).'),
    profiles: z.number().int().describe('Profiles in the new month index.').meta({ example: 13214 }),
    reused: z.number().int().describe('Files unchanged since the previous version (not downloaded).').meta({ example: 13100 }),
    fetched: z.number().int().describe('Files downloaded and read.').meta({ example: 117 }),
    failed: z.number().int().describe('Files that could not be downloaded or read.').meta({ example: 0 }),
    dropped: z.number().int().describe('Files of the previous version no longer in the GDAC index.').meta({ example: 3 }),
    excluded: z.number().int().describe('Files read but not listed (no valid time or position).').meta({ example: 2 }),
    unchanged: z.boolean().optional().describe('Nothing changed: the current version was kept.'),
    refused: z.string().optional().describe('Why the new version was not written (the existing one was kept).'),
  })
  .describe('What the build did for one month.');

export const buildJobSchema = z
  .object({
    id: z.string().describe('The job id.').meta({ example: '5d0c3c8e-6a8e-4c7e-9a4b-0d3c7f9f2b11' }),
    status: z.enum(BUILD_STATUSES).meta({ example: 'running' }),
    months: z.array(z.string()).describe('The months this job builds.').meta({ example: ['2023-04'] }),
    progress: z
      .object({
        done: z.number().int().describe('Files handled so far.'),
        total: z.number().int().describe('Files to handle (known once the GDAC index has been read; 0 before).'),
        failed: z.number().int().describe('Files that could not be downloaded or read.'),
      })
      .meta({ example: { done: 5200, total: 13220, failed: 1 } }),
    phase: z.enum(BUILD_PHASES).describe('What the job is doing.').meta({ example: 'building' }),
    months_done: z.number().int().describe('Months written so far.').meta({ example: 0 }),
    created_at: z.string().meta({ example: '2023-05-02T03:00:00.000Z' }),
    started_at: z.string().optional().meta({ example: '2023-05-02T03:00:00.010Z' }),
    finished_at: z.string().optional().meta({ example: '2023-05-02T03:10:44.600Z' }),
    results: z.array(buildResultSchema).describe('One entry per month written so far.'),
    error: z.string().optional().describe('Why the job failed (details in the server logs).'),
    joined: z.array(z.string()).optional().describe('Other active jobs already building some of the requested months (not repeated in this job).'),
    datasets: z.array(z.enum(['phy', 'bgc'])).optional().describe('The datasets the job builds (absent: core months only).'),
    skipped: z.record(z.string(), z.string()).optional().describe('Datasets not built, with why (a GDAC without a synthetic profile index).'),
    undated: z
      .object({
        candidates: z.number().int().describe('Files the GDAC index lists without a date.'),
        fetched: z.number().int().describe('Of those, read by this job to place them by their JULD (the others were known).'),
        failures: z.array(monthFailureSchema).describe('Undated files that could not be read (retried by the next build).'),
      })
      .optional()
      .describe('Files listed without a date in the GDAC index, placed in their month by the JULD they hold.'),
  })
  .meta({
    id: 'BuildJob',
    example: {
      id: '5d0c3c8e-6a8e-4c7e-9a4b-0d3c7f9f2b11',
      status: 'succeeded',
      months: ['2023-04'],
      progress: { done: 13220, total: 13220, failed: 1 },
      phase: 'done',
      months_done: 1,
      created_at: '2023-05-02T03:00:00.000Z',
      started_at: '2023-05-02T03:00:00.010Z',
      finished_at: '2023-05-02T03:10:44.600Z',
      results: [{ month: '2023-04', profiles: 13214, reused: 13100, fetched: 120, failed: 1, dropped: 3, excluded: 2 }],
    },
  })
  .describe('A build job.');

export const buildJobParams = z.object({
  id: z
    .string()
    .regex(/^[0-9a-f-]{36}$/, { error: 'must be a build job id' })
    .describe('The job id, from POST /admin/builds.')
    .meta({ example: '5d0c3c8e-6a8e-4c7e-9a4b-0d3c7f9f2b11' }),
});

const authProblems = {
  401: problemSchema.describe('Missing or wrong bearer token.'),
  403: problemSchema.describe('No admin token is configured (ARGO_ADMIN_TOKEN): admin routes are off.'),
};

export const adminSchemas = {
  submit: {
    body: buildRequestBody,
    response: {
      202: buildJobSchema.describe('The job, queued (or the job already building these months).'),
      400: problemSchema.describe('The body is malformed; `errors` names each bad member.'),
      ...authProblems,
      500: problemSchema,
      503: problemSchema.describe('The build queue is full (ARGO_MAX_QUEUED_BUILDS jobs waiting): try again once one has started.'),
    },
  },
  get: {
    params: buildJobParams,
    response: {
      200: buildJobSchema,
      400: problemSchema.describe('The id is malformed.'),
      ...authProblems,
      404: problemSchema.describe('No such job (jobs are kept in memory: the last 200, until restart).'),
      500: problemSchema,
    },
  },
};
