/**
 * The NetCDF classic writer: write → parseHeader → decode gives back the input (CDF-1 and CDF-2,
 * record variables, the single-record-variable layout), and an independent reader (netcdfjs)
 * reads the same values, so the files follow the format and not just our own parser.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NetCDFReader } from 'netcdfjs';
import { NetcdfFormatError } from '../../src/errors.js';
import { NC_DEFAULT_FILL, parseHeader, writeNetcdf, type WriteNetcdfOptions } from '../../src/netcdf/index.js';
import { readVariable } from './read-variable.js';

function sample(version: 1 | 2): WriteNetcdfOptions {
  return {
    version,
    dimensions: [
      { name: 'STRING4', size: 4 },
      { name: 'N_PROF', size: 2 },
      { name: 'N_LEVELS', size: 3 },
      { name: 'N_HISTORY', size: 0, isRecord: true },
    ],
    attributes: { title: 'round trip', version_number: 3, weights: { type: 'short', value: [1, -2] } },
    variables: [
      { name: 'NAME', type: 'char', dimensions: ['N_PROF', 'STRING4'], attributes: { _FillValue: ' ' }, data: 'ab  cdef' },
      { name: 'B', type: 'byte', dimensions: ['N_LEVELS'], data: [-128, 0, 127] },
      { name: 'S', type: 'short', dimensions: ['N_LEVELS'], data: [-32768, 1, 32767] },
      { name: 'I', type: 'int', dimensions: ['N_PROF'], attributes: { _FillValue: 99999 }, data: [-2147483648, 2147483647] },
      {
        name: 'PRES',
        type: 'float',
        dimensions: ['N_PROF', 'N_LEVELS'],
        attributes: { _FillValue: 99999, valid_min: 0 },
        data: [1.5, 2.25, 99999, 4, 5, 6],
      },
      { name: 'JULD', type: 'double', dimensions: ['N_PROF'], data: [17376.835416691552, -1e-300] },
      { name: 'SCALAR', type: 'double', dimensions: [], data: [Math.PI] },
      { name: 'HIST_A', type: 'char', dimensions: ['N_HISTORY', 'N_PROF', 'STRING4'], data: 'r0p0r0p1r1p0r1p1r2p0r2p1' },
      { name: 'HIST_B', type: 'float', dimensions: ['N_HISTORY', 'N_PROF'], data: [0.5, 1.5, 2.5, 3.5, 4.5, 5.5] },
      { name: 'HIST_C', type: 'short', dimensions: ['N_HISTORY'], data: [7, 8, 9] },
    ],
  };
}

for (const version of [1, 2] as const) {
  test(`CDF-${version}: write → parseHeader → decode gives back the input`, () => {
    const file = writeNetcdf(sample(version));
    assert.deepEqual(Array.from(file.subarray(0, 4)), [0x43, 0x44, 0x46, version]);
    const header = parseHeader(file, { fileSize: file.length });
    assert.equal(header.version, version);
    assert.equal(header.numRecords, 3);
    assert.deepEqual(
      header.dimensions.map((d) => [d.name, d.size, d.isRecord]),
      [
        ['STRING4', 4, false],
        ['N_PROF', 2, false],
        ['N_LEVELS', 3, false],
        ['N_HISTORY', 3, true],
      ],
    );
    assert.deepEqual(header.attributes, { title: 'round trip', version_number: [3], weights: [1, -2] });
    const pres = header.variables.find((v) => v.name === 'PRES')!;
    assert.deepEqual(pres.attributes, { _FillValue: [99999], valid_min: [0] });
    assert.deepEqual(pres.shape, [2, 3]);
    const histB = header.variables.find((v) => v.name === 'HIST_B')!;
    assert.equal(histB.isRecord, true);
    assert.deepEqual(histB.shape, [3, 2]);
    // Record: HIST_A (2×4 chars = 8) + HIST_B (2 floats = 8) + HIST_C (one short, padded to 4).
    assert.equal(header.recordSize, 20);
    assert.equal(file.length, header.variables.find((v) => v.name === 'HIST_A')!.offset + 3 * 20);

    assert.equal(readVariable(header, file, 'NAME'), 'ab  cdef');
    assert.deepEqual(readVariable(header, file, 'B'), Int8Array.from([-128, 0, 127]));
    assert.deepEqual(readVariable(header, file, 'S'), Int16Array.from([-32768, 1, 32767]));
    assert.deepEqual(readVariable(header, file, 'I'), Int32Array.from([-2147483648, 2147483647]));
    assert.deepEqual(readVariable(header, file, 'PRES'), Float32Array.from([1.5, 2.25, 99999, 4, 5, 6]));
    assert.deepEqual(readVariable(header, file, 'JULD'), Float64Array.from([17376.835416691552, -1e-300]));
    assert.deepEqual(readVariable(header, file, 'SCALAR'), Float64Array.from([Math.PI]));
    assert.equal(readVariable(header, file, 'HIST_A'), 'r0p0r0p1r1p0r1p1r2p0r2p1');
    assert.deepEqual(readVariable(header, file, 'HIST_B'), Float32Array.from([0.5, 1.5, 2.5, 3.5, 4.5, 5.5]));
    assert.deepEqual(readVariable(header, file, 'HIST_C'), Int16Array.from([7, 8, 9]));
  });

  test(`CDF-${version}: an independent reader (netcdfjs) reads the writer's file`, () => {
    const file = writeNetcdf(sample(version));
    const reader = new NetCDFReader(file);
    assert.equal(reader.version, version === 1 ? 'classic format' : '64-bit offset format');
    assert.equal(reader.recordDimension.length, 3);
    assert.deepEqual(Array.from(reader.getDataVariable('PRES') as number[]), [1.5, 2.25, 99999, 4, 5, 6]);
    assert.deepEqual(Array.from(reader.getDataVariable('I') as number[]), [-2147483648, 2147483647]);
    assert.deepEqual(Array.from(reader.getDataVariable('JULD') as number[]), [17376.835416691552, -1e-300]);
    assert.deepEqual((reader.getDataVariable('HIST_B') as number[]).flat(), [0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
    // netcdfjs reads a record row as vsize / type size elements, padding included: first of each.
    assert.deepEqual((reader.getDataVariable('HIST_C') as number[][]).map((row) => [row].flat()[0]), [7, 8, 9]);
    assert.equal(reader.getAttribute('title'), 'round trip');
  });
}

test('a single record variable is not padded between records', () => {
  const file = writeNetcdf({
    dimensions: [{ name: 'T', size: 0, isRecord: true }],
    variables: [{ name: 'C', type: 'short', dimensions: ['T'], data: [1, 2, 3, 4, 5] }],
  });
  const header = parseHeader(file, { fileSize: file.length });
  assert.equal(header.recordSize, 2);
  assert.equal(header.numRecords, 5);
  assert.equal(file.length, header.headerSize + 10);
  assert.deepEqual(readVariable(header, file, 'C'), Int16Array.from([1, 2, 3, 4, 5]));
  // (netcdfjs does not implement this packing rule of the format; scipy and netCDF-C do.)
});

test('short data is completed with _FillValue, or the default fill', () => {
  const file = writeNetcdf({
    dimensions: [{ name: 'N', size: 3 }],
    variables: [
      { name: 'A', type: 'float', dimensions: ['N'], attributes: { _FillValue: 99999 }, data: [1] },
      { name: 'B', type: 'int', dimensions: ['N'] },
      { name: 'C', type: 'char', dimensions: ['N'], attributes: { _FillValue: ' ' }, data: 'x' },
    ],
  });
  const header = parseHeader(file);
  assert.deepEqual(readVariable(header, file, 'A'), Float32Array.from([1, 99999, 99999]));
  assert.deepEqual(readVariable(header, file, 'B'), Int32Array.from([NC_DEFAULT_FILL.int, NC_DEFAULT_FILL.int, NC_DEFAULT_FILL.int]));
  assert.equal(readVariable(header, file, 'C'), 'x  ');
});

test('numRecords and the streaming marker', () => {
  const options: WriteNetcdfOptions = {
    dimensions: [
      { name: 'R', size: 0, isRecord: true },
      { name: 'N', size: 2 },
    ],
    variables: [
      { name: 'A', type: 'int', dimensions: ['R', 'N'], data: [1, 2, 3, 4] },
      { name: 'B', type: 'double', dimensions: ['R'], data: [0.5, 1.5] },
    ],
  };
  const more = writeNetcdf({ ...options, numRecords: 3 });
  const h3 = parseHeader(more, { fileSize: more.length });
  assert.equal(h3.numRecords, 3);
  assert.deepEqual(readVariable(h3, more, 'A'), Int32Array.from([1, 2, 3, 4, NC_DEFAULT_FILL.int, NC_DEFAULT_FILL.int]));

  const streaming = writeNetcdf({ ...options, streaming: true });
  assert.deepEqual(Array.from(streaming.subarray(4, 8)), [0xff, 0xff, 0xff, 0xff]);
  const counted = parseHeader(streaming, { fileSize: streaming.length });
  assert.equal(counted.streaming, true);
  assert.equal(counted.numRecords, 2);
  assert.deepEqual(readVariable(counted, streaming, 'B'), Float64Array.from([0.5, 1.5]));
  const unknown = parseHeader(streaming);
  assert.equal(unknown.streaming, true);
  assert.equal(unknown.numRecords, 0, 'without the file size the record count is unknown: 0');
});

test('the writer refuses inconsistent descriptions', () => {
  const bad: [string, WriteNetcdfOptions][] = [
    ['unknown dimension', { dimensions: [], variables: [{ name: 'A', type: 'int', dimensions: ['X'] }] }],
    [
      'record dimension not first',
      {
        dimensions: [
          { name: 'N', size: 2 },
          { name: 'R', size: 0, isRecord: true },
        ],
        variables: [{ name: 'A', type: 'int', dimensions: ['N', 'R'] }],
      },
    ],
    ['too much data', { dimensions: [{ name: 'N', size: 2 }], variables: [{ name: 'A', type: 'int', dimensions: ['N'], data: [1, 2, 3] }] }],
    ['zero-size fixed dimension', { dimensions: [{ name: 'N', size: 0 }], variables: [] }],
  ];
  for (const [label, options] of bad) assert.throws(() => writeNetcdf(options), NetcdfFormatError, label);
});
