/** Query shapes (polygon, great-circle radius) as position tests with bounding boxes. Pure. */
export { EARTH_MEAN_RADIUS_KM, HALF_CIRCUMFERENCE_KM, createCircleShape, haversineKm, type CircleShape } from './circle.js';
export { createPolygonShape, normalizeRing, ringProblem, type PolygonShape, type RingProblem } from './polygon.js';
export {
  BOX_MARGIN_DEGREES,
  WORLD_BOX,
  boxFromSpan,
  createShapeFilter,
  isInBox,
  normalizeLongitude,
  type LonLat,
  type LonLatBox,
  type Shape,
} from './shape.js';
