/**
 * What every query shape (polygon, circle) offers the planner: an exact test of a position and a
 * bounding box that contains every position the test accepts, so a caller can prefilter cheaply
 * or prune whole months by extent. Pure: no I/O, no imports.
 *
 * Coordinates are degrees, longitude first (GeoJSON order). Longitudes -180 and 180 are the same
 * meridian everywhere in this module.
 */

/** `[lonMin, latMin, lonMax, latMax]`; `lonMin > lonMax` crosses the antimeridian (as `bbox=`). */
export type LonLatBox = [number, number, number, number];

/** A position, `[lon, lat]` in degrees. */
export type LonLat = readonly [lon: number, lat: number];

export interface Shape {
  /** Whether the position is inside (prefiltered by `bbox`, so a cheap call for far points). */
  contains(lon: number, lat: number): boolean;
  /** Contains every position `contains` accepts (with a hair of margin against rounding). */
  readonly bbox: LonLatBox;
}

/** The whole globe as a box. */
export const WORLD_BOX: LonLatBox = [-180, -90, 180, 90];

/**
 * Margin added around computed boxes, in degrees (~0.1 mm): the box is a prefilter and must never
 * drop a position the exact test accepts; rounding in the box arithmetic is ~1e-13 degrees.
 */
export const BOX_MARGIN_DEGREES = 1e-9;

/** `lon` into [-180, 180): 180 and -180 are one meridian, spelled -180 here. */
export function normalizeLongitude(lon: number): number {
  if (lon >= -180 && lon < 180) return lon;
  const r = (((lon + 180) % 360) + 360) % 360;
  return r - 180;
}

/**
 * Whether a position is in a box (edges included); `lonMin > lonMax` crosses the antimeridian.
 * Same rule as the `bbox` query parameter.
 */
export function isInBox(lon: number, lat: number, box: LonLatBox): boolean {
  const [lonMin, latMin, lonMax, latMax] = box;
  if (!(lat >= latMin && lat <= latMax)) return false;
  const inRange = (x: number) => (lonMin <= lonMax ? x >= lonMin && x <= lonMax : x >= lonMin || x <= lonMax);
  return inRange(lon) || (Math.abs(lon) === 180 && inRange(-lon));
}

/**
 * A box from a longitude interval given by its west end and its eastward width (degrees) and a
 * latitude interval, widened by `BOX_MARGIN_DEGREES`. A width of 360 or more is the whole circle.
 */
export function boxFromSpan(west: number, width: number, latMin: number, latMax: number): LonLatBox {
  const south = Math.max(-90, latMin - BOX_MARGIN_DEGREES);
  const north = Math.min(90, latMax + BOX_MARGIN_DEGREES);
  if (width + 2 * BOX_MARGIN_DEGREES >= 360) return [-180, south, 180, north];
  const lonMin = normalizeLongitude(west - BOX_MARGIN_DEGREES);
  let lonMax = lonMin + width + 2 * BOX_MARGIN_DEGREES;
  if (lonMax > 180) lonMax -= 360;
  return [lonMin, south, lonMax, north];
}

/**
 * One test for all the shapes of a query (they combine with AND, like every other filter), or
 * undefined when there is none. `contains` runs each shape's box before its exact test.
 */
export function createShapeFilter(shapes: readonly Shape[]): ((lon: number, lat: number) => boolean) | undefined {
  if (shapes.length === 0) return undefined;
  if (shapes.length === 1) return shapes[0].contains;
  return (lon, lat) => shapes.every((shape) => shape.contains(lon, lat));
}
