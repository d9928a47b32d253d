import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHeldLevels } from '../../src/pack/held-levels.js';
import type { PackLevels } from '../../src/pack/types.js';
import { loadZstd } from '../../src/pack/zstd.js';

/** A profile's levels as a writer holds them: float32 columns (NaN for missing), QC strings, nulls. */
function levels(n: number, seed: number): PackLevels {
  const pres = new Float32Array(n);
  const temp = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    pres[i] = 2 * i + 0.1 * seed;
    temp[i] = i % 17 === 0 ? Number.NaN : 20 - i * 0.013 + seed * 1e-3;
  }
  return {
    nLevels: n,
    PRES: pres,
    TEMP: temp,
    PSAL: null,
    PRES_QC: '1'.repeat(n),
    TEMP_QC: Array.from({ length: n }, (_, i) => (i % 17 === 0 ? '9' : '1')).join(''),
    PARAMETER_DATA_MODE: 'D',
  };
}

test('held levels come back exactly as they went in (NaN, nulls, QC strings), and are held packed', async () => {
  const held = createHeldLevels();
  await loadZstd();
  const inputs = [levels(1000, 1), levels(3, 2), levels(0, 3)];
  inputs.forEach((l, i) => held.set(`p${i}`, l));
  assert.equal(held.size, 3);
  for (const [i, l] of inputs.entries()) {
    const back = held.get(`p${i}`)!;
    assert.equal(back.nLevels, l.nLevels);
    assert.deepEqual(Object.keys(back).sort(), Object.keys(l).sort());
    for (const name of ['PRES', 'TEMP']) {
      const a = back[name] as Float32Array;
      assert.ok(a instanceof Float32Array, name);
      assert.deepEqual(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from((l[name] as Float32Array).buffer), name);
    }
    for (const name of ['PSAL', 'PRES_QC', 'TEMP_QC', 'PARAMETER_DATA_MODE']) assert.equal(back[name], l[name], name);
  }
  // 1,000 levels × 2 float columns + 2 QC strings are 10 KB plain; held, a small part of that.
  const plain = 1000 * 4 * 2 + 2000 + 3 * 4 * 2 + 6;
  assert.ok(held.bytes < plain / 3, `${held.bytes} bytes held for ${plain} plain`);
  assert.equal(held.delete('p0'), true);
  assert.equal(held.has('p0'), false);
  assert.equal(held.get('p0'), undefined);
  held.clear();
  assert.equal(held.size, 0);
  assert.equal(held.bytes, 0);
});
