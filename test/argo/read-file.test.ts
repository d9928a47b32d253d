/**
 * `readProfileFile`: a whole file's primary profile gives exactly what the ranged query path
 * decodes from the same file (the metadata and every level array), and a file that is cut short
 * or is not Argo is refused with a tagged error.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeLevels, extractMeta, levelColumns, levelVariableSlots, metaVariableRanges } from '../../src/argo/index.js';
import { writeArgoProfile, writeNetcdf } from '../../fixtures/index.js';
import { readProfileFile } from '../../src/argo/read-file.js';
import { ArgoFormatError, NetcdfFormatError } from '../../src/errors.js';
import { parseHeader } from '../../src/netcdf/index.js';
import { skipWithoutShared } from '../kit/shared-sample.js';

/** What the query path decodes: header, then the slots' bytes only. */
function rangedRead(id: string, bytes: Uint8Array) {
  const header = parseHeader(bytes, { fileSize: bytes.length });
  const metaSlots = new Map(metaVariableRanges(header, { id }).map((s) => [s.name, s]));
  const meta = extractMeta({ id, header, read: (name) => bytes.slice(metaSlots.get(name)!.offset, metaSlots.get(name)!.offset + metaSlots.get(name)!.length) });
  const slots = levelVariableSlots(header, { id });
  const levels = decodeLevels({ nLevels: meta.nLevels, columns: levelColumns(slots, (s) => bytes.slice(s.offset, s.offset + s.length)) });
  return { meta, levels };
}

test('every core file of the sample: the same metadata and levels as the ranged path', (t) => {
  const dir = skipWithoutShared(t);
  if (!dir) return;
  const root = join(dir, 'dac');
  let files = 0;
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/^[RD]\d+_\d+D?\.nc$/.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    const id = path.slice(root.length + 1);
    const bytes = new Uint8Array(readFileSync(path));
    assert.deepEqual(readProfileFile({ id, bytes }), rangedRead(id, bytes), id);
    files++;
  }
  assert.ok(files >= 80, `${files} files`);
});

test('a truncated file, or one that is not Argo, is refused with a tagged error', () => {
  const bytes = writeArgoProfile({
    profiles: [{ platformNumber: '6900001', cycleNumber: 1, dataMode: 'R', timeMs: Date.UTC(2023, 3, 2), latitude: 10, longitude: 20, levels: { PRES: [5, 10], TEMP: [20, 19], PSAL: [35, 35.1] } }],
    dateUpdate: '20230501000000',
  });
  const whole = readProfileFile({ id: 'x/6900001/profiles/R6900001_001.nc', bytes });
  assert.equal(whole.meta.platformNumber, '6900001');
  assert.deepEqual(Array.from(whole.levels.TEMP!), [20, 19]);
  // Cut short: the header's variables reach past the end (NetCDF) or a level row does (Argo).
  assert.throws(() => readProfileFile({ id: 'x', bytes: bytes.subarray(0, bytes.length - 20) }), (e) => e instanceof NetcdfFormatError || e instanceof ArgoFormatError);
  const notArgo = writeNetcdf({ dimensions: [{ name: 'X', size: 2 }], variables: [{ name: 'A', type: 'float', dimensions: ['X'], data: [1, 2] }] });
  assert.throws(() => readProfileFile({ id: 'x', bytes: notArgo }), ArgoFormatError);
  assert.throws(() => readProfileFile({ id: 'x', bytes: new TextEncoder().encode('not netcdf at all') }), NetcdfFormatError);
});
