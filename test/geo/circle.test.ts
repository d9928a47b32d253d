/**
 * The great-circle radius test against a distance computed here independently: Vincenty's
 * formula for the sphere (atan2 of the cross and dot products), not the haversine the
 * implementation uses. Points within a millimetre of the radius are skipped (either answer is
 * right there).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EARTH_MEAN_RADIUS_KM, createCircleShape, haversineKm, isInBox, type LonLat } from '../../src/geo/index.js';
import { createRandom } from './random.js';

const R = 6371.0088;
const RAD = Math.PI / 180;

function vincentyKm([lon1, lat1]: LonLat, [lon2, lat2]: LonLat): number {
  const p1 = lat1 * RAD;
  const p2 = lat2 * RAD;
  const dl = (lon2 - lon1) * RAD;
  const y = Math.hypot(Math.cos(p2) * Math.sin(dl), Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl));
  const x = Math.sin(p1) * Math.sin(p2) + Math.cos(p1) * Math.cos(p2) * Math.cos(dl);
  return R * Math.atan2(y, x);
}

describe('near + radius_km: great-circle distance on the mean Earth sphere', () => {
  test('the radius is the IUGG mean radius, and the distance matches known values', () => {
    assert.equal(EARTH_MEAN_RADIUS_KM, 6371.0088);
    // A quarter meridian: π R / 2.
    assert.ok(Math.abs(haversineKm([0, 0], [0, 90]) - (Math.PI * R) / 2) < 1e-9);
    // One degree along the equator, and across the antimeridian.
    assert.ok(Math.abs(haversineKm([179.5, 0], [-179.5, 0]) - R * RAD) < 1e-9);
    // Short distances keep their digits (1 m).
    assert.ok(Math.abs(haversineKm([10, 45], [10, 45 + 0.001 / (R * RAD)]) - 0.001) < 1e-9);
  });

  test('boundary: a point at exactly the radius along a meridian is inside', () => {
    const shape = createCircleShape({ center: [0, 0], radiusKm: R * RAD });
    assert.equal(shape.contains(0, 0.9999999), true);
    assert.equal(shape.contains(0, 1.0000001), false);
    assert.equal(shape.contains(0.70710678, 0.70710678), true);
  });

  test('a circle over the antimeridian wraps, its box crosses it', () => {
    const shape = createCircleShape({ center: [179.8, -20], radiusKm: 100 });
    assert.equal(shape.contains(-179.6, -20), true);
    assert.equal(shape.contains(179.1, -20), true);
    assert.equal(shape.contains(-179, -20), false);
    assert.ok(shape.bbox[0] > shape.bbox[2], `box ${shape.bbox}`);
  });

  test('a circle over a pole holds every longitude near it', () => {
    const shape = createCircleShape({ center: [40, 89], radiusKm: 500 });
    assert.deepEqual([shape.bbox[0], shape.bbox[2], shape.bbox[3]], [-180, 180, 90]);
    assert.equal(shape.contains(-140, 88), true);
    assert.equal(shape.contains(-140, 86.6), true); // 1° to the pole + 3.4° down: 489 km
    assert.equal(shape.contains(-140, 84), false);
    assert.equal(shape.contains(0, 90), true);
  });

  test('a radius of half the circumference or more holds everything', () => {
    const shape = createCircleShape({ center: [0, 0], radiusKm: Math.PI * R + 1 });
    assert.equal(shape.contains(180, 0), true);
    assert.equal(shape.contains(0, -90), true);
  });

  test('random centres (poles and antimeridian included) agree with Vincenty distances', () => {
    const random = createRandom(6371);
    let inside = 0;
    let compared = 0;
    for (let k = 0; k < 300; k++) {
      const center: LonLat =
        k % 5 === 0
          ? [random.between(-180, 180), random.between(80, 90) * (k % 2 ? 1 : -1)]
          : k % 5 === 1
            ? [random.between(175, 180) * (k % 2 ? 1 : -1), random.between(-70, 70)]
            : [random.between(-180, 180), random.between(-90, 90)];
      const radiusKm = k % 7 === 0 ? random.between(0.5, 20) : random.between(20, 3000);
      const shape = createCircleShape({ center, radiusKm });
      const spread = Math.min(180, (3 * radiusKm) / (R * RAD));
      for (let i = 0; i < 300; i++) {
        const lon = i % 3 === 0 ? random.between(-180, 180) : ((center[0] + random.between(-spread, spread) * 2 + 540) % 360) - 180;
        const lat = i % 3 === 0 ? random.between(-90, 90) : Math.max(-90, Math.min(90, center[1] + random.between(-spread, spread)));
        const d = vincentyKm(center, [lon, lat]);
        if (Math.abs(d - radiusKm) < 1e-6) continue;
        compared++;
        const expected = d <= radiusKm;
        assert.equal(shape.contains(lon, lat), expected, `centre ${center} r ${radiusKm} at ${lon},${lat}: d ${d}`);
        if (expected) {
          inside++;
          assert.ok(isInBox(lon, lat, shape.bbox), `box ${shape.bbox} misses ${lon},${lat} (centre ${center}, r ${radiusKm})`);
        }
      }
    }
    assert.ok(inside > 10_000 && compared - inside > 10_000, `inside ${inside} of ${compared}: both answers must be exercised`);
  });

  test('the box is tight: its edges are near the circle', () => {
    const shape = createCircleShape({ center: [-20, 45], radiusKm: 300 });
    const [lonMin, latMin, lonMax, latMax] = shape.bbox;
    assert.ok(Math.abs(vincentyKm([-20, 45], [-20, latMax]) - 300) < 1e-3);
    assert.ok(Math.abs(vincentyKm([-20, 45], [-20, latMin]) - 300) < 1e-3);
    // The tangent meridian touches the circle at some latitude: its closest point is at 300 km.
    let closest = Infinity;
    for (let lat = 40; lat <= 50; lat += 0.0005) closest = Math.min(closest, vincentyKm([-20, 45], [lonMax, lat]));
    assert.ok(Math.abs(closest - 300) < 1e-2, `closest ${closest}`);
    assert.ok(Math.abs(-20 - lonMin - (lonMax + 20)) < 1e-9, 'symmetric about the centre');
  });
});
