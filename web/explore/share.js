// The same query elsewhere: download links for each format of /v1/profiles, and a Python snippet
// with the project's client (clients/python: `from argoprofiles import Client`).
import { queryString, variablesOf } from './state.js';
import { el } from './summary.js';

const FORMATS = {
  ndjson: { label: 'NDJSON', note: 'one profile a line', extension: 'ndjson' },
  json: { label: 'JSON', note: 'one document', extension: 'json' },
  csv: { label: 'CSV', note: 'a row per level', extension: 'csv' },
  geojson: { label: 'GeoJSON', note: 'a point per profile', extension: 'geojson' },
  parquet: { label: 'Parquet', note: 'typed table', extension: 'parquet' },
  arrow: { label: 'Arrow', note: 'IPC stream', extension: 'arrows' },
};

function fileStem(query) {
  const safe = (s) => (s ?? '').replace(/[^0-9A-Za-z-]+/g, '');
  return `argo-profiles_${safe(query.start)}_${safe(query.end)}`;
}

/** Download links of the query in every format the service offers, and its positions as CSV. */
export function downloadLinks(query, formats) {
  const qs = queryString(query);
  const items = formats.map((format) => {
    const f = FORMATS[format] ?? { label: format.toUpperCase(), note: '', extension: format };
    return el(
      'li',
      {},
      el('a', { href: `v1/profiles?${qs}&format=${format}`, download: `${fileStem(query)}.${f.extension}`, 'data-format': format }, f.label, el('span', {}, f.note)),
    );
  });
  items.push(
    el(
      'li',
      { class: 'wide' },
      el(
        'a',
        { href: `v1/profiles?${qs}&fields=positions&format=csv`, download: `${fileStem(query)}_positions.csv`, 'data-format': 'positions-csv' },
        'Positions only (CSV)',
        el('span', {}, 'metadata, no levels'),
      ),
    ),
  );
  return items;
}

const py = (s) => JSON.stringify(s);

/** A Python expression for a comma list of numbers, or the text itself as a string. */
function numberList(text) {
  const parts = text.split(',').map((s) => s.trim());
  return parts.every((p) => p !== '' && Number.isFinite(Number(p))) ? parts.map((p) => String(Number(p))) : undefined;
}

/** The Python client call that runs the same query against this service. */
export function pythonSnippet(query, baseUrl) {
  const args = [];
  if (query.bbox) {
    const numbers = numberList(query.bbox);
    args.push(`bbox=${numbers && numbers.length === 4 ? `(${numbers.join(', ')})` : py(query.bbox)},`);
  }
  if (query.mode) args.push(`mode=${py(query.mode)},`);
  if (query.platform) args.push(`platform=[${query.platform.split(',').map((p) => py(p.trim())).join(', ')}],`);
  if (query.variables) args.push(`variables=[${variablesOf(query).map(py).join(', ')}],`);
  if (query.depth) {
    const numbers = query.depth.includes(':') ? undefined : numberList(query.depth);
    args.push(`depth=${numbers ? `[${numbers.join(', ')}]` : py(query.depth)},`);
  }
  if (query.vertical) args.push(`vertical=${py(query.vertical)},`);
  if (query.max_profiles) args.push(`max_profiles=${Number(query.max_profiles) || py(query.max_profiles)},`);
  const call =
    args.length === 0
      ? `result = client.profiles(${py(query.start ?? '')}, ${py(query.end ?? '')})`
      : [`result = client.profiles(`, `    ${py(query.start ?? '')}, ${py(query.end ?? '')},`, ...args.map((a) => `    ${a}`), ')'].join('\n');
  return [
    'from argoprofiles import Client',
    '',
    `client = Client(${py(baseUrl)})`,
    call,
    'print(result.matched, "profiles matched")',
    'df = result.to_dataframe()   # pandas: a row per profile and level',
    '# ds = result.to_xarray()    # xarray: profile x level',
  ].join('\n');
}
