/** TEOS-10 depth from pressure against GSW's check values (SEMANTICS.md). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { depthsFromPressures, zFromP } from '../../src/argo/index.js';

test('depth = -gsw_z_from_p(p, lat) matches the GSW check values to 1e-6 m', () => {
  const checks: [p: number, lat: number, depth: number][] = [
    [10, 0, 9.944839],
    [100, 45, 99.164349],
    [1000, 30, 990.80843],
    [2000, 45, 1974.328999],
    [5000, -60, 4895.713388],
  ];
  for (const [p, lat, depth] of checks) {
    const got = -zFromP(p, lat);
    assert.ok(Math.abs(got - depth) < 1e-6, `p=${p} lat=${lat}: ${got} vs ${depth}`);
  }
});

test('zero pressure is the surface; depth grows with pressure; symmetric in latitude', () => {
  assert.equal(zFromP(0, 37), -0);
  let last = -1;
  for (let p = 0; p <= 6000; p += 250) {
    const d = -zFromP(p, 20);
    assert.ok(d > last);
    last = d;
  }
  assert.equal(zFromP(1500, -33), zFromP(1500, 33));
});

test('depthsFromPressures keeps NaN', () => {
  const out = depthsFromPressures(Float64Array.from([10, NaN, 1000]), 30);
  assert.ok(Math.abs(out[0] + zFromP(10, 30)) < 1e-12);
  assert.ok(Number.isNaN(out[1]));
  assert.ok(Math.abs(out[2] - 990.80843) < 1e-6);
});
