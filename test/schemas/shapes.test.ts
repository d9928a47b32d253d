/**
 * The shape parameters' schema: values, and issues that name their parameter. The schema and the
 * geometry module state the ring rules separately (schemas/ imports nothing from src/): a test
 * checks that they accept and refuse the same rings.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_POLYGON_VERTICES, parsePolygon, shapesQuerySchema } from '../../schemas/shapes.js';
import { createPolygonShape, ringProblem, type LonLat } from '../../src/geo/index.js';
import { createRandom } from '../geo/random.js';

function issuesOf(query: Record<string, unknown>): { parameter: string; message: string }[] {
  const result = shapesQuerySchema.safeParse(query);
  assert.equal(result.success, false, `expected issues for ${JSON.stringify(query)}`);
  return result.error!.issues.map((i) => ({ parameter: String(i.path[0]), message: i.message }));
}

function valueOf(query: Record<string, unknown>) {
  const result = shapesQuerySchema.safeParse(query);
  assert.ok(result.success, JSON.stringify(result.error?.issues));
  return result.data;
}

describe('shape parameters', () => {
  test('polygon: pairs of numbers, closing vertex dropped, repeated vertices collapsed', () => {
    assert.deepEqual(valueOf({ polygon: '-30,40,-15,40,-15,55,-30,55' }).polygon, [[-30, 40], [-15, 40], [-15, 55], [-30, 55]]);
    assert.deepEqual(valueOf({ polygon: ' 0,0, 1,0, 1,0, 1,1, 0,0 ' }).polygon, [[0, 0], [1, 0], [1, 1]]);
    assert.deepEqual(valueOf({ polygon: '170,-10,-170,-10,-170,10,170,10' }).polygon, [[170, -10], [-170, -10], [-170, 10], [170, 10]]);
  });

  test('polygon: each problem is a 400 naming polygon, with a message saying what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['1,2,3', /even count/],
      ['0,0,1,0,x,1', /longitude "x" \(vertex 3\) is not a finite number/],
      ['0,0,1,0,1,95', /latitude must be within \[-90, 90\].*vertex 3/],
      ['0,0,190,0,1,1', /longitude must be within \[-180, 180\]/],
      ['0,0,1,1,0,0', /at least 3 distinct vertices \(got 2\)/],
      ['0,0,180,0,10,10', /spans exactly 180°/],
      ['', /is empty/],
      ['0x10,0,1,0,1,1', /not a finite number/],
      [Array.from({ length: MAX_POLYGON_VERTICES + 1 }, (_, i) => `${(i % 300) / 10},${Math.floor(i / 300)}`).join(','), /vertices; the limit is 500/],
    ];
    for (const [text, message] of cases) {
      const issues = issuesOf({ polygon: text });
      assert.equal(issues.length, 1, `${text}: ${JSON.stringify(issues)}`);
      assert.equal(issues[0].parameter, 'polygon');
      assert.match(issues[0].message, message);
    }
    const twice = Array.from({ length: 8 }, (_, k) => `${((k * 90 + 180) % 360) - 180},60`).join(',');
    assert.match(issuesOf({ polygon: twice })[0].message, /more than once/);
    assert.match(issuesOf({ polygon: ['0,0,1,0,1,1', '0,0,1,0,1,1'] })[0].message, /given more than once/);
  });

  test('near and radius_km: values, ranges, and each needs the other', () => {
    assert.deepEqual(valueOf({ near: '-20,45.5', radius_km: '300' }), { near: [-20, 45.5], radius_km: 300 });
    const check = (query: Record<string, unknown>, parameter: string, message: RegExp) => {
      const issues = issuesOf(query);
      assert.deepEqual(issues.map((i) => i.parameter), [parameter], JSON.stringify(issues));
      assert.match(issues[0].message, message);
    };
    check({ near: '-20,45' }, 'radius_km', /is required with near/);
    check({ radius_km: '300' }, 'near', /is required with radius_km/);
    check({ near: '45,-200', radius_km: '3' }, 'near', /latitude must be within/);
    check({ near: '1,2,3,4', radius_km: '3' }, 'near', /one position/);
    check({ near: '1,2', radius_km: '0' }, 'radius_km', /> 0/);
    check({ near: '1,2', radius_km: '-5' }, 'radius_km', /> 0/);
    check({ near: '1,2', radius_km: '300000' }, 'radius_km', /at most 20016 km.*not m/);
    check({ near: '1,2', radius_km: 'Infinity' }, 'radius_km', /finite number/);
  });

  test('shapes combine: polygon with near and radius_km', () => {
    const value = valueOf({ polygon: '0,0,10,0,10,10', near: '5,5', radius_km: '100' });
    assert.deepEqual(value.polygon?.length, 3);
    assert.deepEqual(value.near, [5, 5]);
  });

  test('the schema and the geometry refuse the same rings', () => {
    const random = createRandom(7);
    const lons = [-180, -179, -90, -1, 0, 1, 90, 170, 179, 180];
    let refused = 0;
    for (let k = 0; k < 3000; k++) {
      const n = 3 + random.int(6);
      const ring: LonLat[] = Array.from({ length: n }, () => [
        random.next() < 0.7 ? lons[random.int(lons.length)] : Math.round(random.between(-180, 180)),
        random.next() < 0.3 ? 0 : Math.round(random.between(-90, 90)),
      ]);
      const parsed = parsePolygon(ring.flat().join(','));
      const problem = ringProblem(ring);
      assert.equal('error' in parsed, problem !== undefined, `${JSON.stringify(ring)}: ${JSON.stringify(parsed)} vs ${JSON.stringify(problem)}`);
      if (problem) {
        refused++;
        assert.throws(() => createPolygonShape(ring), RangeError);
      } else {
        createPolygonShape(ring);
      }
    }
    assert.ok(refused > 100 && refused < 2900, `refused ${refused}: both outcomes must be exercised`);
  });
});
