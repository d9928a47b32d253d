/**
 * Decoding big-endian values, slicing byte ranges, masking.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NetcdfFormatError } from '../../src/errors.js';
import {
  decodeToFloat64,
  decodeValues,
  maskOf,
  parseHeader,
  sliceRange,
} from '../../src/netcdf/index.js';
import { writeNetcdf } from '../../fixtures/index.js';

const be = (...bytes: number[]) => Uint8Array.from(bytes);

test('decodeValues: every type, big-endian', () => {
  assert.deepEqual(decodeValues({ type: 'byte', bytes: be(0xff, 0x7f, 0x80) }), Int8Array.from([-1, 127, -128]));
  assert.deepEqual(decodeValues({ type: 'short', bytes: be(0x01, 0x02, 0xff, 0xfe) }), Int16Array.from([258, -2]));
  assert.deepEqual(decodeValues({ type: 'int', bytes: be(0, 1, 0x86, 0x9f) }), Int32Array.from([99999]));
  assert.deepEqual(decodeValues({ type: 'float', bytes: be(0x47, 0xc3, 0x4f, 0x80) }), Float32Array.from([99999]));
  assert.deepEqual(decodeValues({ type: 'double', bytes: be(0x3f, 0xf8, 0, 0, 0, 0, 0, 0) }), Float64Array.from([1.5]));
  assert.equal(decodeValues({ type: 'char', bytes: new TextEncoder().encode('R13857  ') }), 'R13857  ');
  assert.equal(decodeValues({ type: 'char', bytes: be(0x41, 0xe9) }), 'Aé', 'chars are ISO-8859-1');
  // count reads a prefix; an unaligned view (byteOffset 1) works.
  const buf = be(0, 0x3f, 0x80, 0, 0, 0x40, 0, 0, 0);
  assert.deepEqual(decodeValues({ type: 'float', bytes: buf.subarray(1), count: 2 }), Float32Array.from([1, 2]));
  assert.deepEqual(decodeValues({ type: 'float', bytes: buf.subarray(1), count: 1 }), Float32Array.from([1]));
  assert.throws(() => decodeValues({ type: 'double', bytes: be(1, 2, 3), count: 1 }), NetcdfFormatError);
});

test('decodeValues on a long array (chunked chars, many floats)', () => {
  const n = 100_000;
  const bytes = new Uint8Array(n * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) view.setFloat32(i * 4, i * 0.5);
  const out = decodeValues({ type: 'float', bytes });
  assert.equal(out.length, n);
  assert.equal(out[n - 1], (n - 1) * 0.5);
  const chars = decodeValues({ type: 'char', bytes: new Uint8Array(20_000).fill(0x31) });
  assert.equal(chars.length, 20_000);
  assert.equal(chars, '1'.repeat(20_000));
});

test('decodeToFloat64: fill and values outside the valid range become NaN', () => {
  const bytes = new Uint8Array(5 * 4);
  const view = new DataView(bytes.buffer);
  [1.5, 99999, -1, 50, Number.NaN].forEach((v, i) => view.setFloat32(i * 4, v));
  const all = decodeToFloat64({ type: 'float', bytes });
  assert.deepEqual(Array.from(all), [1.5, 99999, -1, 50, NaN]);
  const masked = decodeToFloat64({ type: 'float', bytes, fillValue: 99999, validMin: 0, validMax: 42 });
  assert.deepEqual(Array.from(masked), [1.5, NaN, NaN, NaN, NaN]);
  assert.deepEqual(Array.from(decodeToFloat64({ type: 'short', bytes: be(0, 7, 0xff, 0xff) })), [7, -1]);
  assert.throws(() => decodeToFloat64({ type: 'char', bytes: be(1) }), NetcdfFormatError);
});

function file() {
  return writeNetcdf({
    dimensions: [
      { name: 'N_PROF', size: 3 },
      { name: 'N_LEVELS', size: 4 },
      { name: 'STRING8', size: 8 },
      { name: 'N_HISTORY', size: 0, isRecord: true },
    ],
    variables: [
      { name: 'PLATFORM_NUMBER', type: 'char', dimensions: ['N_PROF', 'STRING8'], data: '6903247 6903247 6903247 ' },
      { name: 'CYCLE_NUMBER', type: 'int', dimensions: ['N_PROF'], data: [1, 1, 1] },
      {
        name: 'PRES',
        type: 'float',
        dimensions: ['N_PROF', 'N_LEVELS'],
        attributes: { _FillValue: 99999, valid_min: 0, valid_max: 12000 },
        data: [0, 10, 20, 30, 1, 11, 21, 31, 2, 12, 22, 32],
      },
      { name: 'NOFILL', type: 'double', dimensions: ['N_PROF'] },
      { name: 'HISTORY_STEP', type: 'int', dimensions: ['N_HISTORY', 'N_PROF'], data: [1, 2, 3, 4, 5, 6] },
    ],
  });
}

test('sliceRange: relative to a buffer that starts inside the file; out of range is an error', () => {
  const bytes = file();
  const part = bytes.subarray(100, 200);
  assert.deepEqual(sliceRange(part, { offset: 120, length: 4 }, 100), bytes.subarray(120, 124));
  assert.throws(() => sliceRange(part, { offset: 190, length: 20 }, 100), NetcdfFormatError);
  assert.throws(() => sliceRange(bytes, { offset: bytes.length - 2, length: 4 }), /too short/);
});

test('maskOf: _FillValue, valid_min / valid_max or valid_range, default fill', () => {
  const header = parseHeader(file());
  const pres = header.variables.find((v) => v.name === 'PRES')!;
  assert.deepEqual(maskOf(pres), { fillValue: 99999, validMin: 0, validMax: 12000 });
  const nofill = header.variables.find((v) => v.name === 'NOFILL')!;
  assert.deepEqual(maskOf(nofill), { fillValue: 9.969209968386869e36 });
  assert.deepEqual(maskOf({ ...pres, attributes: { valid_range: [1, 2], valid_min: [0] } }), { fillValue: Math.fround(9.969209968386869e36), validMin: 1, validMax: 2 });
});
