/**
 * The shape parameters of `/v1/profiles` (and `/v1/platforms/{wmo}/profiles`): `polygon`, `near`
 * and `radius_km`. Zod only; imports nothing from `src/`.
 *
 * To use them, spread `shapeFields` into the query object and add `refineShapes` as a
 * `superRefine` (it reports `near` without `radius_km` and the reverse); the transformed values
 * are `polygon: [lon, lat][]` and `near: [lon, lat]`, `radius_km: number`.
 *
 * Rules (public; the OpenAPI descriptions below say the same):
 * - `polygon=lon,lat,lon,lat,…`: at least three distinct vertices, at most `MAX_POLYGON_VERTICES`;
 *   closed automatically (a last vertex equal to the first is allowed); edges are straight in
 *   lon/lat and take the shorter way in longitude, so a polygon crosses the antimeridian by
 *   listing vertices on both sides (`170,…,-170,…`). An edge spanning exactly 180° of longitude is
 *   ambiguous and refused; a ring going once round the globe selects the polar cap on its side.
 * - `near=lon,lat` with `radius_km=R`: great-circle distance on the mean Earth sphere (6371.0088
 *   km), positions at exactly R included. Each needs the other.
 * - Every issue names its parameter (the error handler turns the path into `errors[].parameter`).
 */
import { z } from 'zod';
import { parseDecimal, parsed } from './params.js';

/**
 * Vertices a polygon may have. Each position test walks every edge, so a year's window (~10⁵
 * profiles) costs ~5·10⁷ edge checks at 500 (tens of ms); and 500 vertices take ~10 KB of query
 * string, within the 16 KB that Node's HTTP parser accepts by default.
 */
export const MAX_POLYGON_VERTICES = 500;

/**
 * The largest radius accepted, km: half the circumference of the 6371.0088 km sphere (20015.09)
 * rounded up. Anything larger means the whole globe and is most likely metres given for km.
 */
export const MAX_RADIUS_KM = 20016;

export const SHAPE_DESCRIPTIONS = {
  polygon:
    '`lon,lat,lon,lat,…` in degrees (lon within ±180, lat within ±90): one ring of at least 3 ' +
    `distinct vertices, at most ${MAX_POLYGON_VERTICES}, closed automatically. Edges are straight ` +
    'lines in longitude/latitude (as in shapely, turf or DuckDB ST_Contains; not great circles) ' +
    'and take the shorter way in longitude, so a polygon crosses the antimeridian when its ' +
    'vertices lie on both sides (`170,-10,-170,-10,-170,10,170,10`). An edge spanning exactly 180° ' +
    'of longitude is ambiguous and refused. A ring that goes once round the globe selects the ' +
    'polar cap on the side of its latitudes. Combines with every other filter.',
  near: '`lon,lat` in degrees: the centre of a radius search; needs `radius_km`.',
  radius_km:
    'Great-circle radius in km around `near` (a sphere of the mean Earth radius, 6371.0088 km; ' +
    `haversine), > 0 and at most ${MAX_RADIUS_KM}; positions at exactly this distance are included. Needs \`near\`.`,
} as const;

export type LonLatPair = [number, number];

/** Parses a `lon,lat,…` list into pairs, checking the ranges; `what` names the list in messages. */
function parsePairs(text: string, what: string): { pairs: LonLatPair[] } | { error: string } {
  const parts = text.split(',');
  if (parts.length % 2 !== 0) return { error: `${what} is lon,lat pairs: an even count of numbers (got ${parts.length})` };
  const pairs: LonLatPair[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    const lon = parseDecimal(parts[i]);
    const lat = parseDecimal(parts[i + 1]);
    const at = parts.length > 2 ? ` (vertex ${i / 2 + 1})` : '';
    if (lon === undefined) return { error: `longitude ${JSON.stringify(parts[i].trim())}${at} is not a finite number` };
    if (lat === undefined) return { error: `latitude ${JSON.stringify(parts[i + 1].trim())}${at} is not a finite number` };
    if (lon < -180 || lon > 180) return { error: `longitude must be within [-180, 180] (got ${lon}${at}; the order is lon,lat)` };
    if (lat < -90 || lat > 90) return { error: `latitude must be within [-90, 90] (got ${lat}${at}; the order is lon,lat)` };
    pairs.push([lon, lat]);
  }
  return { pairs };
}

/** A longitude difference the shorter way round: (-180, 180]. */
function shorterWay(d: number): number {
  return d > 180 ? d - 360 : d <= -180 ? d + 360 : d;
}

/**
 * Parses `polygon`: the vertices as given (a closing vertex equal to the first is dropped). The
 * ring rules match `ringProblem` in the geometry module, which refuses the same rings.
 */
export function parsePolygon(text: string): { polygon: LonLatPair[] } | { error: string } {
  const parsed = parsePairs(text, 'polygon');
  if ('error' in parsed) return parsed;
  const sameMeridian = (a: number, b: number) => a === b || (Math.abs(a) === 180 && Math.abs(b) === 180);
  const same = (a: LonLatPair, b: LonLatPair) => sameMeridian(a[0], b[0]) && a[1] === b[1];
  const ring = parsed.pairs.filter((v, i, all) => i === 0 || !same(v, all[i - 1]));
  while (ring.length > 1 && same(ring[0], ring[ring.length - 1])) ring.pop();
  if (ring.length > MAX_POLYGON_VERTICES) return { error: `${ring.length} vertices; the limit is ${MAX_POLYGON_VERTICES}` };
  const distinct = new Set(ring.map(([lon, lat]) => `${lon === 180 ? -180 : lon},${lat}`)).size;
  if (distinct < 3) return { error: `a polygon needs at least 3 distinct vertices (got ${distinct})` };
  let turns = 0;
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i];
    const b = ring[(i + 1) % ring.length];
    const d = b[0] - a[0];
    if (Math.abs(d) === 180) {
      return {
        error:
          `the edge from ${a[0]},${a[1]} to ${b[0]},${b[1]} spans exactly 180° of longitude, so its way round is ` +
          'ambiguous; add a vertex between them',
      };
    }
    turns += shorterWay(d);
  }
  if (Math.abs(Math.round(turns / 360)) > 1) return { error: 'the ring goes round the globe more than once' };
  return { polygon: ring };
}

export function parseNear(text: string): { near: LonLatPair } | { error: string } {
  const parsed = parsePairs(text, 'near');
  if ('error' in parsed) return parsed;
  if (parsed.pairs.length !== 1) return { error: `near is one position, lon,lat (got ${parsed.pairs.length * 2} numbers)` };
  return { near: parsed.pairs[0] };
}

export function parseRadiusKm(text: string): { radiusKm: number } | { error: string } {
  const r = parseDecimal(text);
  if (r === undefined) return { error: `must be a finite number of kilometres (got ${JSON.stringify(text.trim())})` };
  if (!(r > 0)) return { error: `must be > 0 km (got ${r})` };
  if (r > MAX_RADIUS_KM) {
    return { error: `must be at most ${MAX_RADIUS_KM} km, half the Earth's circumference (got ${r}; the unit is km, not m)` };
  }
  return { radiusKm: r };
}

/** One query-string value, present once, parsed by `parse` (profiles.ts' `parsed`, with its own empty message). */
function shapeParam<T>(name: string, parse: (text: string) => T | { error: string }) {
  return parsed(name, parse, false, `is empty; omit ${name} when not filtering by it`);
}

/** The three parameters as zod fields, to spread into a querystring object. */
export const shapeFields = {
  polygon: shapeParam('polygon', parsePolygon)
    .transform((p) => p.polygon)
    .optional()
    .meta({ description: SHAPE_DESCRIPTIONS.polygon, example: '-30,40,-15,40,-15,55,-30,55' }),
  near: shapeParam('near', parseNear)
    .transform((p) => p.near)
    .optional()
    .meta({ description: SHAPE_DESCRIPTIONS.near, example: '-25,51' }),
  radius_km: shapeParam('radius_km', parseRadiusKm)
    .transform((p) => p.radiusKm)
    .optional()
    .meta({ description: SHAPE_DESCRIPTIONS.radius_km, example: '300' }),
};

export const SHAPE_PARAMETERS = ['polygon', 'near', 'radius_km'] as const;

/**
 * `near` and `radius_km` go together: the missing one is named. Pass as `superRefine` after the
 * fields (zod runs it only when they all parsed, so a malformed `near` is reported once, by its
 * own message, not also as missing).
 */
export function refineShapes(
  params: { near?: unknown; radius_km?: unknown },
  ctx: { addIssue(issue: { code: 'custom'; path: string[]; message: string }): void },
): void {
  const both = 'a radius search needs both near=lon,lat and radius_km';
  if (params.near !== undefined && params.radius_km === undefined) {
    ctx.addIssue({ code: 'custom', path: ['radius_km'], message: `is required with near (${both})` });
  }
  if (params.radius_km !== undefined && params.near === undefined) {
    ctx.addIssue({ code: 'custom', path: ['near'], message: `is required with radius_km (${both})` });
  }
}

/** The shape parameters alone, as one schema (the profiles schema spreads the fields instead). */
export const shapesQuerySchema = z
  .looseObject(shapeFields)
  .superRefine((params, ctx) => refineShapes(params, ctx));

export type ShapesQuery = z.output<typeof shapesQuerySchema>;
