/**
 * `polygon=` and `near=`+`radius_km=` through the route, over the demo GDAC, checked against a
 * point-in-polygon (even-odd ray casting with longitudes unwrapped around the ring) and a haversine
 * written here, independently of src/geo: the shapes alone, combined with each other and with every
 * other filter (bbox, platform, mode, the window), and the 400s naming the parameter.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { build } from '../helpers/build.js';
import { startDemoWorld, type DemoWorld } from '../kit/demo-world.js';

let world: DemoWorld;
before(async () => {
  world = await startDemoWorld();
});
after(() => world?.stop());

const WINDOW = { start: '2024-01-01', end: '2024-04-01' };

interface Position {
  id: string;
  platform_number: string;
  time: string;
  latitude: number;
  longitude: number;
}

type Query = Record<string, string>;

async function positions(t: import('node:test').TestContext, query: Query): Promise<Position[]> {
  const app = await build(t, { env: world.env });
  const res = await app.inject({ method: 'GET', url: '/v1/profiles', query: { ...query, fields: 'positions', format: 'json', max_profiles: '10000' } });
  assert.equal(res.statusCode, 200, res.body);
  const body = JSON.parse(res.body) as { profiles: Position[]; truncated: boolean };
  assert.equal(body.truncated, false);
  return body.profiles;
}

/** Even-odd rule on a ring, edges straight in lon/lat taking the shorter way in longitude. */
function inPolygon(lon: number, lat: number, ring: [number, number][]): boolean {
  // Unwrap the ring's longitudes into one continuous run, then bring the point next to it.
  const xs = [ring[0][0]];
  for (let i = 1; i < ring.length; i++) {
    let d = ring[i][0] - ring[i - 1][0];
    if (d > 180) d -= 360;
    if (d < -180) d += 360;
    xs.push(xs[i - 1] + d);
  }
  const mid = (Math.min(...xs) + Math.max(...xs)) / 2;
  let x = lon;
  while (x < mid - 180) x += 360;
  while (x > mid + 180) x -= 360;
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = [xs[i], ring[i][1]];
    const [xj, yj] = [xs[j], ring[j][1]];
    if (yi > lat !== yj > lat && x < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function haversineKm(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const R = 6371.0088;
  const rad = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(a)));
}

function ringOf(text: string): [number, number][] {
  const n = text.split(',').map(Number);
  const ring: [number, number][] = [];
  for (let i = 0; i < n.length; i += 2) ring.push([n[i], n[i + 1]]);
  return ring;
}

function ids(list: Position[]): string[] {
  return list.map((p) => p.id);
}

/** Points farther than this from a shape's boundary are decided the same by any correct test. */
const CLEAR_KM = 1;

describe('shapes agree with an independent point-in-polygon and haversine', () => {
  const POLYGONS = {
    // North Atlantic (the coriolis home), a concave pentagon.
    atlantic: '-30,40,-15,40,-15,55,-22,47,-30,55',
    // Across the antimeridian (the jma home): vertices on both sides of 180°.
    antimeridian: '170,30,-170,30,-168,42,175,38',
    // A triangle over the equatorial Pacific home.
    pacific: '-140,-8,-95,-2,-120,8',
  };

  for (const [name, polygon] of Object.entries(POLYGONS)) {
    test(`polygon: ${name}`, async (t) => {
      const all = await positions(t, WINDOW);
      const got = await positions(t, { ...WINDOW, polygon });
      const ring = ringOf(polygon);
      const expected = all.filter((p) => inPolygon(p.longitude, p.latitude, ring));
      assert.ok(expected.length >= 5, `the polygon must select something (${expected.length})`);
      assert.ok(expected.length < all.length);
      assert.deepEqual(ids(got), ids(expected));
    });
  }

  test('the antimeridian polygon selects profiles on both sides of 180°', async (t) => {
    const got = await positions(t, { ...WINDOW, polygon: POLYGONS.antimeridian });
    assert.ok(got.some((p) => p.longitude > 0) && got.some((p) => p.longitude < 0));
  });

  for (const [center, radius] of [['-22,47', '400'], ['179,36', '600'], ['70,-25', '900']] as const) {
    test(`near=${center}&radius_km=${radius}`, async (t) => {
      const all = await positions(t, WINDOW);
      const got = await positions(t, { ...WINDOW, near: center, radius_km: radius });
      const [clon, clat] = center.split(',').map(Number);
      const r = Number(radius);
      const distance = (p: Position) => haversineKm(clon, clat, p.longitude, p.latitude);
      const expected = all.filter((p) => distance(p) <= r);
      assert.ok(expected.length >= 3, `the circle must select something (${expected.length})`);
      // Only points within a hair of the circle could be decided otherwise by rounding.
      const clear = (list: Position[]) => ids(list.filter((p) => Math.abs(distance(p) - r) > CLEAR_KM));
      assert.deepEqual(clear(got), clear(expected));
      assert.ok(got.every((p) => distance(p) <= r + CLEAR_KM));
    });
  }

  test('polygon, near, bbox, platform, mode and the window combine with AND', async (t) => {
    const polygon = '-35,38,-10,38,-10,58,-35,58';
    const base = { start: '2024-01-10', end: '2024-03-20', mode: 'research' };
    const all = await positions(t, base);
    const ring = ringOf(polygon);
    const inShapes = all.filter((p) => inPolygon(p.longitude, p.latitude, ring) && haversineKm(-22, 47, p.longitude, p.latitude) <= 700);
    const platforms = [...new Set(inShapes.map((p) => p.platform_number))].slice(0, 2);
    assert.ok(platforms.length === 2);
    const bbox = '-28,41,-12,54';
    const expected = inShapes.filter(
      (p) => platforms.includes(p.platform_number) && p.longitude >= -28 && p.longitude <= -12 && p.latitude >= 41 && p.latitude <= 54,
    );
    assert.ok(expected.length >= 2, `the combination must select something (${expected.length})`);
    const got = await positions(t, { ...base, polygon, near: '-22,47', radius_km: '700', bbox, platform: platforms.join(',') });
    assert.deepEqual(ids(got), ids(expected));
    // And with full profiles (level reads), the same profiles.
    const app = await build(t, { env: world.env });
    const res = await app.inject({ method: 'GET', url: '/v1/profiles', query: { ...base, polygon, near: '-22,47', radius_km: '700', bbox, platform: platforms.join(','), format: 'json', depth: '0,10' } });
    assert.equal(res.statusCode, 200);
    assert.deepEqual((JSON.parse(res.body) as { profiles: Position[] }).profiles.map((p) => p.id), ids(expected));
  });
});

describe('invalid shapes: 400 naming the parameter', () => {
  const cases: [string, Query, string[]][] = [
    ['two vertices', { polygon: '0,0,1,1' }, ['polygon']],
    ['odd count', { polygon: '0,0,1,0,1' }, ['polygon']],
    ['latitude out of range', { polygon: '0,0,10,95,20,0' }, ['polygon']],
    ['an edge of exactly 180°', { polygon: '-90,0,90,0,90,10' }, ['polygon']],
    ['empty polygon', { polygon: '' }, ['polygon']],
    ['near without radius_km', { near: '10,10' }, ['radius_km']],
    ['radius_km without near', { radius_km: '100' }, ['near']],
    ['negative radius', { near: '10,10', radius_km: '-5' }, ['radius_km']],
    ['radius in metres', { near: '10,10', radius_km: '300000' }, ['radius_km']],
    ['near with three numbers', { near: '10,10,10', radius_km: '5' }, ['near']],
    ['bad polygon and bad near together', { polygon: 'a,b,c', near: 'x,y', radius_km: '5' }, ['polygon', 'near']],
  ];
  for (const [name, query, parameters] of cases) {
    test(name, async (t) => {
      const app = await build(t, { env: world.env });
      const res = await app.inject({ method: 'GET', url: '/v1/profiles', query: { ...WINDOW, ...query } });
      assert.equal(res.statusCode, 400, res.body);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
      const problem = JSON.parse(res.body) as { errors: { parameter: string; message: string }[] };
      assert.deepEqual([...new Set(problem.errors.map((e) => e.parameter))].sort(), [...parameters].sort());
      for (const e of problem.errors) assert.ok(e.message.length > 5);
    });
  }
});
