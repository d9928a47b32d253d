/**
 * `near=lon,lat&radius_km=R`: the positions within a great-circle distance of a centre.
 *
 * Distance on a sphere of the mean Earth radius R₁ = 6371.0088 km (IUGG/WGS84 arithmetic mean of
 * the semi-axes), by the haversine formula, which stays accurate for small distances where the
 * spherical law of cosines loses digits. The sphere differs from the WGS84 ellipsoid by at most
 * ~0.5 % in distance: ~1.5 km on a 300 km radius, far below what a radius query is used for.
 * Positions at exactly the radius are inside.
 */
import { type LonLat, type LonLatBox, type Shape, BOX_MARGIN_DEGREES, boxFromSpan, isInBox } from './shape.js';

/** Mean Earth radius R₁ (IUGG), km. */
export const EARTH_MEAN_RADIUS_KM = 6371.0088;

/** Half the circumference of that sphere (π R₁ ≈ 20015.09 km): a radius this large holds every point. */
export const HALF_CIRCUMFERENCE_KM = Math.PI * EARTH_MEAN_RADIUS_KM;

const RAD = Math.PI / 180;

/** The haversine of the central angle between two positions: hav(θ) = sin²(θ/2), in [0, 1]. */
function haversineOfAngle(lon1: number, lat1: number, lon2: number, lat2: number, cosLat1 = Math.cos(lat1 * RAD)): number {
  const sinDLat = Math.sin(((lat2 - lat1) * RAD) / 2);
  const sinDLon = Math.sin(((lon2 - lon1) * RAD) / 2);
  const h = sinDLat * sinDLat + cosLat1 * Math.cos(lat2 * RAD) * sinDLon * sinDLon;
  return Math.min(1, h);
}

/** Great-circle distance in km between two positions (degrees), on the mean Earth sphere. */
export function haversineKm(from: LonLat, to: LonLat): number {
  const h = haversineOfAngle(from[0], from[1], to[0], to[1]);
  return 2 * EARTH_MEAN_RADIUS_KM * Math.asin(Math.sqrt(h));
}

export interface CircleShape extends Shape {
  readonly center: LonLat;
  readonly radiusKm: number;
}

/**
 * The positions within `radiusKm` (great-circle) of `center`. The test compares haversines, not
 * distances (d ≤ r ⇔ hav(d/R) ≤ hav(r/R) for r ≤ πR): no asin per point.
 */
export function createCircleShape({ center, radiusKm }: { center: LonLat; radiusKm: number }): CircleShape {
  const [lon0, lat0] = center;
  if (!(Math.abs(lon0) <= 180 && Math.abs(lat0) <= 90)) throw new RangeError(`circle centre ${lon0},${lat0} is out of range`);
  if (!(radiusKm >= 0) || !Number.isFinite(radiusKm)) throw new RangeError(`circle radius ${radiusKm} km is not a finite number ≥ 0`);
  const shape = { center: [lon0, lat0] as LonLat, radiusKm };
  if (radiusKm >= HALF_CIRCUMFERENCE_KM) {
    return { ...shape, bbox: [-180, -90, 180, 90], contains: (lon, lat) => Math.abs(lat) <= 90 && Math.abs(lon) <= 180 };
  }
  const angle = radiusKm / EARTH_MEAN_RADIUS_KM;
  const sinHalf = Math.sin(angle / 2);
  const threshold = sinHalf * sinHalf;
  const cosLat0 = Math.cos(lat0 * RAD);
  const bbox = circleBox(lon0, lat0, angle);
  const contains = (lon: number, lat: number): boolean =>
    isInBox(lon, lat, bbox) && haversineOfAngle(lon0, lat0, lon, lat, cosLat0) <= threshold;
  return { ...shape, bbox, contains };
}

/**
 * The box of a spherical cap of angular radius `angle` (radians): latitudes lat0 ± angle; when the
 * cap holds a pole, every longitude; otherwise lon0 ± asin(sin angle / cos lat0), the longitudes
 * of the meridians tangent to the cap.
 */
function circleBox(lon0: number, lat0: number, angle: number): LonLatBox {
  const angleDeg = angle / RAD;
  const south = lat0 - angleDeg;
  const north = lat0 + angleDeg;
  if (south <= -90 || north >= 90) return boxFromSpan(-180, 360, south, north);
  const ratio = Math.sin(angle) / Math.cos(lat0 * RAD);
  // Rounding can push the ratio a hair over 1 right at the pole-touching case: the whole circle.
  if (ratio >= 1) return boxFromSpan(-180, 360, south, north);
  // A relative widening as well as the fixed margin: asin is steep near 1.
  const halfWidth = (Math.asin(ratio) / RAD) * (1 + 1e-12) + BOX_MARGIN_DEGREES;
  return boxFromSpan(lon0 - halfWidth, 2 * halfWidth, south, north);
}
