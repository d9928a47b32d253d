/**
 * Comparing the service's output with `../shared/argo-gdac-sample/expected/reference.json` (an
 * independent implementation of SEMANTICS.md): 1e-4 absolute on values rounded to 6 decimals,
 * nulls exactly where the reference has them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { QcMode } from '../../src/argo/types.js';
import type { OutputProfile } from '../../src/query/types.js';

export const TOLERANCE = 1e-4;

type Values = (number | null)[] | null;
export interface ReferenceModeResult {
  included: boolean;
  reason?: string;
  depth?: Record<string, Values>;
  pressure?: Record<string, Values>;
  native?: Record<string, Values>;
}
export interface ReferenceProfile {
  platform_number: string;
  cycle_number: number;
  direction: string;
  data_mode: string;
  /** null when the file has no valid JULD; such profiles are never included. */
  time_ms: number | null;
  latitude: number | null;
  longitude: number | null;
  position_qc: string;
  juld_qc: string;
  n_prof: number;
  n_levels: number;
  standard: ReferenceModeResult;
  research: ReferenceModeResult;
  expert: ReferenceModeResult;
}
export interface Reference {
  levels: number[];
  profiles: Record<string, ReferenceProfile>;
}

/** The reference of the shared sample directory (see shared-sample.ts for finding it). */
export function loadReference(sampleDir: string): Reference {
  return JSON.parse(readFileSync(join(sampleDir, 'expected', 'reference.json'), 'utf8')) as Reference;
}

/** The months (YYYY-MM) of the reference's profiles that have a time. */
export function referenceMonths(reference: Reference): string[] {
  const months = Object.values(reference.profiles).flatMap((p) => (p.time_ms === null ? [] : [new Date(p.time_ms).toISOString().slice(0, 7)]));
  return [...new Set(months)].sort();
}

export type LevelKind = 'depth' | 'pressure' | 'native';
export const VARIABLES = ['TEMP', 'PSAL', 'PRES'] as const;

/** The reference's included profile ids for a mode, in result order (time, platform, cycle, direction). */
export function includedIds(reference: Reference, mode: QcMode): string[] {
  return Object.entries(reference.profiles)
    .filter(([, p]) => p[mode].included)
    .sort(
      ([, a], [, b]) =>
        a.time_ms! - b.time_ms! ||
        (a.platform_number < b.platform_number ? -1 : a.platform_number > b.platform_number ? 1 : 0) ||
        a.cycle_number - b.cycle_number ||
        (a.direction < b.direction ? -1 : a.direction > b.direction ? 1 : 0),
    )
    .map(([id]) => id);
}

function compareArrays(actual: Values | undefined, expected: Values | undefined, what: string): number {
  if (expected === null || expected === undefined) {
    assert.equal(actual ?? null, null, `${what}: expected null (variable absent)`);
    return 0;
  }
  assert.ok(Array.isArray(actual), `${what}: expected an array`);
  assert.equal(actual.length, expected.length, `${what}: length`);
  let compared = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a: number | null = (actual as (number | null)[])[i];
    if (e === null) {
      assert.equal(a, null, `${what}[${i}]: expected null, got ${a}`);
    } else {
      assert.ok(a !== null && Math.abs(a - e) <= TOLERANCE, `${what}[${i}]: expected ${e}, got ${a}`);
    }
    compared++;
  }
  return compared;
}

/**
 * Asserts one output profile matches the reference for a mode and level kind; returns the number
 * of values compared (level coordinates included for native levels).
 */
export function compareProfile(
  reference: Reference,
  profile: OutputProfile,
  mode: QcMode,
  kind: LevelKind,
  variables: readonly string[] = VARIABLES,
): number {
  const ref = reference.profiles[profile.id];
  assert.ok(ref, `${profile.id}: not in the reference`);
  const what = `${profile.id} ${mode} ${kind}`;
  assert.equal(profile.platform_number, ref.platform_number, `${what}: platform`);
  assert.equal(profile.cycle_number, ref.cycle_number, `${what}: cycle`);
  assert.equal(profile.direction, ref.direction, `${what}: direction`);
  assert.equal(profile.data_mode, ref.data_mode, `${what}: data mode`);
  assert.ok(ref.time_ms !== null && ref.latitude !== null && ref.longitude !== null, `${what}: returned but the reference has no time or position`);
  assert.equal(profile.time, new Date(ref.time_ms).toISOString(), `${what}: time`);
  assert.ok(Math.abs(profile.latitude - ref.latitude) <= TOLERANCE, `${what}: latitude`);
  assert.ok(Math.abs(profile.longitude - ref.longitude) <= TOLERANCE, `${what}: longitude`);
  const expected = ref[mode];
  assert.ok(expected.included, `${what}: returned but the reference excludes it (${expected.reason})`);
  let compared = 0;
  if (kind === 'native') {
    const native = expected.native!;
    compared += compareArrays(profile.depth, native.depth, `${what} depth`);
    // Native pressure is the reference's PRES on native levels.
    compared += compareArrays(profile.pressure, native.PRES, `${what} pressure`);
    for (const v of variables) compared += compareArrays(profile[v as 'TEMP'], native[v], `${what} ${v}`);
  } else {
    const onLevels = expected[kind]!;
    assert.deepEqual(profile[kind], reference.levels, `${what}: level coordinates`);
    for (const v of variables) compared += compareArrays(profile[v as 'TEMP'], onLevels[v], `${what} ${v}`);
  }
  return compared;
}
