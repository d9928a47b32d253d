/**
 * `polygon=`: a ring of `[lon, lat]` vertices, closed automatically, as a point-in-polygon test.
 *
 * Edges are straight lines in longitude/latitude (planar, "plate carrée"), not great circles:
 * - it is the rule of the tools people check our answers with: shapely/geopandas, turf (kepler.gl's
 *   polygon filter), DuckDB `ST_Contains`, PostGIS `geometry`, and argopy/ERDDAP boxes;
 * - an edge along a parallel stays on that parallel, so a polygon drawn as a lat/lon box selects
 *   exactly what `bbox=` selects;
 * - Argovis differs: its `polygon` goes to a MongoDB 2dsphere query, whose edges are great
 *   circles (its own Python helpers re-check split polygons for that reason). For a polygon a few
 *   degrees wide the two agree to within metres near the equator and a few kilometres at high
 *   latitude; for basin-sized polygons they differ visibly (a great circle bows poleward).
 *
 * The antimeridian: each edge takes the shorter way in longitude (|Δlon| < 180°), so `170,-10,
 * -170,-10,-170,10,170,10` is the 20°-wide box across the date line, not its 340° complement.
 * A ring whose edges go once around the globe (say vertices at every 90° of longitude along 70°N)
 * encloses a pole: the region is the polar cap on the side of the ring's (longitude-weighted)
 * mean latitude, i.e. the smaller of the two regions in lon/lat. Rings going around more than once,
 * and edges of exactly 180° (ambiguous way), are refused by the schema and here.
 *
 * Test: a ray from the point due north (along its meridian) to the North Pole, counting the edges
 * it crosses (even-odd rule); the North Pole itself is inside only for a northern polar cap. Each
 * edge covers the half-open longitude interval [west end, east end), so a ray through a vertex is
 * counted once. Points exactly on an edge may fall either side (floating point decides).
 */
import { type LonLat, type LonLatBox, type Shape, boxFromSpan, isInBox, normalizeLongitude } from './shape.js';

/** Why a ring cannot be a polygon, or undefined when it can. Also used to document the rules. */
export type RingProblem =
  | { kind: 'too_few_vertices'; distinct: number }
  | { kind: 'half_turn_edge'; from: LonLat; to: LonLat }
  | { kind: 'winds_more_than_once'; turns: number };

/** `d` (a longitude difference in (-360, 360]) into (-180, 180]: the shorter way round. */
function shorterWay(d: number): number {
  if (d > 180) return d - 360;
  if (d <= -180) return d + 360;
  return d;
}

/** The ring without a closing vertex and without consecutive repeats, longitudes in [-180, 180). */
export function normalizeRing(vertices: readonly LonLat[]): LonLat[] {
  const ring: LonLat[] = [];
  for (const [lon, lat] of vertices) {
    const v: LonLat = [normalizeLongitude(lon), lat];
    const last = ring[ring.length - 1];
    if (!last || last[0] !== v[0] || last[1] !== v[1]) ring.push(v);
  }
  while (ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1]) ring.pop();
  return ring;
}

/**
 * Checks the ring rules that the numbers alone do not show (the schema checks ranges): at least
 * three distinct vertices, no edge spanning exactly 180° of longitude, at most one turn round the
 * globe. `vertices` may or may not repeat the first vertex at the end.
 */
export function ringProblem(vertices: readonly LonLat[]): RingProblem | undefined {
  const ring = normalizeRing(vertices);
  const distinct = new Set(ring.map(([lon, lat]) => `${lon},${lat}`)).size;
  if (distinct < 3) return { kind: 'too_few_vertices', distinct };
  let sum = 0;
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i];
    const b = ring[(i + 1) % ring.length];
    const d = b[0] - a[0];
    if (Math.abs(d) === 180) return { kind: 'half_turn_edge', from: a, to: b };
    sum += shorterWay(d);
  }
  const turns = Math.round(sum / 360);
  if (Math.abs(turns) > 1) return { kind: 'winds_more_than_once', turns };
  return undefined;
}

/** Edges as stored for the test: the west end, the eastward width and both latitudes. */
interface Edges {
  /** Longitude of the west end, in [-180, 180). */
  west: Float64Array;
  /** Eastward width in degrees, in [0, 180). */
  width: Float64Array;
  /** Latitude at the west end and at the east end. */
  westLat: Float64Array;
  eastLat: Float64Array;
}

export interface PolygonShape extends Shape {
  /** The ring as used (normalized longitudes, no closing vertex). */
  readonly ring: readonly LonLat[];
  /** 0 for an ordinary polygon; +1/-1 when the ring goes once round the globe (a polar cap). */
  readonly turns: number;
  /** Which pole a polar cap holds; undefined for an ordinary polygon. */
  readonly pole?: 'north' | 'south';
}

/**
 * The polygon of `vertices` (`[lon, lat]` degrees, lon within ±180, lat within ±90, at least three
 * distinct vertices; the schema guarantees these). Throws a RangeError for a ring that breaks the
 * rules of `ringProblem`: callers validate user input first and report it as a 400.
 */
export function createPolygonShape(vertices: readonly LonLat[]): PolygonShape {
  for (const [lon, lat] of vertices) {
    if (!(Math.abs(lon) <= 180 && Math.abs(lat) <= 90)) throw new RangeError(`polygon vertex ${lon},${lat} is out of range`);
  }
  const problem = ringProblem(vertices);
  if (problem) throw new RangeError(`not a usable polygon ring: ${problem.kind}`);
  const ring = normalizeRing(vertices);
  const n = ring.length;
  const edges: Edges = {
    west: new Float64Array(n),
    width: new Float64Array(n),
    westLat: new Float64Array(n),
    eastLat: new Float64Array(n),
  };
  // Unwrapped longitude of each vertex (the running sum of the edges' eastward steps): gives the
  // ring's extent and its turns round the globe.
  let u = ring[0][0];
  let uMin = u;
  let uMax = u;
  let sum = 0;
  // Σ Δlon × mean latitude of the edge: the sign says which side of a globe-circling ring is smaller.
  let weightedLat = 0;
  let latMin = Infinity;
  let latMax = -Infinity;
  for (let i = 0; i < n; i++) {
    const [lonA, latA] = ring[i];
    const [lonB, latB] = ring[(i + 1) % n];
    const d = shorterWay(lonB - lonA);
    if (d >= 0) {
      edges.west[i] = lonA;
      edges.width[i] = d;
      edges.westLat[i] = latA;
      edges.eastLat[i] = latB;
    } else {
      // -d is exactly what the test computes for x = lonA (negating a difference is exact), so
      // the half-open interval ends exactly at lonA.
      edges.west[i] = lonB;
      edges.width[i] = -d;
      edges.westLat[i] = latB;
      edges.eastLat[i] = latA;
    }
    sum += d;
    weightedLat += d * (latA + latB);
    u += d;
    if (i < n - 1) {
      uMin = Math.min(uMin, u);
      uMax = Math.max(uMax, u);
    }
    latMin = Math.min(latMin, latA);
    latMax = Math.max(latMax, latA);
  }
  const turns = Math.round(sum / 360);
  // weightedLat has the sign of turns × (mean latitude): the cap on the mean latitude's side.
  const pole = turns === 0 ? undefined : weightedLat * turns >= 0 ? 'north' : 'south';
  const bbox: LonLatBox =
    turns === 0
      ? boxFromSpan(uMin, uMax - uMin, latMin, latMax)
      : boxFromSpan(-180, 360, pole === 'south' ? -90 : latMin, pole === 'north' ? 90 : latMax);
  const northPoleInside = pole === 'north';
  const { west, width, westLat, eastLat } = edges;

  const contains = (lon: number, lat: number): boolean => {
    if (!isInBox(lon, lat, bbox)) return false;
    const x = normalizeLongitude(lon);
    let crossings = 0;
    for (let i = 0; i < n; i++) {
      const w = width[i];
      if (w === 0) continue;
      let t = x - west[i];
      if (t < 0) t += 360;
      if (t >= w) continue;
      const y = westLat[i] + (eastLat[i] - westLat[i]) * (t / w);
      if (y > lat) crossings++;
    }
    return ((crossings & 1) === 1) !== northPoleInside;
  };
  return { contains, bbox, ring, turns, ...(pole ? { pole } : {}) };
}
