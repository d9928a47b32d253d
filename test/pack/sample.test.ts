/**
 * Data packs built from the shared sample's real core files (one pack per month, as the builder
 * will): read back, every level array equals what the file holds, and every mode, on depth,
 * pressure and native levels, computed from the pack's arrays agrees with
 * `expected/reference.json`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeProfile, profileInclusion, QC_MODES } from '../../src/argo/index.js';
import { LEVEL_VARIABLES, type ProfileLevels } from '../../src/argo/types.js';
import { openPack, readPackProfiles, writePack, type PackedProfile } from '../../src/pack/index.js';
import { toOutputProfile } from '../../src/query/output.js';
import type { PlannedProfile } from '../../src/query/planner.js';
import { compareProfile, loadReference, VARIABLES, type LevelKind } from '../kit/reference.js';
import { skipWithoutShared } from '../kit/shared-sample.js';
import { countingReader, sampleProfilesByMonth, type SampleProfile } from './helpers.js';

/** NaN where the file has no value, exact float equality elsewhere, same QC strings, same nulls. */
function assertSameLevels(actual: ProfileLevels, expected: ProfileLevels, id: string): number {
  assert.equal(actual.nLevels, expected.nLevels, `${id}: nLevels`);
  let values = 0;
  for (const name of LEVEL_VARIABLES) {
    const a = actual[name];
    const e = expected[name];
    if (e === null) {
      assert.equal(a, null, `${id} ${name}: the file lacks it`);
      continue;
    }
    assert.ok(a !== null, `${id} ${name}: missing from the pack`);
    if (typeof e === 'string') {
      assert.equal(a, e, `${id} ${name}`);
      values += e.length;
      continue;
    }
    const arr = a as Float64Array;
    assert.ok(arr instanceof Float64Array, `${id} ${name}: a Float64Array`);
    assert.equal(arr.length, e.length, `${id} ${name}: length`);
    for (let i = 0; i < e.length; i++) {
      assert.ok(Object.is(arr[i], e[i]) || (Number.isNaN(arr[i]) && Number.isNaN(e[i])), `${id} ${name}[${i}]: ${arr[i]} !== ${e[i]}`);
    }
    values += e.length;
  }
  return values;
}

async function packAndRead(month: string, profiles: SampleProfile[]): Promise<PackedProfile[]> {
  const written = await writePack({ profiles, month });
  assert.equal(written.rows, profiles.length);
  const reader = countingReader(written.bytes);
  const pack = await openPack({ readRange: reader.readRange, size: written.bytes.length });
  assert.equal(pack.description.month, month);
  assert.equal(pack.footerBytes, written.footerBytes);
  const [y, m] = month.split('-').map(Number);
  const out: PackedProfile[] = [];
  for await (const p of readPackProfiles({ pack, window: { start: Date.UTC(y, m - 1, 1), end: Date.UTC(y, m, 1) } })) out.push(p);
  return out;
}

test('the sample, packed per month, reads back exactly what its files hold', async (t) => {
  const sampleDir = skipWithoutShared(t);
  if (!sampleDir) return;
  const months = sampleProfilesByMonth(sampleDir);
  let profiles = 0;
  let values = 0;
  for (const [month, list] of months) {
    const read = await packAndRead(month, list);
    assert.deepEqual(
      read.map((p) => p.meta.id),
      list.map((p) => p.id),
      `${month}: rows in result order`,
    );
    read.forEach((p, i) => {
      const e = list[i];
      assert.equal(p.row, i);
      assert.deepEqual(p.meta, {
        id: e.id,
        timeMs: e.timeMs,
        nLevels: e.levels.nLevels,
        platformNumber: e.platform,
        cycleNumber: e.cycle,
        direction: e.direction,
        dataMode: e.dataMode,
        latitude: e.latitude,
        longitude: e.longitude,
        positionQc: e.positionQc,
        juldQc: e.juldQc,
        dateUpdate: e.dateUpdate,
        fileSize: e.size,
      });
      values += assertSameLevels(p.levels, e.levels, e.id);
      profiles++;
    });
  }
  assert.ok(profiles >= 60, `only ${profiles} profiles in the sample`);
  t.diagnostic(`${months.size} months, ${profiles} profiles, ${values} level values compared`);
});

test('every mode and level kind computed from pack arrays agrees with expected/reference.json', async (t) => {
  const sampleDir = skipWithoutShared(t);
  if (!sampleDir) return;
  const reference = loadReference(sampleDir);
  const targets = Float64Array.from(reference.levels);
  let compared = 0;
  let included = 0;
  let checkedProfiles = 0;
  for (const [month, list] of sampleProfilesByMonth(sampleDir)) {
    const byId = new Map(list.map((p) => [p.id, p]));
    for (const packed of await packAndRead(month, list)) {
      const source = byId.get(packed.meta.id)!;
      const ref = reference.profiles[packed.meta.id];
      assert.ok(ref, `${packed.meta.id}: not in the reference`);
      checkedProfiles++;
      const meta = { ...packed.meta, dataMode: packed.meta.dataMode!, positionQc: packed.meta.positionQc!, juldQc: packed.meta.juldQc!, latitude: packed.meta.latitude!, longitude: packed.meta.longitude! };
      const planned = { ...source, platformNumber: source.platform, cycleNumber: source.cycle } as unknown as PlannedProfile;
      for (const mode of QC_MODES) {
        const inclusion = profileInclusion(meta, mode);
        assert.equal(inclusion.included, ref[mode].included, `${packed.meta.id} ${mode}: inclusion`);
        if (!inclusion.included) continue;
        included++;
        for (const kind of ['depth', 'pressure', 'native'] as LevelKind[]) {
          const options = {
            mode,
            vertical: kind === 'pressure' ? ('pressure' as const) : ('depth' as const),
            variables: VARIABLES,
            ...(kind === 'native' ? {} : { targets }),
          };
          const computed = computeProfile({ meta, levels: packed.levels, options });
          compared += compareProfile(reference, toOutputProfile(planned, computed, VARIABLES), mode, kind);
        }
      }
    }
  }
  const expectedIncluded = Object.values(reference.profiles).reduce((n, p) => n + QC_MODES.filter((m) => p[m].included).length, 0);
  assert.equal(included, expectedIncluded, 'every included (profile, mode) of the reference was checked');
  assert.ok(compared > 10_000, `only ${compared} values compared`);
  t.diagnostic(`${checkedProfiles} profiles, ${included} (profile, mode) pairs, ${compared} values compared`);
});
