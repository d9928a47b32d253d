// The page's state. The query string holds the /v1/profiles parameters, exactly as the API takes
// them, so the address of a view is also a query; the fragment holds what only the page needs (the
// selected profile, the open view, the map's colouring, the section's float and axis).

/** The /v1/profiles parameters the form edits, in the order the page writes them. */
export const QUERY_PARAMETERS = ['start', 'end', 'bbox', 'mode', 'variables', 'platform', 'depth', 'vertical', 'max_profiles'];

/** Parameters the page sets itself on each request (never part of a view's state). */
const PAGE_OWNED = new Set(['format', 'fields']);

export const DEFAULT_VARIABLES = ['TEMP', 'PSAL'];
export const VARIABLES = ['TEMP', 'PSAL', 'PRES'];

/**
 * A query from a query string: every parameter given (trimmed, non-empty), the form's ones by name
 * and any other in `extra` (sent on as they are, so the service names what it does not know).
 */
export function readQuery(search) {
  const params = new URLSearchParams(search);
  const query = {};
  const extra = [];
  for (const [name, raw] of params) {
    const value = raw.trim();
    if (value === '' || PAGE_OWNED.has(name)) continue;
    if (QUERY_PARAMETERS.includes(name) && !(name in query)) query[name] = value;
    else extra.push([name, value]);
  }
  if (extra.length > 0) query.extra = extra;
  return query;
}

// Commas and colons are legal in a query string; leaving them unescaped keeps links readable
// (bbox=170,-10,-170,10 rather than bbox=170%2C-10%2C-170%2C10).
function encode(value) {
  return encodeURIComponent(value).replace(/%2C/gi, ',').replace(/%3A/gi, ':');
}

/** The query string of `query` (without `?`), parameters in the page's order, plus `more`. */
export function queryString(query, more = {}) {
  const pairs = [];
  for (const name of QUERY_PARAMETERS) {
    if (query[name] !== undefined && query[name] !== '') pairs.push([name, query[name]]);
  }
  for (const pair of query.extra ?? []) pairs.push(pair);
  for (const [name, value] of Object.entries(more)) {
    if (value !== undefined && value !== '') pairs.push([name, String(value)]);
  }
  return pairs.map(([name, value]) => `${encode(name)}=${encode(value)}`).join('&');
}

/** The same query with `changes` applied (undefined removes a parameter). */
export function withQuery(query, changes) {
  const next = { ...query, ...changes };
  for (const [name, value] of Object.entries(next)) if (value === undefined || value === '') delete next[name];
  return next;
}

export const VIEWS = ['profile', 'ts', 'section'];

/** The page's own state from the fragment: `#view=ts&profile=<id>&color=mode&float=<wmo>&x=distance`. */
export function readView(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const view = params.get('view');
  return {
    view: VIEWS.includes(view) ? view : 'profile',
    profile: params.get('profile') || undefined,
    color: params.get('color') === 'mode' ? 'mode' : 'time',
    float: params.get('float') || undefined,
    x: params.get('x') === 'distance' ? 'distance' : 'time',
  };
}

/** The fragment for `view` (defaults left out), with its `#`, or '' when everything is default. */
export function viewHash(view) {
  const pairs = [];
  if (view.view !== 'profile') pairs.push(['view', view.view]);
  if (view.profile) pairs.push(['profile', view.profile]);
  if (view.color !== 'time') pairs.push(['color', view.color]);
  if (view.float) pairs.push(['float', view.float]);
  if (view.x !== 'time') pairs.push(['x', view.x]);
  // Profile ids hold slashes, which are fine in a fragment.
  return pairs.length === 0 ? '' : `#${pairs.map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%2F/gi, '/')}`).join('&')}`;
}

/** `YYYY-MM` → the window of that whole month, `[first day, first day of the next month)`. */
export function monthWindow(month) {
  const [year, m] = month.split('-').map(Number);
  const next = m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`;
  return { start: `${month}-01`, end: `${next}-01` };
}

/** The month of `query`'s window when it is exactly one whole month, else undefined. */
export function windowMonth(query) {
  const m = /^(\d{4}-\d{2})-01$/.exec(query.start ?? '');
  if (!m) return undefined;
  return monthWindow(m[1]).end === query.end ? m[1] : undefined;
}

/** The variables of a query as a list (the service's default when absent). */
export function variablesOf(query) {
  return query.variables ? query.variables.split(',').map((v) => v.trim()).filter(Boolean) : DEFAULT_VARIABLES;
}
