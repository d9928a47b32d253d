/**
 * Header parsing: structure (via files from the project's writer), HDF5 / bad magic / CDF-5
 * refusals, truncated prefixes (with `needBytes`, at every cut), and the prefix-growing reader.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NetcdfFormatError } from '../../src/errors.js';
import { parseHeader } from '../../src/netcdf/index.js';
import { writeNetcdf } from '../../fixtures/index.js';

function fixture(version: 1 | 2 = 1): Uint8Array {
  return writeNetcdf({
    version,
    dimensions: [
      { name: 'N_PROF', size: 2 },
      { name: 'N_LEVELS', size: 5 },
      { name: 'N_HISTORY', size: 0, isRecord: true },
    ],
    attributes: { title: 'x'.repeat(300), Conventions: 'Argo-3.1 CF-1.6' },
    variables: [
      { name: 'PRES', type: 'float', dimensions: ['N_PROF', 'N_LEVELS'], attributes: { _FillValue: 99999, units: 'decibar' }, data: [1, 2, 3, 4, 5] },
      { name: 'TEMP', type: 'double', dimensions: ['N_PROF', 'N_LEVELS'], attributes: { _FillValue: 99999 } },
      { name: 'HISTORY_START_PRES', type: 'float', dimensions: ['N_HISTORY', 'N_PROF'], data: [1, 2, 3, 4] },
      { name: 'HISTORY_QC', type: 'char', dimensions: ['N_HISTORY', 'N_PROF'], data: 'abcd' },
    ],
  });
}

function formatError(fn: () => unknown): NetcdfFormatError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof NetcdfFormatError, `expected NetcdfFormatError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a NetcdfFormatError');
}

test('record variables: isRecord, vsize, recordSize, numRecords, offsets', () => {
  for (const version of [1, 2] as const) {
    const file = fixture(version);
    const h = parseHeader(file, { fileSize: file.length });
    assert.equal(h.version, version);
    assert.equal(h.numRecords, 2);
    const [pres, temp, hist, qc] = h.variables;
    assert.deepEqual([pres.isRecord, temp.isRecord, hist.isRecord, qc.isRecord], [false, false, true, true]);
    assert.deepEqual(hist.shape, [2, 2]);
    assert.equal(pres.vsize, 40);
    assert.equal(temp.vsize, 80);
    assert.equal(hist.vsize, 8);
    assert.equal(qc.vsize, 4); // 2 chars padded to 4
    assert.equal(h.recordSize, 12);
    assert.equal(pres.offset, h.headerSize);
    assert.equal(temp.offset, pres.offset + 40);
    assert.equal(hist.offset, temp.offset + 80);
    assert.equal(qc.offset, hist.offset + 8);
    assert.equal(h.dimensions[2].isRecord, true);
    assert.equal(h.dimensions[2].size, 2);
    assert.equal(h.attributes.Conventions, 'Argo-3.1 CF-1.6');
    assert.deepEqual(pres.attributes, { _FillValue: [99999], units: 'decibar' });
  }
});

test('CDF-2 offsets are 64-bit: the header is 4 bytes longer per variable', () => {
  const one = parseHeader(fixture(1));
  const two = parseHeader(fixture(2));
  assert.equal(two.headerSize - one.headerSize, 4 * one.variables.length);
});

test('an HDF5 / NetCDF-4 file is refused with a clear message', () => {
  const hdf5 = new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
  const error = formatError(() => parseHeader(hdf5));
  assert.match(error.message, /NetCDF-4\/HDF5/);
  assert.match(error.message, /not supported/);
  assert.equal(error.context.format, 'hdf5');
  assert.equal(error.context.truncated, undefined);
});

test('bad magic, CDF-5 and garbage are NetcdfFormatError, not truncation', () => {
  for (const bytes of [new TextEncoder().encode('<html>not found</html>'), new Uint8Array([0x43, 0x44, 0x46, 9, 0, 0, 0, 0])]) {
    const error = formatError(() => parseHeader(bytes));
    assert.notEqual(error.context.truncated, true);
  }
  assert.match(formatError(() => parseHeader(new Uint8Array([0x43, 0x44, 0x46, 5, 0, 0, 0, 0]))).message, /CDF-5/);
  // A wrong tag where the dimension list should be.
  const file = fixture();
  const corrupt = file.slice();
  corrupt[11] = 0x0c;
  assert.match(formatError(() => parseHeader(corrupt)).message, /dimension list/);
});

test('every prefix shorter than the header is truncated, with a needBytes that gets further', () => {
  const file = fixture();
  const { headerSize } = parseHeader(file);
  for (let n = 0; n < headerSize; n++) {
    const error = formatError(() => parseHeader(file.subarray(0, n)));
    assert.equal(error.context.truncated, true, `prefix ${n}`);
    const need = error.context.needBytes as number;
    assert.ok(need > n && need <= headerSize, `prefix ${n}: needBytes ${need}`);
  }
  assert.equal(parseHeader(file.subarray(0, headerSize)).headerSize, headerSize);
});

test('fileSize: a variable past the end of the file is reported', () => {
  const file = fixture();
  const error = formatError(() => parseHeader(file, { fileSize: file.length - 100 }));
  assert.match(error.message, /too short/);
});
