/**
 * `GET /v1/profiles`: the query parameters (validated, typed, ceilings enforced) and the response
 * documents for OpenAPI. Zod only; imports nothing from `src/`.
 *
 * The schema is a factory because the ceilings (window length, level count, max_profiles) come
 * from the configuration, which `schemas/` may not import: the route is registered with the
 * config's `limits`.
 *
 * Decisions recorded here (they are part of the public contract, see the OpenAPI description):
 * - Unknown parameters are a 400 (`unknown parameter`), so a typo such as `bbbox=` never silently
 *   returns the whole ocean. Each is reported with its own name.
 * - A parameter given twice is a 400 (`given more than once`), never "the last one wins".
 * - An empty value (`depth=`) is a 400: omit the parameter to get its default.
 * - Times without an offset are UTC. In a query string an unencoded `+` arrives as a space, so
 *   `2023-04-01T12:00:00 02:00` is read as `+02:00`.
 * - Every issue carries a `path` naming the parameter; the app's error handler turns it into
 *   `errors: [{parameter, message}]`.
 */
import { z } from 'zod';
import { problemSchema } from './common.js';

// Mirrors of the domain's names (argo/types.ts: QC_MODES, VERTICALS, ARGO_VARIABLES; serialize/
// formats.ts: OUTPUT_FORMATS, MEDIA_TYPES). schemas/ imports nothing from src/, so
// test/schemas/enums.test.ts keeps each pair in step.
export const PROFILE_FORMATS = ['ndjson', 'json', 'csv'] as const;
export const PROFILE_VARIABLES = ['TEMP', 'PSAL', 'PRES'] as const;
export const PROFILE_MODES = ['standard', 'research', 'expert'] as const;
export const PROFILE_VERTICALS = ['depth', 'pressure'] as const;
/** `fields`: `all` (the default, full profiles) or `positions` (metadata and position only, no level reads). */
export const PROFILE_FIELDS = ['all', 'positions'] as const;
export const DEFAULT_VARIABLES = 'TEMP,PSAL';

/** The media type of each output format (the response's content types below). */
export const PROFILE_MEDIA_TYPES = {
  ndjson: 'application/x-ndjson',
  json: 'application/json',
  csv: 'text/csv',
} as const;

/** The ceilings the schema enforces (a structural subset of the config's `limits`). */
export interface ProfilesQueryLimits {
  maxWindowDays: number;
  maxLevels: number;
  defaultMaxProfiles: number;
  maxProfilesLimit: number;
}

const DAY_MS = 86_400_000;

/** A single query-string value, present once. */
function param(name: string) {
  return z.string({
    error: (issue) =>
      issue.input === undefined
        ? 'is required'
        : Array.isArray(issue.input)
          ? `given more than once; give ${name} once`
          : 'must be a string',
  });
}

/**
 * A parameter whose text is parsed by `parse` (`{ error }` on bad input). The empty check lives in
 * the transform, not in an aborting refine: an abort would hide the other parameters' issues.
 */
function parsed<T>(name: string, parse: (text: string) => T | { error: string }, required = false) {
  return param(name).transform((text, ctx): Exclude<T, { error: string }> => {
    const result =
      text.trim().length === 0
        ? { error: required ? 'is empty' : `is empty; omit ${name} to use its default` }
        : parse(text);
    if (result && typeof result === 'object' && 'error' in result) {
      ctx.addIssue({ code: 'custom', message: (result as { error: string }).error });
      return z.NEVER;
    }
    return result as Exclude<T, { error: string }>;
  });
}

function oneOf<const T extends readonly [string, ...string[]]>(name: string, values: T) {
  return z.enum(values, {
    error: (issue) =>
      Array.isArray(issue.input)
        ? `given more than once; give ${name} once`
        : `must be one of ${values.join(', ')} (got ${JSON.stringify(issue.input)})`,
  });
}

// ---------------------------------------------------------------------------------------------
// Numbers and instants

/** A plain decimal number: no hex, no `Infinity`, no blanks (Number('') is 0, Number('0x1') 1). */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a decimal number; undefined when the text is not one or is not finite. */
export function parseDecimal(text: string): number | undefined {
  const t = text.trim();
  if (!DECIMAL.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * ISO 8601 date (`2023-04-01`) or date-time (`2023-04-01T12:00`, `…:30`, `…:30.250`, with `Z`
 * or `±HH:MM`). A space may stand for `T`, and for `+` before an offset (an unencoded `+` in a
 * query string decodes to a space).
 */
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+\- ])(\d{2}):?(\d{2}))?)?$/;

const INSTANT_HELP = 'an ISO 8601 date (2023-04-01) or date-time (2023-04-01T12:00:00Z); UTC when no offset';

/** Epoch milliseconds of an ISO date or date-time, or a message saying what is wrong. */
export function parseInstant(text: string): { ms: number } | { error: string } {
  const m = INSTANT.exec(text.trim());
  if (!m) return { error: `must be ${INSTANT_HELP} (got ${JSON.stringify(text)})` };
  const [, y, mo, d, hh = '0', mi = '0', ss = '0', frac = '', , sign, oh = '0', om = '0'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(hh);
  const minute = Number(mi);
  const second = Number(ss);
  const offsetHours = Number(oh);
  const offsetMinutes = Number(om);
  const daysInMonth = month >= 1 && month <= 12 ? new Date(Date.UTC(2000, month, 0)).getUTCDate() : 0;
  const leapFix = month === 2 && day === 29 && !isLeapYear(year);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || leapFix) {
    return { error: `${JSON.stringify(text)} is not a calendar date` };
  }
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) {
    return { error: `${JSON.stringify(text)} is not a valid time of day` };
  }
  // Milliseconds: the first three fractional digits (finer digits cannot be represented).
  const ms = frac === '' ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  const offsetMs = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return { ms: date.getTime() - offsetMs };
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * The instants a window may start or end at: 1900-01-01T00:00:00Z to 2100-01-01T00:00:00Z, both
 * included (so `end=2100-01-01` reaches the last day of 2099). Argo floats report from 1997 on and
 * JULD counts from 1950; 1900 leaves room for any older data in the same format, 2100 for any float
 * that will ever be built. Outside that a date is a typo or a probe (year 0, negative years after
 * an offset, 9999), and the months such a window names cannot even be spelled as YYYY-MM.
 * `src/query/service.ts` checks the same bounds for callers that skip this schema.
 */
export const EARLIEST_INSTANT_MS = Date.UTC(1900, 0, 1);
export const LATEST_INSTANT_MS = Date.UTC(2100, 0, 1);

/** An instant within `[EARLIEST_INSTANT_MS, LATEST_INSTANT_MS]`, or a message saying it is not. */
export function checkInstantRange(ms: number, text: string): { ms: number } | { error: string } {
  if (ms >= EARLIEST_INSTANT_MS && ms <= LATEST_INSTANT_MS) return { ms };
  return {
    error:
      `must be between ${new Date(EARLIEST_INSTANT_MS).toISOString()} and ${new Date(LATEST_INSTANT_MS).toISOString()} ` +
      `(got ${JSON.stringify(text)}, which is ${new Date(ms).toISOString()})`,
  };
}

function instant(name: 'start' | 'end') {
  return parsed(name, (text) => {
    const result = parseInstant(text);
    if ('error' in result) return result;
    const inRange = checkInstantRange(result.ms, text);
    return 'error' in inRange ? inRange : inRange.ms;
  }, true);
}

// ---------------------------------------------------------------------------------------------
// Levels

/**
 * Parses `0,10,20,50` or `start:stop:step` (stop included when the steps reach it). Levels are
 * ascending (strictly), ≥ 0 and finite; at most `maxLevels` of them.
 */
export function parseLevels(text: string, maxLevels: number): { levels: number[] } | { error: string } {
  const t = text.trim();
  const tooMany = (n: number | string) => `${n} levels; the limit is ${maxLevels} (ARGO_MAX_LEVELS)`;
  if (t.includes(':')) {
    const parts = t.split(':');
    if (parts.length !== 3) return { error: `a range is start:stop:step, three numbers (got ${JSON.stringify(text)})` };
    const [start, stop, step] = parts.map(parseDecimal);
    const names = ['start', 'stop', 'step'];
    for (const [i, v] of [start, stop, step].entries()) {
      if (v === undefined) return { error: `range ${names[i]} ${JSON.stringify(parts[i])} is not a finite number` };
    }
    if (start! < 0) return { error: `levels must be ≥ 0 (range start is ${start})` };
    if (!(step! > 0)) return { error: `range step must be > 0 (got ${step})` };
    if (stop! < start!) return { error: `range stop (${stop}) must be ≥ start (${start})` };
    // A relative tolerance so that 0:1:0.1 includes 1 despite 10 × 0.1 ≠ 1 in binary.
    const span = (stop! - start!) / step!;
    const count = Math.floor(span + 1e-9 * Math.max(1, span)) + 1;
    // Checked before generating anything: 0:1e9:1 must not allocate a billion numbers.
    if (!Number.isFinite(count) || count > maxLevels) return { error: tooMany(Number.isFinite(count) ? count : 'too many') };
    const levels: number[] = [];
    for (let i = 0; i < count; i++) {
      // 12 significant digits remove binary noise (0.30000000000000004 → 0.3) from level names.
      levels.push(Math.min(stop!, Number((start! + i * step!).toPrecision(12))));
    }
    return ascendingCheck(levels) ?? { levels };
  }
  const parts = t.split(',');
  if (parts.length > maxLevels) return { error: tooMany(parts.length) };
  const levels: number[] = [];
  for (const part of parts) {
    const v = parseDecimal(part);
    if (v === undefined) return { error: `${JSON.stringify(part.trim())} is not a finite number` };
    if (v < 0) return { error: `levels must be ≥ 0 (got ${v})` };
    levels.push(v);
  }
  return ascendingCheck(levels) ?? { levels };
}

function ascendingCheck(levels: number[]): { error: string } | undefined {
  for (let i = 1; i < levels.length; i++) {
    if (levels[i] === levels[i - 1]) return { error: `levels must be strictly ascending (${levels[i]} repeated)` };
    if (levels[i] < levels[i - 1]) return { error: `levels must be ascending (${levels[i]} after ${levels[i - 1]})` };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Lists

export function parseVariables(text: string): { variables: (typeof PROFILE_VARIABLES)[number][] } | { error: string } {
  const variables: (typeof PROFILE_VARIABLES)[number][] = [];
  for (const raw of text.split(',')) {
    const name = raw.trim();
    if (!(PROFILE_VARIABLES as readonly string[]).includes(name)) {
      return { error: `${JSON.stringify(name)} is not a variable; use a comma list of ${PROFILE_VARIABLES.join(', ')}` };
    }
    const v = name as (typeof PROFILE_VARIABLES)[number];
    if (variables.includes(v)) return { error: `${v} is listed twice` };
    variables.push(v);
  }
  return { variables };
}

export function parseBbox(text: string): { bbox: [number, number, number, number] } | { error: string } {
  const parts = text.split(',');
  const shape = 'bbox is lon_min,lat_min,lon_max,lat_max';
  if (parts.length !== 4) return { error: `${shape}: four numbers (got ${parts.length})` };
  const names = ['lon_min', 'lat_min', 'lon_max', 'lat_max'];
  const values: number[] = [];
  for (const [i, part] of parts.entries()) {
    const v = parseDecimal(part);
    if (v === undefined) return { error: `${shape}: ${names[i]} ${JSON.stringify(part.trim())} is not a finite number` };
    const bound = i % 2 === 0 ? 180 : 90;
    if (v < -bound || v > bound) return { error: `${names[i]} must be within [-${bound}, ${bound}] (got ${v})` };
    values.push(v);
  }
  const [lonMin, latMin, lonMax, latMax] = values;
  if (latMin > latMax) return { error: `lat_min (${latMin}) must be ≤ lat_max (${latMax})` };
  return { bbox: [lonMin, latMin, lonMax, latMax] };
}

export function parsePlatforms(text: string): { platforms: string[] } | { error: string } {
  const platforms: string[] = [];
  for (const raw of text.split(',')) {
    const p = raw.trim();
    if (!/^\d+$/.test(p)) return { error: `WMO platform numbers are digits only (got ${JSON.stringify(p)})` };
    if (!platforms.includes(p)) platforms.push(p);
  }
  return { platforms };
}

// ---------------------------------------------------------------------------------------------
// The querystring schema

const DESCRIPTIONS = {
  start: `Start of the window (inclusive): ${INSTANT_HELP}. From 1900-01-01 to 2100-01-01.`,
  end: `End of the window (exclusive): ${INSTANT_HELP}. Must be after start; at most 2100-01-01.`,
  depth:
    'Target levels, ascending and ≥ 0: a comma list (`0,10,20,50`) or `start:stop:step` with stop ' +
    'included (`0:2000:10`). In metres with vertical=depth, in dbar with vertical=pressure. Absent: ' +
    'each profile on its native levels (with both depth and pressure).',
  vertical: '`depth` (metres, TEOS-10 from pressure) or `pressure` (dbar).',
  variables: 'Comma list of TEMP, PSAL, PRES (no repeats); output columns follow this order.',
  mode: 'Argo QC mode (names as in argopy): `standard`, `research` or `expert`.',
  bbox:
    '`lon_min,lat_min,lon_max,lat_max` in degrees; lon within ±180, lat within ±90, lat_min ≤ lat_max. ' +
    'lon_min > lon_max crosses the antimeridian (`170,-10,-170,10`).',
  platform: 'Comma list of WMO platform numbers (digits).',
  max_profiles: 'Cap on the profiles returned: the first N in result order.',
  fields:
    '`all` (default): the full profiles, with their level data. `positions`: each profile\'s metadata and position only (id, platform_number, cycle_number, ' +
    'direction, data_mode, time, latitude, longitude), with no level data. The service then reads no ' +
    'profile file, so it is cheap enough for maps of a whole window; the profiles, their order, the ' +
    'cap and the headers are those of the same query without it. depth, vertical and variables are ' +
    'accepted and have no effect. CSV has one row per profile with the metadata columns only.',
  format:
    '`ndjson`, `json` or `csv`. Without it, an Accept header naming application/x-ndjson, ' +
    'application/json or text/csv selects the format; otherwise ndjson. This parameter wins over Accept.',
} as const;

const KNOWN_PARAMETERS = [
  'start',
  'end',
  'depth',
  'vertical',
  'variables',
  'mode',
  'bbox',
  'platform',
  'max_profiles',
  'fields',
  'format',
] as const;

/**
 * The querystring schema of `GET /v1/profiles` for the given ceilings. Its output is the service's
 * `ProfileQuery` (camelCase, epoch milliseconds) plus the explicit `format`, if any.
 */
export function profilesQuerySchema(limits: ProfilesQueryLimits) {
  const maxProfilesMessage = (n: number) =>
    `max_profiles is ${n}; the limit is ${limits.maxProfilesLimit} (ARGO_MAX_PROFILES_LIMIT)`;
  return z
    .looseObject({
      start: instant('start').meta({ description: DESCRIPTIONS.start, example: '2023-04-01' }),
      end: instant('end').meta({ description: DESCRIPTIONS.end, example: '2023-05-01T00:00:00Z' }),
      depth: parsed('depth', (t) => parseLevels(t, limits.maxLevels))
        .optional()
        .meta({ description: `${DESCRIPTIONS.depth} At most ${limits.maxLevels} levels.`, example: '0,10,20,50,100,200,500,1000' }),
      vertical: oneOf('vertical', PROFILE_VERTICALS)
        .default('depth')
        .meta({ description: DESCRIPTIONS.vertical, example: 'depth' }),
      variables: parsed('variables', parseVariables)
        .prefault(DEFAULT_VARIABLES)
        .meta({ description: DESCRIPTIONS.variables, example: 'TEMP,PSAL' }),
      mode: oneOf('mode', PROFILE_MODES).default('standard').meta({ description: DESCRIPTIONS.mode, example: 'standard' }),
      bbox: parsed('bbox', parseBbox)
        .optional()
        .meta({ description: DESCRIPTIONS.bbox, example: '-30,20,-10,40' }),
      platform: parsed('platform', parsePlatforms)
        .optional()
        .meta({ description: DESCRIPTIONS.platform, example: '6903247,2902696' }),
      max_profiles: parsed('max_profiles', (t) => {
            const n = /^\s*\d+\s*$/.test(t) ? Number(t) : NaN;
            if (!Number.isSafeInteger(n) || n < 1) return { error: `must be a positive integer (got ${JSON.stringify(t)})` };
            if (n > limits.maxProfilesLimit) return { error: maxProfilesMessage(n) };
            return { maxProfiles: n };
          })
        .optional()
        .meta({
          description: `${DESCRIPTIONS.max_profiles} Default ${limits.defaultMaxProfiles}, at most ${limits.maxProfilesLimit}.`,
          example: String(Math.min(100, limits.maxProfilesLimit)),
        }),
      fields: oneOf('fields', PROFILE_FIELDS).optional().meta({ description: DESCRIPTIONS.fields, example: 'all' }),
      format: oneOf('format', PROFILE_FORMATS).optional().meta({ description: DESCRIPTIONS.format, example: 'ndjson' }),
    })
    // Runs even when a field failed, so every unknown parameter is reported in the same answer.
    .superRefine(
      (params, ctx) => {
        for (const key of Object.keys(params)) {
          if (!(KNOWN_PARAMETERS as readonly string[]).includes(key)) {
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: `unknown parameter; the parameters are ${KNOWN_PARAMETERS.join(', ')}`,
            });
          }
        }
      },
      { when: () => true },
    )
    .superRefine((params, ctx) => {
      if (params.end <= params.start) {
        ctx.addIssue({
          code: 'custom',
          path: ['end'],
          message: `end (${new Date(params.end).toISOString()}) must be after start (${new Date(params.start).toISOString()})`,
        });
        return;
      }
      const days = (params.end - params.start) / DAY_MS;
      if (days > limits.maxWindowDays) {
        ctx.addIssue({
          code: 'custom',
          path: ['end'],
          message: `window is ${formatDays(days)} days; the limit is ${limits.maxWindowDays} (ARGO_MAX_WINDOW_DAYS)`,
        });
      }
    })
    .meta({ additionalProperties: false })
    .transform((p) => ({
      startMs: p.start,
      endMs: p.end,
      ...(p.depth ? { levels: p.depth.levels } : {}),
      vertical: p.vertical,
      variables: p.variables.variables,
      mode: p.mode,
      ...(p.bbox ? { bbox: p.bbox.bbox } : {}),
      ...(p.platform ? { platforms: p.platform.platforms } : {}),
      maxProfiles: p.max_profiles?.maxProfiles ?? limits.defaultMaxProfiles,
      ...(p.fields === 'positions' ? { fields: p.fields } : {}),
      ...(p.format ? { format: p.format } : {}),
    }));
}

function formatDays(days: number): string {
  return Number.isInteger(days) ? String(days) : days.toFixed(2);
}


// ---------------------------------------------------------------------------------------------
// Responses (documentation: the body is streamed, never serialized through these)

const levelArray = z.array(z.number().nullable());

export const profileSchema = z
  .object({
    id: z.string().describe('Path of the file under `dac/`.').meta({ example: 'coriolis/6903247/profiles/R6903247_001.nc' }),
    platform_number: z.string().meta({ example: '6903247' }),
    cycle_number: z.number().int().meta({ example: 1 }),
    direction: z.enum(['A', 'D']).describe('A: ascending, D: descending.'),
    data_mode: z.enum(['R', 'A', 'D']).describe('R: real time, A: adjusted, D: delayed mode.'),
    time: z.string().describe('JULD of the primary profile, ISO 8601 UTC with milliseconds.').meta({ example: '2018-10-19T05:41:00.000Z' }),
    latitude: z.number().meta({ example: 34.19 }),
    longitude: z.number().meta({ example: 26.0 }),
    depth: levelArray.optional().describe('Levels in metres (vertical=depth, and on native levels).'),
    pressure: levelArray.optional().describe('Levels in dbar (vertical=pressure, and on native levels).'),
    TEMP: levelArray.nullable().optional().describe('°C per level; null when the file has no TEMP.'),
    PSAL: levelArray.nullable().optional().describe('PSU per level; null when the file has no PSAL.'),
    PRES: levelArray.nullable().optional().describe('dbar per level (interpolated on depth levels).'),
  })
  .meta({ id: 'Profile' })
  .describe('One profile: one NDJSON line, one member of `profiles` in JSON, one CSV row per level.');

export const streamErrorSchema = z
  .object({
    error: z.object({ status: z.number().int().meta({ example: 502 }), message: z.string() }),
  })
  .meta({ id: 'StreamError' })
  .describe('The last NDJSON line (or the `error` member in JSON) when a failure happens after the body started.');

export const profilesJsonSchema = z
  .object({
    profiles: z.array(profileSchema),
    matched: z.number().int().describe('Profiles matching before the cap (X-Argo-Profiles-Matched).'),
    truncated: z.boolean().describe('True when max_profiles cut the result (X-Argo-Truncated).'),
    months_missing: z.array(z.string()).describe('Months of the window with no built index (X-Argo-Months-Missing).'),
    error: streamErrorSchema.shape.error.optional().describe('Present only when the body failed part-way.'),
  })
  .describe('format=json: one object, streamed.');

export const profilesResponses = {
  200: {
    description:
      'The matching profiles in time order (then platform, cycle, direction A before D), streamed. ' +
      'application/x-ndjson (default): one JSON object per line. application/json: ' +
      '`{"profiles":[...],"matched":N,"truncated":bool,"months_missing":[...]}`. text/csv: long format, ' +
      'one row per profile and level, header `id,platform_number,cycle_number,direction,data_mode,time,' +
      'latitude,longitude,<depth|pressure|depth,pressure>,<variables>`, empty cells for null. A failure ' +
      'after the body started ends it with `{"error":{"status":502,"message":"..."}}` (NDJSON line or ' +
      'JSON member) or a final CSV line `# error: 502 <message>`. Headers sent before the body: ' +
      'X-Argo-Profiles-Matched (matches before the cap), X-Argo-Truncated (true|false), ' +
      'X-Argo-Months-Missing (YYYY-MM list of months with no built index, empty when none).',
    content: {
      [PROFILE_MEDIA_TYPES.ndjson]: { schema: profileSchema },
      [PROFILE_MEDIA_TYPES.json]: { schema: profilesJsonSchema },
      [PROFILE_MEDIA_TYPES.csv]: {
        schema: z.string().meta({
          example:
            'id,platform_number,cycle_number,direction,data_mode,time,latitude,longitude,depth,TEMP,PSAL\n' +
            'coriolis/6903247/profiles/R6903247_001.nc,6903247,1,A,R,2018-10-19T05:41:00.000Z,34.19,26,10,22.5,39.1\n',
        }),
      },
    },
  },
  400: problemSchema.describe('A parameter is malformed, unknown, or over a ceiling; `errors` names each one.'),
  502: problemSchema.describe('The GDAC or the index store failed before the body started.'),
  503: problemSchema.describe('Overloaded or the index store is unreachable.'),
  504: problemSchema.describe(
    'The GDAC did not answer in time, or the query ran past its time limit (ARGO_QUERY_TIMEOUT_SECONDS) before the body started.',
  ),
};
