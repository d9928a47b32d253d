/**
 * Admin routes: `POST /admin/builds`, `GET /admin/builds` (recent jobs, paged),
 * `GET /admin/builds/{id}`, `DELETE /admin/builds/{id}` (cancel) and `DELETE /admin/months/{month}`.
 * Zod only; imports nothing from `src/`.
 *
 * The request names months either as a list or as an inclusive range; both normalize to a sorted
 * list of distinct months, capped (MAX_BUILD_MONTHS) so one request cannot queue centuries, and
 * bounded by the Argo record: from FIRST_ARGO_MONTH to the current month of an injected clock.
 */
import { z } from 'zod';
import { commonProblems, count, problemResponse } from './common.js';
import { MONTH_REGEX, monthFailureSchema, monthParams, monthString, monthSummarySchema } from './months.js';

// 600 months = 50 years: the whole Argo record (1997–) in one request, and no more.
export const MAX_BUILD_MONTHS = 600;

/**
 * The first month a build may name: the first Argo floats profiled in 1997. A month before it has
 * no profile in any GDAC; building it would only write empty months that `/v1/months` then lists
 * for good. The last month a build may name is the current one (UTC): later months have no data yet.
 */
export const FIRST_ARGO_MONTH = '1997-01';

// Mirrors of month-index/types.ts BUILD_STATUSES and BUILD_PHASES (test/schemas/enums.test.ts).
export const BUILD_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const BUILD_PHASES = ['queued', 'reading-index', 'building', 'done'] as const;

/** The two conventions side by side: said by every date or month format error. */
export const BUILD_MONTHS_CONVENTION = 'builds take months YYYY-MM (start and end both included); profiles take dates ([start, end), end excluded)';

function monthNumber(month: string): number {
  return Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
}

function monthName(n: number): string {
  return `${String(Math.floor(n / 12)).padStart(4, '0')}-${String((n % 12) + 1).padStart(2, '0')}`;
}

/** The current month (UTC) of the clock, YYYY-MM. */
export function currentMonth(now: Date): string {
  return monthName(now.getUTCFullYear() * 12 + now.getUTCMonth());
}

/** Why a build may not name this month because it is before the first Argo profiles, or undefined. */
function tooEarly(month: string): string | undefined {
  return month < FIRST_ARGO_MONTH ? `${month} is before ${FIRST_ARGO_MONTH}: the first Argo profiles are from 1997` : undefined;
}

/** Why a build may not name this month (before the first Argo profiles, after the current month), or undefined. */
export function buildMonthBoundsIssue(month: string, now: Date): string | undefined {
  const early = tooEarly(month);
  if (early) return early;
  const current = currentMonth(now);
  return month > current ? `${month} is after the current month (${current}): there is nothing to build yet` : undefined;
}

/** A month a build names: YYYY-MM, with a message saying what the other convention is. */
const buildMonth = z
  .string()
  .regex(MONTH_REGEX, { error: (issue) => `must be a month as YYYY-MM (got ${JSON.stringify(issue.input)}): ${BUILD_MONTHS_CONVENTION}` })
  .meta({ example: '2024-01' });

/**
 * The body's shape and the checks that need no clock. It carries the `BuildRequest` id (one
 * component in the OpenAPI document); `buildRequestBody` adds the current-month bound.
 */
const buildRequestObject = z
  .object({
    months: z
      .array(buildMonth)
      .min(1, { error: 'give at least one month' })
      .max(MAX_BUILD_MONTHS, { error: `at most ${MAX_BUILD_MONTHS} months per build` })
      .optional()
      .describe(`The months to build, YYYY-MM, from ${FIRST_ARGO_MONTH} to the current month.`),
    start: buildMonth.optional().describe(`First month of a range (included), ${FIRST_ARGO_MONTH} or later.`),
    end: buildMonth.optional().describe('Last month of a range (included), the current month at the latest.'),
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
    // The lower bound needs no clock: checked here, so it is reported with the other issues.
    const early = (path: (string | number)[], month: string | undefined) => {
      const issue = month !== undefined && MONTH_REGEX.test(month) ? tooEarly(month) : undefined;
      if (issue) ctx.addIssue({ code: 'custom', path, message: issue });
    };
    for (const [i, month] of (body.months ?? []).entries()) early(['months', i], month);
    if (!hasRange) return;
    if (body.start === undefined) ctx.addIssue({ code: 'custom', path: ['start'], message: 'is required with end' });
    if (body.end === undefined) ctx.addIssue({ code: 'custom', path: ['end'], message: 'is required with start' });
    early(['start'], body.start);
    if (body.start === undefined || body.end === undefined || !MONTH_REGEX.test(body.start) || !MONTH_REGEX.test(body.end)) return;
    if (body.end < body.start) ctx.addIssue({ code: 'custom', path: ['end'], message: `is before start (${body.start}); ${BUILD_MONTHS_CONVENTION}` });
  })
  .describe(`The months to build: \`months\`, or an inclusive range \`start\`..\`end\`; from ${FIRST_ARGO_MONTH} (the first Argo profiles) to the current month (UTC).`)
  .meta({
    id: 'BuildRequest',
    examples: [{ months: ['2024-01'] }, { start: '2024-01', end: '2024-03' }, { months: ['2024-01'], dataset: 'bgc' }],
  });

export interface BuildRequestOptions {
  /** The clock: the current month (UTC) is the last a build may name. */
  now: () => Date;
}

/**
 * `POST /admin/builds`'s body: `months`, or an inclusive range `start`..`end`, normalized to a
 * sorted list of distinct months, each from FIRST_ARGO_MONTH to the current month.
 */
export function buildRequestBody({ now }: BuildRequestOptions) {
  return buildRequestObject.transform((body, ctx): { months: string[]; allowShrink: boolean; datasets?: ('phy' | 'bgc')[] } => {
    const allowShrink = body.allow_shrink ?? false;
    const datasets = body.dataset ? { datasets: [body.dataset] } : {};
    const clock = now();
    const late = (path: (string | number)[], month: string) => {
      const issue = buildMonthBoundsIssue(month, clock);
      if (issue) ctx.addIssue({ code: 'custom', path, message: issue, input: month });
      return issue !== undefined;
    };
    if (body.months) {
      const bad = body.months.map((month, i) => late(['months', i], month)).some(Boolean);
      return bad ? z.NEVER : { months: [...new Set(body.months)].sort(), allowShrink, ...datasets };
    }
    const start = body.start!;
    const end = body.end!;
    const startLate = late(['start'], start);
    const endLate = late(['end'], end);
    if (startLate || endLate) return z.NEVER;
    const span = monthNumber(end) - monthNumber(start) + 1;
    if (span > MAX_BUILD_MONTHS) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: `the range holds ${span} months; at most ${MAX_BUILD_MONTHS} per build`, input: end });
      return z.NEVER;
    }
    const months: string[] = [];
    for (let n = monthNumber(start); n <= monthNumber(end); n++) months.push(monthName(n));
    return { months, allowShrink, ...datasets };
  });
}

const buildResultSchema = z
  .object({
    month: z.string().meta({ example: '2024-01' }),
    dataset: z.literal('bgc').optional().describe('`bgc` for a BGC month (absent: a core month).'),
    profiles: count().describe('Profiles in the new month index.').meta({ example: 149 }),
    reused: count().describe('Files unchanged since the previous version (not downloaded).').meta({ example: 148 }),
    fetched: count().describe('Files downloaded and read.').meta({ example: 2 }),
    failed: count().describe('Files that could not be downloaded or read.').meta({ example: 0 }),
    dropped: count().describe('Files of the previous version no longer in the GDAC index.').meta({ example: 0 }),
    excluded: count().describe('Files read but not listed (no valid time or position).').meta({ example: 1 }),
    unchanged: z.boolean().optional().describe('Nothing changed: the current version was kept.'),
    refused: z.string().optional().describe('Why the new version was not written (the existing one was kept).'),
  })
  .describe('What the build did for one month.');

const JOB_ID_EXAMPLE = '5d0c3c8e-6a8e-4c7e-9a4b-0d3c7f9f2b11';

export const buildJobSchema = z
  .object({
    id: z.string().describe('The job id.').meta({ example: JOB_ID_EXAMPLE }),
    status: z.enum(BUILD_STATUSES).meta({ example: 'running' }),
    months: z.array(z.string()).describe('The months this job builds.').meta({ example: ['2024-01', '2024-02', '2024-03'] }),
    progress: z
      .object({
        done: count().describe('Files handled so far.'),
        total: count().describe('Files to handle (known once the GDAC index has been read; 0 before).'),
        failed: count().describe('Files that could not be downloaded or read.'),
      })
      .meta({ example: { done: 212, total: 453, failed: 0 } }),
    phase: z.enum(BUILD_PHASES).describe('What the job is doing.').meta({ example: 'building' }),
    months_done: count().describe('Months written so far.').meta({ example: 1 }),
    created_at: z.string().meta({ example: '2024-04-02T03:00:00.000Z' }),
    started_at: z.string().optional().meta({ example: '2024-04-02T03:00:00.010Z' }),
    finished_at: z.string().optional().meta({ example: '2024-04-02T03:00:02.600Z' }),
    results: z.array(buildResultSchema).describe('One entry per month written so far.'),
    error: z.string().optional().describe('Why the job failed (details in the server logs).'),
    joined: z.array(z.string()).optional().describe('Other active jobs already building some of the requested months (not repeated in this job).'),
    datasets: z.array(z.enum(['phy', 'bgc'])).optional().describe('The datasets the job builds (absent: core months only).'),
    skipped: z.record(z.string(), z.string()).optional().describe('Datasets not built, with why (a GDAC without a synthetic profile index).'),
    undated: z
      .object({
        candidates: count().describe('Files the GDAC index lists without a date.'),
        fetched: count().describe('Of those, read by this job to place them by their JULD (the others were known).'),
        failures: z.array(monthFailureSchema).describe('Undated files that could not be read (retried by the next build).'),
      })
      .optional()
      .describe('Files listed without a date in the GDAC index, placed in their month by the JULD they hold.'),
  })
  .describe('A build job.')
  .meta({
    id: 'BuildJob',
    example: {
      id: JOB_ID_EXAMPLE,
      status: 'succeeded',
      months: ['2024-01'],
      progress: { done: 151, total: 151, failed: 0 },
      phase: 'done',
      months_done: 1,
      created_at: '2024-04-02T03:00:00.000Z',
      started_at: '2024-04-02T03:00:00.010Z',
      finished_at: '2024-04-02T03:00:00.600Z',
      results: [{ month: '2024-01', profiles: 149, reused: 148, fetched: 2, failed: 0, dropped: 0, excluded: 1 }],
      undated: { candidates: 3, fetched: 1, failures: [] },
    },
  });

export const buildJobParams = z.object({
  id: z
    .string()
    .regex(/^[0-9a-f-]{36}$/, { error: 'must be a build job id' })
    .describe('The job id, from POST /admin/builds.')
    .meta({ example: JOB_ID_EXAMPLE }),
});

// A page of the job list: enough for an operator's screen; the service remembers 200 jobs.
export const DEFAULT_BUILDS_PAGE = 20;
export const MAX_BUILDS_PAGE = 200;
const JOB_ID = /^[0-9a-f-]{36}$/;

export const buildListQuery = z
  .object({
    limit: z
      .string()
      .regex(/^\d+$/, { error: `must be an integer from 1 to ${MAX_BUILDS_PAGE}` })
      .transform(Number)
      .pipe(z.number().int().min(1, { error: `must be an integer from 1 to ${MAX_BUILDS_PAGE}` }).max(MAX_BUILDS_PAGE, { error: `must be an integer from 1 to ${MAX_BUILDS_PAGE}` }))
      .optional()
      .describe(`Jobs per page, newest first (default ${DEFAULT_BUILDS_PAGE}, at most ${MAX_BUILDS_PAGE}).`)
      .meta({ example: '20' }),
    cursor: z
      .string()
      .regex(JOB_ID, { error: 'must be the `next` cursor of a previous page (a job id)' })
      .optional()
      .describe('Continue after this job: the `next` member (or the Link rel="next") of the previous page.')
      .meta({ example: '5d0c3c8e-6a8e-4c7e-9a4b-0d3c7f9f2b11' }),
  })
  .strict();

export const buildListResponse = z
  .object({
    builds: z.array(buildJobSchema).describe('Jobs, newest first: the queued and running ones, then the last finished ones.'),
    next: z.string().optional().describe('The URL of the next page, when there is one (also sent as `Link: <...>; rel="next"`).'),
  })
  .meta({ id: 'BuildList' })
  .describe('A page of recent build jobs.');

export const removedMonthResponse = z
  .object({
    month: z.string().meta({ example: '2023-04' }),
    removed: monthSummarySchema.describe('The month as it was.'),
    deleted_objects: count().describe('Month index objects deleted (every version of the month).').meta({ example: 2 }),
  })
  .meta({ id: 'RemovedMonth' })
  .describe('A month removed from the master index, its objects deleted.');

const authProblems = {
  401: problemResponse('Missing or wrong bearer token.', { detail: 'Missing bearer token: send Authorization: Bearer <token>.' }),
  403: problemResponse('No admin token is configured (ARGO_ADMIN_TOKEN): admin routes are off.', {
    detail: 'The admin routes are disabled: no admin token is configured (ARGO_ADMIN_TOKEN).',
  }),
};

/** The location of the job, to poll. */
const locationHeader = z.string().describe('The job to poll: /admin/builds/{id}.').meta({ example: `/admin/builds/${JOB_ID_EXAMPLE}` });

/** The admin routes' schemas; the clock bounds the months a build may name. */
export function adminSchemas(options: BuildRequestOptions) {
  return {
    submit: {
      body: buildRequestBody(options),
      response: {
        202: {
          description: 'The job, queued (or the job already building these months).',
          headers: { Location: locationHeader },
          content: { 'application/json': { schema: buildJobSchema } },
        },
        400: problemResponse('The body is malformed; `errors` names each bad member.', {
          detail: 'Invalid request: start: 1990-01 is before 1997-01: the first Argo profiles are from 1997',
          errors: [{ parameter: 'start', message: '1990-01 is before 1997-01: the first Argo profiles are from 1997' }],
        }),
        ...authProblems,
        413: problemResponse('The body is larger than ARGO_MAX_BODY_BYTES.', { detail: 'Request body is too large' }),
        415: problemResponse('The body is not JSON (Content-Type: application/json).', { detail: 'Unsupported Media Type' }),
        ...commonProblems,
      },
    },
    get: {
      params: buildJobParams,
      response: {
        200: buildJobSchema,
        400: problemResponse('The id is malformed.', {
          detail: 'Invalid request: id: must be a build job id',
          instance: '/admin/builds/42',
          errors: [{ parameter: 'id', message: 'must be a build job id' }],
        }),
        ...authProblems,
        404: problemResponse('No such job (jobs are kept in memory: the last 200, until restart).', {
          detail: `No build job ${JOB_ID_EXAMPLE}.`,
          instance: `/admin/builds/${JOB_ID_EXAMPLE}`,
        }),
        ...commonProblems,
      },
    },
    list: {
      querystring: buildListQuery,
      response: {
        200: buildListResponse,
        400: problemResponse('`limit` or `cursor` is malformed, or the cursor names a job no longer kept.', {
          detail: 'Invalid request: limit: must be a whole number from 1 to 200',
          errors: [{ parameter: 'limit', message: 'must be a whole number from 1 to 200' }],
        }),
        ...authProblems,
        ...commonProblems,
      },
    },
    cancel: {
      params: buildJobParams,
      response: {
        200: buildJobSchema.describe('The job after the cancel: `cancelled` (a running job reaches it within moments: poll it), or its final status when it had already finished.'),
        400: problemResponse('The id is malformed.', {
          detail: 'Invalid request: id: must be a build job id',
          instance: '/admin/builds/42',
          errors: [{ parameter: 'id', message: 'must be a build job id' }],
        }),
        ...authProblems,
        404: problemResponse('No such job.', { detail: `No build job ${JOB_ID_EXAMPLE}.`, instance: `/admin/builds/${JOB_ID_EXAMPLE}` }),
        ...commonProblems,
      },
    },
    removeMonth: {
      params: monthParams,
      response: {
        200: removedMonthResponse,
        400: problemResponse('The month is not YYYY-MM.', {
          detail: 'Invalid request: month: must be YYYY-MM',
          instance: '/admin/months/2024-1',
          errors: [{ parameter: 'month', message: 'must be YYYY-MM' }],
        }),
        ...authProblems,
        404: problemResponse('The month is not built.', { detail: 'Month 2023-04 has no built index.', instance: '/admin/months/2023-04' }),
        409: problemResponse('A queued or running build job builds this month: cancel it or wait for it first.', {
          detail: 'A build job is building 2024-01: cancel it or wait for it first.',
          instance: '/admin/months/2024-01',
        }),
        ...commonProblems,
      },
    },
  };
}
