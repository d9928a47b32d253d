// Requests to the service, all relative to the page (so the page works behind a path prefix), all
// JSON. Level data is asked for only for what a view plots: the map takes `fields=positions`, a
// clicked profile is one narrow request, the T/S diagram and the section ask when they are opened.
import { queryString } from './state.js';

/** Formats the page offers when the service's OpenAPI document cannot be read. */
const FALLBACK_FORMATS = ['ndjson', 'json', 'csv'];

/** Profiles drawn in the T/S diagram at most: a few hundred curves stay readable and quick to draw. */
export const TS_MAX_PROFILES = 300;

/** Target levels of a section when the query names none: every 10 m (or dbar) down to 2000. */
export const SECTION_LEVELS = '0:2000:10';

/** A problem answered by the service (problem+json), or a failure to reach it. */
export class ApiError extends Error {
  constructor(message, { status = 0, errors = [], requestId } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.errors = errors;
    this.requestId = requestId;
  }
}

async function getJson(path, signal) {
  let response;
  try {
    response = await fetch(path, { signal, headers: { Accept: 'application/json' } });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError('The service could not be reached.', { status: 0 });
  }
  const text = await response.text();
  let body;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    throw new ApiError(`The service sent an unreadable answer (HTTP ${response.status}).`, { status: response.status });
  }
  if (!response.ok) {
    throw new ApiError(body?.detail ?? `HTTP ${response.status}`, {
      status: response.status,
      errors: Array.isArray(body?.errors) ? body.errors : [],
      requestId: body?.request_id ?? response.headers.get('X-Request-Id') ?? undefined,
    });
  }
  return body;
}

/** A /v1/profiles answer in `json`: the profiles and the counts, or the error that cut it short. */
async function getProfiles(query, more, signal) {
  const body = await getJson(`v1/profiles?${queryString(query, { ...more, format: 'json' })}`, signal);
  if (body.error) throw new ApiError(body.error.message, { status: body.error.status });
  return { profiles: body.profiles, matched: body.matched, truncated: body.truncated, monthsMissing: body.months_missing };
}

/** The query without its level parameters: what the map's positions depend on. */
function withoutLevels(query) {
  const { depth, vertical, variables, ...rest } = query;
  return rest;
}

/** The window's positions (metadata only; the service reads no level data for them). */
export function fetchPositions(query, signal) {
  return getProfiles(withoutLevels(query), { fields: 'positions' }, signal);
}

/**
 * One profile with its levels: the same query narrowed to the profile's float and to a window of
 * one millisecond at its time (`[time, time + 1 ms)`), which no other profile of that float shares.
 */
export async function fetchProfile(query, position, signal) {
  const time = Date.parse(position.time);
  const narrow = {
    ...query,
    start: new Date(time).toISOString(),
    end: new Date(time + 1).toISOString(),
    platform: position.platform_number,
    variables: 'TEMP,PSAL',
    max_profiles: undefined,
    bbox: undefined,
  };
  const result = await getProfiles(narrow, { max_profiles: 10 }, signal);
  const profile = result.profiles.find((p) => p.id === position.id);
  if (!profile) throw new ApiError(`The service returned no profile ${position.id} for its own time and float.`);
  return { profile, url: `v1/profiles?${queryString(narrow)}` };
}

/** The query narrowed to one profile, for links ("this profile as CSV"). */
export function profileQuery(query, position) {
  const time = Date.parse(position.time);
  return { ...query, start: new Date(time).toISOString(), end: new Date(time + 1).toISOString(), platform: position.platform_number, bbox: undefined, max_profiles: undefined };
}

/** Temperature and salinity of the window's first `TS_MAX_PROFILES` profiles (fewer if the query caps lower). */
export function fetchWindowLevels(query, signal) {
  const cap = Math.min(TS_MAX_PROFILES, Number(query.max_profiles) || Infinity);
  return getProfiles({ ...query, variables: 'TEMP,PSAL', max_profiles: undefined }, { max_profiles: cap }, signal);
}

/** One float's profiles of the window on regular levels, for a section. */
export function fetchSection(query, platform, signal) {
  return getProfiles({ ...query, platform, variables: 'TEMP,PSAL', depth: query.depth ?? SECTION_LEVELS }, {}, signal);
}

/** The built months (`[]` when the service has none). */
export async function fetchMonths(signal) {
  return (await getJson('v1/months', signal)) ?? [];
}

/** The output formats of /v1/profiles, read from the service's OpenAPI document. */
export async function fetchFormats(signal) {
  try {
    const doc = await getJson('openapi.json', signal);
    const parameter = doc.paths['/v1/profiles'].get.parameters.find((p) => p.name === 'format');
    const formats = parameter?.schema?.enum;
    return Array.isArray(formats) && formats.length > 0 ? formats : FALLBACK_FORMATS;
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    return FALLBACK_FORMATS;
  }
}
