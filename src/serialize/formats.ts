/**
 * Output formats: their names, media types, and choosing one from the `format` parameter or the
 * `Accept` header (the parameter wins). schemas/profiles.ts mirrors the names and media types
 * (test/schemas/enums.test.ts keeps them in step).
 */

export const OUTPUT_FORMATS = ['ndjson', 'json', 'csv', 'geojson', 'arrow', 'parquet'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const MEDIA_TYPES: Readonly<Record<OutputFormat, string>> = Object.freeze({
  ndjson: 'application/x-ndjson',
  json: 'application/json',
  csv: 'text/csv',
  geojson: 'application/geo+json',
  arrow: 'application/vnd.apache.arrow.stream',
  parquet: 'application/vnd.apache.parquet',
});

/** The Content-Type header per format. */
export const CONTENT_TYPES: Readonly<Record<OutputFormat, string>> = Object.freeze({
  ndjson: `${MEDIA_TYPES.ndjson}; charset=utf-8`,
  json: `${MEDIA_TYPES.json}; charset=utf-8`,
  csv: `${MEDIA_TYPES.csv}; charset=utf-8; header=present`,
  geojson: `${MEDIA_TYPES.geojson}; charset=utf-8`,
  arrow: MEDIA_TYPES.arrow,
  parquet: MEDIA_TYPES.parquet,
});

export const DEFAULT_FORMAT: OutputFormat = 'ndjson';

/** Media types also accepted for a format (common aliases for NDJSON / JSON Lines). */
const ALIASES: Readonly<Record<string, OutputFormat>> = Object.freeze({
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'application/json': 'json',
  'text/csv': 'csv',
  'application/geo+json': 'geojson',
  'application/vnd.apache.arrow.stream': 'arrow',
  'application/vnd.apache.parquet': 'parquet',
  // The media type parquet had before its registration, still sent by some tools.
  'application/x-parquet': 'parquet',
});

/**
 * The format to answer in: the explicit parameter if given, else the Accept header's most
 * preferred supported media type (q-values honoured; on a tie, the order listed), else ndjson.
 * An Accept that names nothing we serve (`text/html`, `*\/*`) is not an error: the default is
 * always acceptable to a streaming client, and a 406 would only break browsers.
 */
export function selectFormat(explicit: OutputFormat | undefined, accept: string | undefined): OutputFormat {
  if (explicit !== undefined) return explicit;
  if (!accept) return DEFAULT_FORMAT;
  let best: { format: OutputFormat; q: number } | undefined;
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    const format = ALIASES[type];
    if (!format) continue;
    let q = 1;
    for (const p of params) {
      const m = /^q=([0-9.]+)$/.exec(p);
      if (m) q = Number(m[1]);
    }
    if (!(q > 0)) continue;
    if (!best || q > best.q) best = { format, q };
  }
  return best?.format ?? DEFAULT_FORMAT;
}
