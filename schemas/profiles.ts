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
import { commonProblems, count, errorStatus, problemResponse } from './common.js';
import { param, parseDecimal, parsed } from './params.js';
import { SHAPE_PARAMETERS, refineShapes, shapeFields } from './shapes.js';

export { parseDecimal, parsed } from './params.js';

// Mirrors of the domain's names (argo/types.ts: QC_MODES, VERTICALS, ARGO_VARIABLES; serialize/
// formats.ts: OUTPUT_FORMATS, MEDIA_TYPES). schemas/ imports nothing from src/, so
// test/schemas/enums.test.ts keeps each pair in step.
export const PROFILE_FORMATS = ['ndjson', 'json', 'csv', 'geojson', 'arrow', 'parquet'] as const;
export const PROFILE_VARIABLES = ['TEMP', 'PSAL', 'PRES'] as const;
export const PROFILE_MODES = ['standard', 'research', 'expert'] as const;
/** `dataset` (API.md v1.1): core profiles (`phy`) or BGC profiles from synthetic files (`bgc`). */
export const PROFILE_DATASETS = ['phy', 'bgc'] as const;
export const PROFILE_VERTICALS = ['depth', 'pressure'] as const;
/** `fields`: `all` (the default, full profiles) or `positions` (metadata and position only, no level reads). */
export const PROFILE_FIELDS = ['all', 'positions'] as const;
export const DEFAULT_VARIABLES = 'TEMP,PSAL';

/** The media type of each output format (the response's content types below). */
export const PROFILE_MEDIA_TYPES = {
  ndjson: 'application/x-ndjson',
  json: 'application/json',
  csv: 'text/csv',
  geojson: 'application/geo+json',
  arrow: 'application/vnd.apache.arrow.stream',
  parquet: 'application/vnd.apache.parquet',
} as const;

/** The ceilings the schema enforces (a structural subset of the config's `limits`). */
export interface ProfilesQueryLimits {
  maxWindowDays: number;
  maxLevels: number;
  defaultMaxProfiles: number;
  maxProfilesLimit: number;
}

const DAY_MS = 86_400_000;

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

/**
 * ISO 8601 date (`2023-04-01`) or date-time (`2023-04-01T12:00`, `…:30`, `…:30.250`, with `Z`
 * or `±HH:MM`). A space may stand for `T`, and for `+` before an offset (an unencoded `+` in a
 * query string decodes to a space).
 */
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+\- ])(\d{2}):?(\d{2}))?)?$/;

const INSTANT_HELP = 'an ISO 8601 date (2024-01-01) or date-time (2024-01-01T12:00:00Z); UTC when no offset';

/** The two conventions side by side: said by every start/end format error. */
const WINDOW_CONVENTION = 'profiles take dates, the window [start, end) with end excluded; builds take months YYYY-MM, both included';

/** A month (`2024-01`) where a date was expected: the other convention, said with the fix. */
function monthForDate(name: 'start' | 'end', text: string): string | undefined {
  const m = /^\s*(\d{4})-(0[1-9]|1[0-2])\s*$/.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const next = month === 12 ? `${String(year + 1).padStart(4, '0')}-01` : `${m[1]}-${String(month + 1).padStart(2, '0')}`;
  const date = name === 'start' ? `${m[1]}-${m[2]}-01` : `${next}-01`;
  return (
    `${JSON.stringify(text)} is a month, and ${WINDOW_CONVENTION}: ` +
    `the month ${m[1]}-${m[2]} is start=${m[1]}-${m[2]}-01&end=${next}-01 (so ${name}=${date})`
  );
}

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
    if ('error' in result) {
      const month = monthForDate(name, text);
      if (month) return { error: month };
      return /^must be /.test(result.error) ? { error: `${result.error}; ${WINDOW_CONVENTION}` } : result;
    }
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

/** An Argo parameter name (DOXY, BBP700, DOWN_IRRADIANCE380, …): what dataset=bgc may name. */
const PARAMETER_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;

const variablesHelp = `use a comma list of ${PROFILE_VARIABLES.join(', ')}, or with dataset=bgc any parameter of the synthetic files (DOXY, CHLA, …)`;

/**
 * The names, checked for shape and repeats. Whether a name is a core variable depends on
 * `dataset` (checked with it, below); whether a BGC parameter exists, on the built months (the
 * query service answers that 400, listing the known parameters).
 */
export function parseVariables(text: string): { variables: string[] } | { error: string } {
  const variables: string[] = [];
  for (const raw of text.split(',')) {
    const name = raw.trim();
    if (!PARAMETER_NAME.test(name)) return { error: `${JSON.stringify(name)} is not a variable; ${variablesHelp}` };
    if (variables.includes(name)) return { error: `${name} is listed twice` };
    variables.push(name);
  }
  return { variables };
}

/** Names outside the core variables: with dataset=phy they are an error that says to add dataset=bgc. */
export function nonCoreVariables(variables: readonly string[]): string[] {
  return variables.filter((v) => !(PROFILE_VARIABLES as readonly string[]).includes(v));
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
  end:
    `End of the window (exclusive): ${INSTANT_HELP}. Must be after start; at most 2100-01-01. The window is ` +
    '[start, end): the month 2024-01 is start=2024-01-01&end=2024-02-01 (builds, unlike queries, take months YYYY-MM).',
  depth:
    'Target levels, ascending and ≥ 0: a comma list (`10,20,50`) or `start:stop:step` with stop ' +
    'included (`10:2000:10`). In metres with vertical=depth, in dbar with vertical=pressure. Values ' +
    'are interpolated, never extrapolated: above a profile\'s shallowest level (~5 m) they are null. ' +
    'Absent: each profile on its native levels (with both depth and pressure).',
  vertical: '`depth` (metres, TEOS-10 from pressure) or `pressure` (dbar).',
  variables:
    'Comma list of TEMP, PSAL, PRES (no repeats); output columns follow this order. With dataset=bgc, also any ' +
    'parameter of the synthetic profile files (DOXY, CHLA, NITRATE, BBP700, DOWNWELLING_PAR, …; see ' +
    '`parameters` in /v1/months/{month}?dataset=bgc); a name no built month of the window has is a 400 listing the known ones.',
  dataset:
    '`phy` (default): core profile files (R*/D*), SEMANTICS.md. `bgc`: synthetic profile files (S*) with ' +
    'their BGC parameters, each with its own data mode (`parameter_data_mode`; `data_mode` is null) and argopy\'s QC ' +
    'rules per parameter class (SEMANTICS-BGC.md). BGC variables need dataset=bgc.',
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
  cursor:
    'Opaque: continue a truncated result strictly after the last profile of the previous page ' +
    '(key-set pagination, in result order). Take it from the `Link: <...>; rel="next"` header (or ' +
    'the `next` member of json/geojson) and send it with the same filters (window, mode, bbox, ' +
    'polygon, near, radius_km, platform); a cursor sent with other filters is a 400. Output options ' +
    '(format, depth, vertical, variables, fields, max_profiles) may change between pages. A month ' +
    'rebuilt between pages neither repeats nor skips a profile that did not change.',
  format:
    '`ndjson`, `json`, `csv`, `geojson` (RFC 7946 FeatureCollection, a Point feature per profile, ' +
    'properties = the NDJSON object; `matched`, `truncated`, `months_missing`, `next` after the features), ' +
    '`arrow` (Arrow IPC stream) or `parquet`: the last two are the CSV long table with typed columns ' +
    '(time as timestamp[ms, UTC], file float32 values as float32, computed ones as float64, cycle as int32). ' +
    'Without it, an Accept header naming application/x-ndjson, application/json, text/csv, ' +
    'application/geo+json, application/vnd.apache.arrow.stream or application/vnd.apache.parquet selects ' +
    'the format; otherwise ndjson. This parameter wins over Accept. A failure after an arrow or parquet ' +
    'body started aborts the response (no clean end).',
} as const;

/**
 * The parameters' examples, together one query Swagger UI's "Try it out" sends as it is: a week of
 * the demo GDAC (`npm run demo`: 2024-01..2024-03) in the North Atlantic box of its Coriolis
 * floats, two of which profile there that week, on levels from 10 m (the shallowest level of a
 * float is ~5 m, and nothing is extrapolated, so 0 m is always null). test/readme-examples.test.ts
 * checks that the whole and each example alone return profiles from the demo.
 */
export const EXAMPLE_QUERY = {
  start: '2024-01-01',
  end: '2024-01-08',
  depth: '10,50,100,200,500,1000',
  vertical: 'depth',
  variables: 'TEMP,PSAL',
  mode: 'standard',
  bbox: '-30,40,-15,55',
  // The shapes' examples (schemas/shapes.ts) hold the same two floats: a box-shaped polygon and
  // a 300 km circle around them.
  polygon: '-30,40,-15,40,-15,55,-30,55',
  near: '-25,51',
  radius_km: '300',
  platform: '2910002,2910003',
  max_profiles: '100',
  dataset: 'phy',
  fields: 'all',
  format: 'ndjson',
} as const;

const KNOWN_PARAMETERS = [
  'start',
  'end',
  'depth',
  'vertical',
  'variables',
  'dataset',
  'mode',
  'bbox',
  ...SHAPE_PARAMETERS,
  'platform',
  'max_profiles',
  'fields',
  'cursor',
  'format',
] as const;

/**
 * The querystring schema of `GET /v1/profiles` for the given ceilings. Its output is the service's
 * `ProfileQuery` (camelCase, epoch milliseconds) plus the explicit `format`, if any.
 */
export interface ProfilesQueryOptions {
  /**
   * `window` (default): `/v1/profiles`, start and end required, the window ceiling applies.
   * `float`: `/v1/platforms/{wmo}/profiles`, the float is in the path (no `platform` parameter),
   * start and end are optional (the whole record) and the window ceiling does not apply.
   */
  scope?: 'window' | 'float';
}

export function profilesQuerySchema(limits: ProfilesQueryLimits, options: ProfilesQueryOptions = {}) {
  const float = options.scope === 'float';
  const known: readonly string[] = float ? KNOWN_PARAMETERS.filter((p) => p !== 'platform') : KNOWN_PARAMETERS;
  const maxProfilesMessage = (n: number) =>
    `max_profiles is ${n}; the limit is ${limits.maxProfilesLimit} (ARGO_MAX_PROFILES_LIMIT)`;
  return z
    .looseObject({
      start: (float ? instant('start').optional() : instant('start')).meta({
        description: float ? `${DESCRIPTIONS.start} Optional: the float's first profile by default.` : DESCRIPTIONS.start,
        example: EXAMPLE_QUERY.start,
      }),
      end: (float ? instant('end').optional() : instant('end')).meta({
        description: float ? `${DESCRIPTIONS.end} Optional: the float's last profile by default.` : DESCRIPTIONS.end,
        example: EXAMPLE_QUERY.end,
      }),
      depth: parsed('depth', (t) => parseLevels(t, limits.maxLevels))
        .optional()
        .meta({ description: `${DESCRIPTIONS.depth} At most ${limits.maxLevels} levels.`, example: EXAMPLE_QUERY.depth }),
      vertical: oneOf('vertical', PROFILE_VERTICALS)
        .default('depth')
        .meta({ description: DESCRIPTIONS.vertical, example: EXAMPLE_QUERY.vertical }),
      variables: parsed('variables', parseVariables)
        .prefault(DEFAULT_VARIABLES)
        .meta({ description: DESCRIPTIONS.variables, example: EXAMPLE_QUERY.variables }),
      dataset: oneOf('dataset', PROFILE_DATASETS).default('phy').meta({ description: DESCRIPTIONS.dataset, example: 'phy' }),
      mode: oneOf('mode', PROFILE_MODES).default('standard').meta({ description: DESCRIPTIONS.mode, example: EXAMPLE_QUERY.mode }),
      bbox: parsed('bbox', parseBbox)
        .optional()
        .meta({ description: DESCRIPTIONS.bbox, example: EXAMPLE_QUERY.bbox }),
      ...shapeFields,
      // The float routes take the float from the path: no `platform` parameter there.
      ...(float
        ? {}
        : {
            platform: parsed('platform', parsePlatforms)
              .optional()
              .meta({ description: DESCRIPTIONS.platform, example: EXAMPLE_QUERY.platform }),
          }),
      max_profiles: parsed('max_profiles', (t) => {
            const n = /^\s*\d+\s*$/.test(t) ? Number(t) : NaN;
            if (!Number.isSafeInteger(n) || n < 1) return { error: `must be a positive integer (got ${JSON.stringify(t)})` };
            if (n > limits.maxProfilesLimit) return { error: maxProfilesMessage(n) };
            return { maxProfiles: n };
          })
        .optional()
        .meta({
          description: `${DESCRIPTIONS.max_profiles} Default ${limits.defaultMaxProfiles}, at most ${limits.maxProfilesLimit}.`,
          example: String(Math.min(Number(EXAMPLE_QUERY.max_profiles), limits.maxProfilesLimit)),
        }),
      fields: oneOf('fields', PROFILE_FIELDS).optional().meta({ description: DESCRIPTIONS.fields, example: 'all' }),
      cursor: parsed('cursor', (t) => ({ cursor: t.trim() }))
        .optional()
        // No example: a cursor only continues the page it came from (Swagger's Try it out leaves it empty).
        .meta({ description: DESCRIPTIONS.cursor }),
      format: oneOf('format', PROFILE_FORMATS).optional().meta({ description: DESCRIPTIONS.format, example: EXAMPLE_QUERY.format }),
    })
    // Runs even when a field failed, so every unknown parameter is reported in the same answer.
    .superRefine(
      (params, ctx) => {
        for (const key of Object.keys(params)) {
          if (!known.includes(key)) {
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: `unknown parameter; the parameters are ${known.join(', ')}`,
            });
          }
        }
        // Also when another parameter failed: every bad parameter is named in one answer.
        const parsedVariables = (params as { variables?: { variables?: unknown } }).variables?.variables;
        const bgc = params.dataset === 'bgc' || !Array.isArray(parsedVariables) ? [] : nonCoreVariables(parsedVariables as string[]);
        if (bgc.length > 0) {
          ctx.addIssue({
            code: 'custom',
            path: ['variables'],
            message: `${bgc.join(', ')} ${bgc.length > 1 ? 'are not core variables' : 'is not a core variable'} (${PROFILE_VARIABLES.join(', ')}); BGC parameters need dataset=bgc: add dataset=bgc to the query`,
          });
        }
      },
      { when: () => true },
    )
    .superRefine((params, ctx) => refineShapes(params, ctx))
    .superRefine((params, ctx) => {
      const start = params.start ?? EARLIEST_INSTANT_MS;
      const end = params.end ?? LATEST_INSTANT_MS;
      if (end <= start) {
        ctx.addIssue({
          code: 'custom',
          path: ['end'],
          message: `end (${new Date(end).toISOString()}) must be after start (${new Date(start).toISOString()}): the window is [start, end), end excluded`,
        });
        return;
      }
      const days = (end - start) / DAY_MS;
      // A float's whole record is small (a few hundred profiles): the ceiling is for windows.
      if (!float && days > limits.maxWindowDays) {
        ctx.addIssue({
          code: 'custom',
          path: ['end'],
          message: `window is ${formatDays(days)} days; the limit is ${limits.maxWindowDays} (ARGO_MAX_WINDOW_DAYS)`,
        });
      }
    })
    .meta({ additionalProperties: false })
    .transform((p) => ({
      startMs: p.start ?? EARLIEST_INSTANT_MS,
      endMs: p.end ?? LATEST_INSTANT_MS,
      ...(p.depth ? { levels: p.depth.levels } : {}),
      vertical: p.vertical,
      variables: p.variables.variables as (typeof PROFILE_VARIABLES)[number][] | string[],
      ...(p.dataset === 'bgc' ? { dataset: p.dataset } : {}),
      mode: p.mode,
      ...(p.bbox ? { bbox: p.bbox.bbox } : {}),
      ...(p.polygon ? { polygon: p.polygon } : {}),
      ...(p.near && p.radius_km !== undefined ? { near: { center: p.near, radiusKm: p.radius_km } } : {}),
      ...(platformsOf(p) ? { platforms: platformsOf(p)! } : {}),
      maxProfiles: p.max_profiles?.maxProfiles ?? limits.defaultMaxProfiles,
      ...(p.fields === 'positions' ? { fields: p.fields } : {}),
      ...(p.cursor ? { cursor: p.cursor.cursor } : {}),
      ...(p.format ? { format: p.format } : {}),
    }));
}

/** The `platform` parameter's value, on the scope that has one. */
function platformsOf(p: object): string[] | undefined {
  return (p as { platform?: { platforms: string[] } }).platform?.platforms;
}

function formatDays(days: number): string {
  return Number.isInteger(days) ? String(days) : days.toFixed(2);
}


// ---------------------------------------------------------------------------------------------
// Responses (documentation: the body is streamed, never serialized through these)

/** A profile of the demo GDAC, as `EXAMPLE_QUERY` returns it: the examples below show real values. */
const EXAMPLE_PROFILE = {
  id: 'coriolis/2910003/profiles/D2910003_009.nc',
  platform_number: '2910003',
  cycle_number: 9,
  direction: 'A',
  data_mode: 'D',
  time: '2024-01-03T03:28:00.000Z',
  latitude: 49.165,
  longitude: -26.744,
  depth: [10, 50, 100, 200, 500, 1000],
  TEMP: [9.055365, 8.523207, 7.723658, 6.421538, 4.111831, 2.744173],
  PSAL: [35.351511, 35.269971, 35.182143, 35.042026, 34.735375, 34.575816],
} as const;

const levelArray = z.array(z.number().nullable());

export const profileSchema = z
  .object({
    id: z.string().describe('Path of the file under `dac/`.').meta({ example: EXAMPLE_PROFILE.id }),
    platform_number: z.string().meta({ example: EXAMPLE_PROFILE.platform_number }),
    cycle_number: count().describe('The float\'s cycle number (CYCLE_NUMBER).').meta({ example: EXAMPLE_PROFILE.cycle_number }),
    direction: z.enum(['A', 'D']).describe('A: ascending, D: descending.'),
    data_mode: z.enum(['R', 'A', 'D']).nullable().describe('R: real time, A: adjusted, D: delayed mode. null for dataset=bgc (see parameter_data_mode).'),
    parameter_data_mode: z
      .record(z.string(), z.enum(['R', 'A', 'D', ' ']))
      .optional()
      .describe('dataset=bgc: each parameter\'s data mode (PARAMETER_DATA_MODE), in STATION_PARAMETERS order.')
      .meta({ example: { PRES: 'D', TEMP: 'D', PSAL: 'D', DOXY: 'A' } }),
    time: z.string().describe('JULD of the primary profile, ISO 8601 UTC with milliseconds.').meta({ example: EXAMPLE_PROFILE.time }),
    latitude: z.number().min(-90).max(90).meta({ example: EXAMPLE_PROFILE.latitude }),
    longitude: z.number().min(-180).max(180).meta({ example: EXAMPLE_PROFILE.longitude }),
    depth: levelArray.optional().describe('Levels in metres (vertical=depth, and on native levels).').meta({ example: [...EXAMPLE_PROFILE.depth] }),
    pressure: levelArray.optional().describe('Levels in dbar (vertical=pressure, and on native levels).').meta({ example: [10, 50, 100.8, 201.6, 504.5, 1010.2] }),
    TEMP: levelArray.nullable().optional().describe('°C per level; null when the file has no TEMP.').meta({ example: [...EXAMPLE_PROFILE.TEMP] }),
    PSAL: levelArray.nullable().optional().describe('PSU per level; null when the file has no PSAL.').meta({ example: [...EXAMPLE_PROFILE.PSAL] }),
    PRES: levelArray.nullable().optional().describe('dbar per level (interpolated on depth levels).').meta({ example: [10.08, 50.41, 100.83, 201.7, 504.48, 1009.68] }),
  })
  .catchall(levelArray.nullable().describe('dataset=bgc: a BGC parameter (DOXY, CHLA, …) per level, in the units the files state (X-Argo-Units); null when the profile lacks it.'))
  .describe('One profile: one NDJSON line, one member of `profiles` in JSON, one CSV row per level.')
  .meta({ id: 'Profile', example: EXAMPLE_PROFILE });

export const streamErrorSchema = z
  .object({ status: errorStatus().meta({ example: 502 }), message: z.string().meta({ example: 'The Argo data source failed to deliver the data; try again later.' }) })
  .describe(
    'A failure after the body started: the last NDJSON line is `{"error": StreamError}`, the JSON body ' +
      'carries it as its `error` member, and CSV ends with a line `# error: <status> <message>`.',
  )
  .meta({ id: 'StreamError' });

export const profilesJsonSchema = z
  .object({
    profiles: z.array(profileSchema),
    matched: count().describe('Profiles matching before the cap (X-Argo-Profiles-Matched).'),
    truncated: z.boolean().describe('True when max_profiles cut the result (X-Argo-Truncated).'),
    months_missing: z.array(z.string()).describe('Months of the window with no built index (X-Argo-Months-Missing).').meta({ example: [] }),
    next: z
      .string()
      .nullable()
      .describe('When truncated: the next page (the `Link: <...>; rel="next"` target, this request with `cursor` set); null on the last page.'),
    error: streamErrorSchema.optional().describe('Present only when the body failed part-way.'),
  })
  .meta({ example: { profiles: [EXAMPLE_PROFILE], matched: 2, truncated: true, months_missing: [] } })
  .describe('format=json: one object, streamed.');

/** The headers sent with the plan's facts, before the first profile. */
export const profilesHeaders = {
  'X-Argo-Profiles-Matched': count().describe('Profiles matching the query before the max_profiles cap.').meta({ example: 2 }),
  'X-Argo-Truncated': z.enum(['true', 'false']).describe('`true` when max_profiles cut the result.').meta({ example: 'false' }),
  'X-Argo-Months-Missing': z
    .string()
    .describe('The months of the window with no built index, YYYY-MM comma list; empty when none.')
    .meta({ example: '2024-04,2024-05' }),
  Link: z
    .string()
    .describe(
      'The next page, `<url>; rel="next"`, when max_profiles cut the result and the query can continue after its ' +
        'last profile (key-set cursor, in result order). Absent when the result is complete.',
    )
    .meta({ example: '</v1/profiles?start=2024-01-01&end=2024-01-08&max_profiles=100&cursor=eyJ0IjoxNzA0MjUz>; rel="next"' }),
};

export const profilesResponses = {
  200: {
    description:
      'The matching profiles in time order (then platform, cycle, direction A before D), streamed. ' +
      'application/x-ndjson (default): one JSON object per line. application/json: ' +
      '`{"profiles":[...],"matched":N,"truncated":bool,"months_missing":[...]}`. text/csv: long format, ' +
      'one row per profile and level, header `id,platform_number,cycle_number,direction,data_mode,time,' +
      'latitude,longitude,<depth|pressure|depth,pressure>,<variables>`, empty cells for null. A failure ' +
      'after the body started ends it with `{"error":{"status":502,"message":"..."}}` (NDJSON line or ' +
      'JSON member) or a final CSV line `# error: 502 <message>`. The headers are sent before the body.',
    headers: profilesHeaders,
    content: {
      [PROFILE_MEDIA_TYPES.ndjson]: { schema: profileSchema },
      [PROFILE_MEDIA_TYPES.json]: { schema: profilesJsonSchema },
      [PROFILE_MEDIA_TYPES.csv]: {
        schema: z.string().meta({
          example:
            'id,platform_number,cycle_number,direction,data_mode,time,latitude,longitude,depth,TEMP,PSAL\n' +
            EXAMPLE_PROFILE.depth
              .map((d, i) =>
                [EXAMPLE_PROFILE.id, EXAMPLE_PROFILE.platform_number, EXAMPLE_PROFILE.cycle_number, EXAMPLE_PROFILE.direction, EXAMPLE_PROFILE.data_mode,
                  EXAMPLE_PROFILE.time, EXAMPLE_PROFILE.latitude, EXAMPLE_PROFILE.longitude, d, EXAMPLE_PROFILE.TEMP[i], EXAMPLE_PROFILE.PSAL[i]].join(','),
              )
              .join('\n') +
            '\n',
        }),
      },
      [PROFILE_MEDIA_TYPES.geojson]: {
        schema: z
          .object({
            type: z.literal('FeatureCollection'),
            features: z.array(
              z.object({
                type: z.literal('Feature'),
                id: z.string(),
                geometry: z.object({ type: z.literal('Point'), coordinates: z.array(z.number()).describe('[longitude, latitude]') }),
                properties: profileSchema,
              }),
            ),
            matched: count(),
            truncated: z.boolean(),
            months_missing: z.array(z.string()),
            next: z.string().nullable(),
          })
          .describe('format=geojson: RFC 7946 FeatureCollection, streamed.'),
      },
      [PROFILE_MEDIA_TYPES.arrow]: {
        schema: z.string().meta({ format: 'binary' }).describe('format=arrow: Arrow IPC stream of the CSV long table.'),
      },
      [PROFILE_MEDIA_TYPES.parquet]: {
        schema: z.string().meta({ format: 'binary' }).describe('format=parquet: Parquet file of the CSV long table.'),
      },
    },
  },
  400: problemResponse('A parameter is malformed, unknown, or over a ceiling; `errors` names each one.', {
    detail: 'Invalid request: end: "2024-02" is a month, and profiles take dates, the window [start, end) with end excluded; builds take months YYYY-MM, both included: the month 2024-02 is start=2024-02-01&end=2024-03-01 (so end=2024-03-01)',
    errors: [
      {
        parameter: 'end',
        message: '"2024-02" is a month, and profiles take dates, the window [start, end) with end excluded; builds take months YYYY-MM, both included: the month 2024-02 is start=2024-02-01&end=2024-03-01 (so end=2024-03-01)',
      },
    ],
  }),
  500: commonProblems[500],
  502: problemResponse('The GDAC or the index store failed before the body started.', { detail: 'The Argo data source failed to deliver the data; try again later.' }),
  503: {
    ...commonProblems[503],
    ...problemResponse(
      'The service is overloaded (sent with `Retry-After`), the index store is unreachable, or, under ARGO_QUERY_SOURCE=pack, a month of the window has no data pack (the detail names it).',
      { detail: 'The service is overloaded; try again shortly.' },
    ),
  },
  504: problemResponse('The GDAC did not answer in time, or the query ran past its time limit (ARGO_QUERY_TIMEOUT_SECONDS) before the body started.', { detail: 'The Argo data source did not answer in time; try again later.' }),
  413: problemResponse(
    'The answer would carry more level values (profiles × levels × variables; native levels count as an estimate) ' +
      'than one request may (ARGO_MAX_REQUEST_COST). Decided once the query is planned, before any level is read. ' +
      '`cost` gives the figures; `detail` says how to split the request: a shorter window, a smaller area, fewer ' +
      'levels or variables, or fewer profiles per request (max_profiles). Sending it again gets the same answer.',
    { detail: 'This request would return about 20000000 level values, over the limit of 10000000 for one request: narrow the window or the area, ask for fewer levels or variables, or lower max_profiles.' },
  ),
};
