/**
 * Acceptance: the netcdf/ and argo/ modules over every core file of the shared GDAC sample agree
 * with `expected/reference.json` (an independent implementation of SEMANTICS.md) for every
 * profile and every mode, to 1e-4. Files are read the way the service reads them: the header from
 * a prefix (grown when truncated), then only the byte ranges the range functions name.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  computeProfile,
  decodeLevels,
  extractMeta,
  levelColumns,
  levelVariableSlots,
  metaVariableRanges,
  profileInclusion,
  spanOf,
  QC_MODES,
  type ArgoVariable,
  type ComputedProfile,
  type ProfileMeta,
} from '../../src/argo/index.js';
import { NetcdfFormatError } from '../../src/errors.js';
import { parseHeader, sliceRange, type NcHeader } from '../../src/netcdf/index.js';
import { loadReference } from '../kit/reference.js';
import { skipWithoutShared } from '../kit/shared-sample.js';

const TOLERANCE = 1e-4;
/** The first read of a file: 16 KB holds most Argo headers; larger ones take a second read. */
const HEADER_PREFIX = 16 * 1024;
const VARIABLES: ArgoVariable[] = ['PRES', 'TEMP', 'PSAL'];

type RefValues = (number | null)[] | null;

interface Tally {
  profiles: number;
  modes: number;
  metaFields: number;
  values: number;
  bytesRead: number;
  headerBytes: number;
  metaBytes: number;
  levelBytes: number;
  fileBytes: number;
  reads: number;
  headerRetries: number;
}

/** Compare one array (null = the variable is absent) and count the values compared. */
function compareArray(label: string, actual: Float64Array | null | undefined, expected: RefValues, tally: Tally, problems: string[]): void {
  if (expected === null) {
    if (actual !== null) problems.push(`${label}: expected null (variable absent), got an array`);
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
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a = actual[i];
    tally.values++;
    const ok = e === null ? Number.isNaN(a) : Math.abs(a - e) <= TOLERANCE;
    if (!ok && problems.length < 200) problems.push(`${label}[${i}]: got ${a}, expected ${e}`);
  }
}

function compareComputed(label: string, computed: ComputedProfile, expected: Record<string, RefValues>, coordinate: string, tally: Tally, problems: string[]): void {
  compareArray(`${label}.${coordinate}`, computed.native ? computed.levels : null, expected[coordinate] ?? null, tally, problems);
  for (const v of VARIABLES) {
    if (!(v in expected)) {
      problems.push(`${label}: reference has no ${v}`);
      continue;
    }
    compareArray(`${label}.${v}`, computed.values[v], expected[v], tally, problems);
  }
}

test('netcdf/ + argo/ agree with expected/reference.json for every core profile and mode', async (t) => {
  const sampleDir = skipWithoutShared(t);
  if (!sampleDir) {
    return;
  }
  const reference = loadReference(sampleDir);
  const targets = Float64Array.from(reference.levels);
  const tally: Tally = { profiles: 0, modes: 0, metaFields: 0, values: 0, bytesRead: 0, headerBytes: 0, metaBytes: 0, levelBytes: 0, fileBytes: 0, reads: 0, headerRetries: 0 };
  const ids = Object.keys(reference.profiles).sort();
  assert.ok(ids.length > 0, 'reference lists no profiles');

  for (const id of ids) {
    await t.test(id, async () => {
      const ref = reference.profiles[id];
      const file = new Uint8Array(readFileSync(path.join(sampleDir, 'dac', id)));
      tally.fileBytes += file.length;
      // A simulated ranged reader over the file: every byte handed out is counted.
      const readRange = (range: { offset: number; length: number }, kind: 'headerBytes' | 'metaBytes' | 'levelBytes'): Uint8Array => {
        const bytes = sliceRange(file, range);
        tally.reads++;
        tally.bytesRead += bytes.length;
        tally[kind] += bytes.length;
        return bytes;
      };
      // The header: a first prefix, read again with what the parser says it needs while it is cut short.
      let header: NcHeader | undefined;
      for (let length = HEADER_PREFIX; header === undefined; ) {
        const prefix = readRange({ offset: 0, length: Math.min(length, file.length) }, 'headerBytes');
        try {
          header = parseHeader(prefix);
        } catch (error) {
          if (!(error instanceof NetcdfFormatError && error.context.truncated === true) || prefix.length === file.length) throw error;
          length = Math.max(2 * length, error.context.needBytes as number);
          tally.headerRetries++;
        }
      }

      // Metadata: one read spanning the small metadata slots, sliced per variable.
      const metaSlots = metaVariableRanges(header, { id });
      const span = spanOf(metaSlots);
      const spanBytes = readRange(span, 'metaBytes');
      const bySlot = new Map(metaSlots.map((s) => [s.name, s]));
      const meta: ProfileMeta = extractMeta({
        id,
        header,
        read: (name) => sliceRange(spanBytes, bySlot.get(name)!, span.offset),
      });

      const problems: string[] = [];
      const expectMeta: [string, unknown, unknown][] = [
        ['platform_number', meta.platformNumber, ref.platform_number],
        ['cycle_number', meta.cycleNumber, ref.cycle_number],
        ['direction', meta.direction, ref.direction],
        ['data_mode', meta.dataMode, ref.data_mode],
        ['time_ms', meta.timeMs, ref.time_ms],
        ['latitude', meta.latitude, ref.latitude],
        ['longitude', meta.longitude, ref.longitude],
        ['position_qc', meta.positionQc, ref.position_qc],
        ['juld_qc', meta.juldQc, ref.juld_qc],
        ['n_prof', meta.nProf, ref.n_prof],
        ['n_levels', meta.nLevels, ref.n_levels],
      ];
      for (const [field, actual, expected] of expectMeta) {
        tally.metaFields++;
        const ok =
          typeof actual === 'number' && typeof expected === 'number' && field !== 'time_ms'
            ? Math.abs(actual - expected) <= TOLERANCE
            : actual === expected;
        if (!ok) problems.push(`${field}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
      }

      // Levels: only the primary profile's rows of the level variables.
      const slots = levelVariableSlots(header, { id });
      const levels = decodeLevels({ nLevels: meta.nLevels, columns: levelColumns(slots, (slot) => readRange(slot, 'levelBytes')) });

      for (const mode of QC_MODES) {
        tally.modes++;
        const expected = ref[mode];
        const inclusion = profileInclusion(meta, mode);
        if (inclusion.included !== expected.included || inclusion.reason !== expected.reason) {
          problems.push(`${mode}: inclusion ${JSON.stringify(inclusion)}, expected ${JSON.stringify({ included: expected.included, reason: expected.reason })}`);
          continue;
        }
        if (!expected.included) continue;
        const run = (vertical: 'depth' | 'pressure', withTargets: boolean) =>
          computeProfile({
            meta,
            levels,
            options: { mode, vertical, variables: VARIABLES, ...(withTargets ? { targets } : {}) },
          });
        compareComputed(`${mode}.depth`, run('depth', true), expected.depth!, 'depth', tally, problems);
        compareComputed(`${mode}.pressure`, run('pressure', true), expected.pressure!, 'pressure', tally, problems);
        // Native levels: the reference lists the depth of each native level, and PRES (the pressure).
        const native = run('depth', false);
        compareComputed(`${mode}.native`, native, expected.native!, 'depth', tally, problems);
        // (`pressure` is PRES again: checked, not counted twice.)
        compareArray(`${mode}.native.pressure`, native.pressure, expected.native!.PRES, { ...tally }, problems);
      }
      tally.profiles++;
      assert.deepEqual(problems, [], `${id}: ${problems.length} disagreements`);
    });
  }

  t.diagnostic(
    `profiles compared: ${tally.profiles}/${ids.length}; profile×mode checks: ${tally.modes}; metadata fields: ${tally.metaFields}; ` +
      `values compared: ${tally.values}`,
  );
  t.diagnostic(
    `bytes read by range: ${tally.bytesRead} of ${tally.fileBytes} file bytes (${((100 * tally.bytesRead) / tally.fileBytes).toFixed(1)}%) ` +
      `in ${tally.reads} reads: header prefixes ${tally.headerBytes} (${tally.headerRetries} re-read with more bytes), ` +
      `metadata spans ${tally.metaBytes}, primary-profile level rows ${tally.levelBytes}`,
  );
  assert.equal(tally.profiles, ids.length);
});
