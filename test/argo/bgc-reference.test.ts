/**
 * Acceptance: argo/bgc over every synthetic profile file of the shared GDAC sample agrees with
 * `expected/reference-bgc.json` (an independent implementation of SEMANTICS-BGC.md) for every
 * profile, every mode, on depth, pressure and native levels, to 1e-4. Files are read as the
 * service reads them: the header from a prefix, the metadata from one span, then only the level
 * rows the mode needs (`bgcLevelVariablesToRead`), at the offsets `bgcLevelVariableSlots` names.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  bgcLevelVariableSlots,
  bgcLevelVariablesToRead,
  bgcMetaVariableRanges,
  bgcParameterInfo,
  bgcProfileInclusion,
  computeBgcProfile,
  decodeBgcLevels,
  extractBgcMeta,
  readBgcProfileFile,
  type BgcComputedProfile,
  type BgcLevels,
  type BgcProfileMeta,
} from '../../src/argo/bgc/index.js';
import { levelColumns, spanOf } from '../../src/argo/extract.js';
import { QC_MODES, type QcMode } from '../../src/argo/types.js';
import { parseHeader, sliceRange, type NcHeader } from '../../src/netcdf/index.js';
import { TOLERANCE } from '../kit/reference.js';
import { loadBgcReference, type BgcReference } from '../kit/reference-bgc.js';
import { skipWithoutShared } from '../kit/shared-sample.js';

/** The first read of a file: 16 KB holds most Argo headers; larger ones take a second read. */
const HEADER_PREFIX = 16 * 1024;

type RefValues = (number | null)[] | null;

interface Tally {
  profiles: number;
  modes: number;
  excluded: number;
  arrays: number;
  values: number;
  nonNull: number;
}

function compareArray(label: string, actual: Float64Array | null | undefined, expected: RefValues, tally: Tally, problems: string[]): void {
  if (expected === null) {
    if (actual !== null) problems.push(`${label}: expected null (parameter absent), got ${actual === undefined ? 'nothing' : 'an array'}`);
    return;
  }
  if (actual === null || actual === undefined) {
    problems.push(`${label}: expected ${expected.length} values, got ${actual}`);
    return;
  }
  if (actual.length !== expected.length) {
    problems.push(`${label}: length ${actual.length}, expected ${expected.length}`);
    return;
  }
  tally.arrays++;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a = actual[i];
    tally.values++;
    if (e !== null) tally.nonNull++;
    const ok = e === null ? Number.isNaN(a) : Math.abs(a - e) <= TOLERANCE;
    if (!ok && problems.length < 200) problems.push(`${label}[${i}]: got ${a}, expected ${e}`);
  }
}

function compareComputed(label: string, computed: BgcComputedProfile, expected: Record<string, RefValues>, variables: readonly string[], tally: Tally, problems: string[]): void {
  assert.deepEqual(Object.keys(computed.values), [...variables], `${label}: variables`);
  for (const v of variables) compareArray(`${label}.${v}`, computed.values[v], expected[v], tally, problems);
}

/** What the reference lists per mode: PRES, TEMP, PSAL and every parameter of the file. */
function referenceVariables(reference: BgcReference, id: string): string[] {
  const ref = reference.profiles[id];
  const listed = new Set<string>();
  for (const mode of QC_MODES) for (const name of Object.keys(ref[mode].depth ?? {})) listed.add(name);
  return [...listed];
}

interface RangedFile {
  header: NcHeader;
  meta: BgcProfileMeta;
  /** Decodes only the named level rows (a simulated ranged read). */
  levels(names: readonly string[]): BgcLevels;
  bytesRead: () => number;
}

async function openRanged(file: Uint8Array, id: string): Promise<RangedFile> {
  let bytesRead = 0;
  const read = (range: { offset: number; length: number }): Uint8Array => {
    bytesRead += range.length;
    return sliceRange(file, range);
  };
  // A prefix first; a header longer than that says how many bytes it needs (a second read).
  let header: NcHeader;
  try {
    header = parseHeader(read({ offset: 0, length: Math.min(HEADER_PREFIX, file.length) }), { fileSize: file.length });
  } catch (error) {
    const need = (error as { context?: { needBytes?: number } }).context?.needBytes;
    if (need === undefined) throw error;
    header = parseHeader(read({ offset: 0, length: Math.min(Math.max(need, 2 * HEADER_PREFIX), file.length) }), { fileSize: file.length });
  }
  const metaSlots = bgcMetaVariableRanges(header, { id });
  const span = spanOf(metaSlots);
  const spanBytes = read(span);
  const bySlot = new Map(metaSlots.map((s) => [s.name, s]));
  const meta = extractBgcMeta({ id, header, read: (name) => sliceRange(spanBytes, bySlot.get(name)!, span.offset) });
  const slots = bgcLevelVariableSlots(header, { id, parameters: Object.keys(meta.parameters) });
  return {
    header,
    meta,
    levels: (names) => {
      const wanted = new Set(names);
      return decodeBgcLevels({ nLevels: meta.nLevels, columns: levelColumns(slots.filter((s) => wanted.has(s.name)), read) });
    },
    bytesRead: () => bytesRead,
  };
}

test('argo/bgc agrees with expected/reference-bgc.json for every synthetic profile, mode and level kind', async (t) => {
  const sampleDir = skipWithoutShared(t);
  if (!sampleDir) return;
  const reference = loadBgcReference(sampleDir);
  if (!reference) {
    t.skip('the shared sample has no expected/reference-bgc.json');
    return;
  }
  assert.equal(reference.dataset, 'bgc');
  const targets = Float64Array.from(reference.levels);
  const tally: Tally = { profiles: 0, modes: 0, excluded: 0, arrays: 0, values: 0, nonNull: 0 };
  const ids = Object.keys(reference.profiles).sort();
  assert.ok(ids.length > 0, 'reference lists no profiles');

  for (const id of ids) {
    await t.test(id, async () => {
      const ref = reference.profiles[id];
      const file = new Uint8Array(readFileSync(path.join(sampleDir, 'dac', id)));
      const ranged = await openRanged(file, id);
      const { meta } = ranged;
      const problems: string[] = [];

      const expectMeta: [string, unknown, unknown][] = [
        ['platform_number', meta.platformNumber, ref.platform_number],
        ['cycle_number', meta.cycleNumber, ref.cycle_number],
        ['direction', meta.direction, ref.direction],
        ['time_ms', meta.timeMs, ref.time_ms],
        ['latitude', meta.latitude, ref.latitude],
        ['longitude', meta.longitude, ref.longitude],
        ['position_qc', meta.positionQc, ref.position_qc],
        ['juld_qc', meta.juldQc, ref.juld_qc],
        ['n_prof', meta.nProf, ref.n_prof],
        ['n_levels', meta.nLevels, ref.n_levels],
      ];
      for (const [field, actual, expected] of expectMeta) {
        const ok = typeof actual === 'number' && typeof expected === 'number' && field !== 'time_ms' ? Math.abs(actual - expected) <= TOLERANCE : actual === expected;
        if (!ok) problems.push(`${field}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
      }
      assert.equal(ref.data_mode, null, 'synthetic files have no profile data mode');
      assert.equal('dataMode' in meta, false, 'no profile data mode is invented');
      // The parameters and their data modes, in STATION_PARAMETERS order.
      assert.deepEqual(Object.entries(meta.parameters), Object.entries(ref.parameters), `${id}: parameters and data modes`);

      const variables = referenceVariables(reference, id);
      assert.deepEqual(new Set(variables), new Set(['PRES', 'TEMP', 'PSAL', ...Object.keys(meta.parameters)]), `${id}: the reference lists every parameter`);

      // Units and names come from the file's attributes.
      const info = bgcParameterInfo(ranged.header, Object.keys(meta.parameters));
      for (const p of info) {
        assert.ok(p.units !== null && p.longName !== null, `${id} ${p.name}: units and long_name from the file`);
      }

      for (const mode of QC_MODES) {
        tally.modes++;
        const expected = ref[mode];
        const inclusion = bgcProfileInclusion(meta, mode);
        if (inclusion.included !== expected.included || inclusion.reason !== expected.reason) {
          problems.push(`${mode}: inclusion ${JSON.stringify(inclusion)}, expected ${JSON.stringify({ included: expected.included, reason: expected.reason })}`);
          continue;
        }
        if (!expected.included) {
          tally.excluded++;
          continue;
        }
        // Only the rows the mode needs, as the ranged query path reads them.
        const levels = ranged.levels(bgcLevelVariablesToRead({ mode, parameters: meta.parameters, variables }));
        const run = (vertical: 'depth' | 'pressure', withTargets: boolean): BgcComputedProfile =>
          computeBgcProfile({ meta, levels, options: { mode, vertical, variables, ...(withTargets ? { targets } : {}) } });
        const depth = run('depth', true);
        assert.deepEqual(Array.from(depth.levels), reference.levels);
        compareComputed(`${mode}.depth`, depth, expected.depth!, variables, tally, problems);
        compareComputed(`${mode}.pressure`, run('pressure', true), expected.pressure!, variables, tally, problems);
        const native = run('depth', false);
        compareArray(`${mode}.native.depth`, native.depth, expected.native!.depth, tally, problems);
        compareComputed(`${mode}.native`, native, expected.native!, variables, tally, problems);
        // Native pressure is PRES again: checked, not counted twice.
        compareArray(`${mode}.native.pressure`, native.pressure, expected.native!.PRES, { ...tally }, problems);
        const nativeOnPressure = run('pressure', false);
        compareArray(`${mode}.native(pressure).levels`, nativeOnPressure.levels, expected.native!.PRES, { ...tally }, problems);
      }
      tally.profiles++;
      assert.ok(ranged.bytesRead() < file.length, `${id}: ranged reads (${ranged.bytesRead()} bytes) stay below the file size (${file.length})`);
      assert.deepEqual(problems, [], `${id}: ${problems.length} disagreements`);
    });
  }

  t.diagnostic(
    `BGC profiles compared: ${tally.profiles}/${ids.length}; profile×mode checks: ${tally.modes} (${tally.excluded} excluded as the reference says); ` +
      `arrays: ${tally.arrays}; values compared: ${tally.values} (${tally.nonNull} non-null)`,
  );
  assert.equal(tally.profiles, ids.length);
});

test('reading a synthetic file whole gives the same numbers as reading only the rows a mode needs', async (t) => {
  const sampleDir = skipWithoutShared(t);
  if (!sampleDir) return;
  const reference = loadBgcReference(sampleDir);
  if (!reference) {
    t.skip('the shared sample has no expected/reference-bgc.json');
    return;
  }
  const targets = Float64Array.from(reference.levels);
  for (const id of Object.keys(reference.profiles).sort()) {
    const file = new Uint8Array(readFileSync(path.join(sampleDir, 'dac', id)));
    const whole = readBgcProfileFile({ id, bytes: file });
    const ranged = await openRanged(file, id);
    assert.deepEqual(whole.meta, ranged.meta);
    const variables = ['PRES', ...Object.keys(whole.meta.parameters).filter((p) => p !== 'PRES')];
    for (const mode of QC_MODES satisfies readonly QcMode[]) {
      const partial = ranged.levels(bgcLevelVariablesToRead({ mode, parameters: whole.meta.parameters, variables }));
      for (const withTargets of [true, false]) {
        const options = { mode, vertical: 'depth' as const, variables, ...(withTargets ? { targets } : {}) };
        assert.deepEqual(
          computeBgcProfile({ meta: whole.meta, levels: partial, options }),
          computeBgcProfile({ meta: whole.meta, levels: whole.levels, options }),
          `${id} ${mode} ${withTargets ? 'targets' : 'native'}`,
        );
      }
    }
  }
});
