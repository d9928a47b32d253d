/**
 * The polygon test against an independent point-in-polygon written here: the classic even-odd
 * ray casting along a horizontal ray (the implementation casts along the meridian), on the ring
 * unwrapped by hand, and for polar caps on the ring closed explicitly through the pole.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createPolygonShape, isInBox, ringProblem, type LonLat } from '../../src/geo/index.js';
import { createRandom } from './random.js';

/** Even-odd ray casting with a ray towards +x (W. R. Franklin's PNPOLY), on a plane. */
function pnpoly(xs: number[], ys: number[], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = xs.length - 1; i < xs.length; j = i++) {
    if (ys[i] > y !== ys[j] > y && x < ((xs[j] - xs[i]) * (y - ys[i])) / (ys[j] - ys[i]) + xs[i]) inside = !inside;
  }
  return inside;
}

/**
 * Reference: unwrap the ring so consecutive vertices are < 180° apart, close it through the pole
 * when it goes round the globe, and test the point at each of its 360°-shifted copies that fall
 * in the ring's longitude range (the rings used here span less than 360°, so at most one counts).
 */
function referenceContains(ring: LonLat[], pole: 'north' | 'south' | undefined, lon: number, lat: number): boolean {
  const xs: number[] = [ring[0][0]];
  const ys: number[] = [ring[0][1]];
  for (let i = 1; i < ring.length; i++) {
    let d = ring[i][0] - ring[i - 1][0];
    while (d > 180) d -= 360;
    while (d < -180) d += 360;
    xs.push(xs[i - 1] + d);
    ys.push(ring[i][1]);
  }
  if (pole) {
    let d = ring[0][0] - ring[ring.length - 1][0];
    while (d > 180) d -= 360;
    while (d < -180) d += 360;
    const end = xs[xs.length - 1] + d;
    const poleLat = pole === 'north' ? 90 : -90;
    xs.push(end, end, xs[0]);
    ys.push(ring[0][1], poleLat, poleLat);
  }
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  for (let k = -2; k <= 2; k++) {
    const x = lon + 360 * k;
    if (x >= min && x <= max && pnpoly(xs, ys, x, lat)) return true;
  }
  return false;
}

/** A random star-shaped polygon around a centre: vertices at increasing angles, random radii. */
function starPolygon(random: ReturnType<typeof createRandom>, center: LonLat, maxRadius: number): LonLat[] {
  const n = 3 + random.int(12);
  const angles = Array.from({ length: n }, () => random.between(0, 2 * Math.PI)).sort((a, b) => a - b);
  return angles.map((a) => {
    const r = random.between(maxRadius * 0.2, maxRadius);
    let lon = center[0] + r * Math.cos(a);
    if (lon > 180) lon -= 360;
    if (lon < -180) lon += 360;
    const lat = Math.max(-89.9, Math.min(89.9, center[1] + r * 0.6 * Math.sin(a)));
    return [Number(lon.toFixed(4)), Number(lat.toFixed(4))] as LonLat;
  });
}

/** A ring round a pole: longitudes increasing all the way round, latitudes in a band. */
function polarRing(random: ReturnType<typeof createRandom>, latLo: number, latHi: number): LonLat[] {
  const n = 4 + random.int(10);
  const start = random.between(-180, 180);
  const steps = Array.from({ length: n }, () => random.between(0.3, 1));
  const total = steps.reduce((a, b) => a + b, 0);
  let lon = start;
  return steps.map((s) => {
    const v: LonLat = [Number((((lon + 540) % 360) - 180).toFixed(4)), Number(random.between(latLo, latHi).toFixed(4))];
    lon += (s / total) * 359.9 * (n > 0 ? 1 : 0);
    return v;
  });
}

function checkAgainstReference(ring: LonLat[], seed: number, points = 400): number {
  const random = createRandom(seed);
  const shape = createPolygonShape(ring);
  let inside = 0;
  for (let i = 0; i < points; i++) {
    // Half the points in the polygon's box (where the answer is interesting), half anywhere.
    const [lonMin, latMin, lonMax, latMax] = shape.bbox;
    const width = lonMin <= lonMax ? lonMax - lonMin : lonMax + 360 - lonMin;
    const lon = i % 2 === 0 ? random.between(-180, 180) : ((lonMin + random.between(-1, width + 1) + 540) % 360) - 180;
    // Not at ±90 exactly: the pole is on the reference's closing edge (a boundary point).
    const lat = i % 2 === 0 ? random.between(-90, 90) : Math.max(-89.99999, Math.min(89.99999, random.between(latMin - 1, latMax + 1)));
    const expected = referenceContains(shape.ring as LonLat[], shape.pole, lon, lat);
    assert.equal(shape.contains(lon, lat), expected, `ring ${JSON.stringify(ring)} at ${lon},${lat}`);
    if (expected) {
      inside++;
      assert.ok(isInBox(lon, lat, shape.bbox), `box ${shape.bbox} misses inside point ${lon},${lat}`);
    }
  }
  return inside;
}

describe('polygon: planar lon/lat edges', () => {
  test('a square, its reversed ring and its closed ring give the same answers', () => {
    const ring: LonLat[] = [[-30, 40], [-15, 40], [-15, 55], [-30, 55]];
    const shapes = [ring, [...ring].reverse(), [...ring, ring[0]]].map((r) => createPolygonShape(r));
    for (const [lon, lat, inside] of [[-20, 45, true], [-31, 45, false], [-20, 56, false], [-15.5, 54.9, true], [150, 45, false]] as const) {
      for (const shape of shapes) assert.equal(shape.contains(lon, lat), inside, `${lon},${lat}`);
    }
    assert.deepEqual(shapes[0].turns, 0);
  });

  test('an edge along a parallel stays on it (no great-circle bulge)', () => {
    // A great circle from (0,60) to (60,60) passes ~64°N at lon 30: planar edges do not.
    const shape = createPolygonShape([[0, 50], [60, 50], [60, 60], [0, 60]]);
    assert.equal(shape.contains(30, 59.99), true);
    assert.equal(shape.contains(30, 60.5), false);
    assert.equal(shape.contains(30, 63), false);
  });

  test('a box across the antimeridian is the narrow box, in either vertex order', () => {
    const ring: LonLat[] = [[170, -10], [-170, -10], [-170, 10], [170, 10]];
    for (const r of [ring, [...ring].reverse()]) {
      const shape = createPolygonShape(r);
      for (const [lon, inside] of [[175, true], [-175, true], [180, true], [-180, true], [0, false], [160, false], [-160, false]] as const) {
        assert.equal(shape.contains(lon, 0), inside, `lon ${lon}`);
      }
      const [lonMin, , lonMax] = shape.bbox;
      assert.ok(lonMin > lonMax && Math.abs(lonMin - 170) < 1e-6 && Math.abs(lonMax + 170) < 1e-6, `bbox ${shape.bbox}`);
    }
  });

  test('a ring round the globe is a polar cap on the side of its latitudes', () => {
    const north = createPolygonShape([[0, 70], [90, 70], [180, 72], [-90, 70]]);
    assert.equal(north.pole, 'north');
    assert.equal(north.contains(45, 85), true);
    assert.equal(north.contains(-123, 90), true);
    assert.equal(north.contains(45, 60), false);
    assert.equal(north.contains(0, -90), false);
    assert.deepEqual([north.bbox[0], north.bbox[2], north.bbox[3]], [-180, 180, 90]);
    const south = createPolygonShape([[0, -60], [-90, -65], [180, -60], [90, -62]]);
    assert.equal(south.pole, 'south');
    assert.equal(south.contains(10, -80), true);
    assert.equal(south.contains(10, -90), true);
    assert.equal(south.contains(10, -50), false);
  });

  test('the ring rules: too few vertices, a 180° edge, two turns round the globe', () => {
    assert.deepEqual(ringProblem([[0, 0], [1, 1], [0, 0]]), { kind: 'too_few_vertices', distinct: 2 });
    assert.equal(ringProblem([[0, 0], [180, 0], [10, 10]])?.kind, 'half_turn_edge');
    const twice: LonLat[] = [];
    for (let k = 0; k < 8; k++) twice.push([((k * 90 + 180) % 360) - 180, 60]);
    assert.equal(ringProblem(twice)?.kind, 'winds_more_than_once');
    assert.equal(ringProblem([[170, 0], [-170, 0], [-170, 5]]), undefined);
    assert.throws(() => createPolygonShape([[0, 0], [180, 0], [10, 10]]), RangeError);
    assert.throws(() => createPolygonShape([[0, 0], [1, 0], [1, 91]]), RangeError);
  });

  test('random star polygons anywhere (antimeridian included) agree with ray casting', () => {
    const random = createRandom(14);
    let inside = 0;
    for (let k = 0; k < 150; k++) {
      const center: LonLat = [random.between(-180, 180), random.between(-75, 75)];
      const ring = starPolygon(random, center, random.between(0.5, 60));
      if (ringProblem(ring)) continue;
      inside += checkAgainstReference(ring, 1000 + k);
    }
    assert.ok(inside > 5000, `only ${inside} inside points: the test would not see a wrong answer`);
  });

  test('random star polygons centred on the antimeridian agree with ray casting', () => {
    const random = createRandom(180);
    for (let k = 0; k < 60; k++) {
      const ring = starPolygon(random, [random.between(178, 182), random.between(-60, 60)], random.between(2, 40));
      if (ringProblem(ring)) continue;
      const shape = createPolygonShape(ring);
      assert.ok(shape.bbox[0] > shape.bbox[2] || shape.bbox[2] - shape.bbox[0] < 180, `box ${shape.bbox}`);
      checkAgainstReference(ring, 2000 + k);
    }
  });

  test('random polar caps, north and south, agree with ray casting closed through the pole', () => {
    const random = createRandom(90);
    for (let k = 0; k < 60; k++) {
      const north = k % 2 === 0;
      let ring = north ? polarRing(random, 50, 88) : polarRing(random, -88, -50);
      if (k % 3 === 0) ring = ring.reverse();
      if (ringProblem(ring)) continue;
      const shape = createPolygonShape(ring);
      assert.equal(shape.pole, north ? 'north' : 'south', JSON.stringify(ring));
      checkAgainstReference(ring, 3000 + k);
    }
  });
});
