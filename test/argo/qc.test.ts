/** QC modes: profile inclusion (reasons as in reference.json) and per-level usable values. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXCLUSION_REASONS, profileInclusion, usableLevels, type InclusionMeta, type ProfileLevels } from '../../src/argo/index.js';

const good: InclusionMeta = { dataMode: 'D', positionQc: '1', juldQc: '1', timeMs: 0, latitude: 10, longitude: 20 };

test('profile inclusion per mode, with the reference wording', () => {
  assert.deepEqual(profileInclusion(good, 'standard'), { included: true });
  assert.deepEqual(profileInclusion(good, 'research'), { included: true });
  assert.deepEqual(profileInclusion(good, 'expert'), { included: true });

  const realtime = { ...good, dataMode: 'R' };
  assert.deepEqual(profileInclusion(realtime, 'research'), { included: false, reason: 'data mode is not D' });
  assert.equal(profileInclusion(realtime, 'standard').included, true);
  assert.equal(profileInclusion({ ...good, dataMode: 'A' }, 'research').reason, 'data mode is not D');

  const flag2 = { ...good, positionQc: '2' };
  assert.equal(profileInclusion(flag2, 'standard').included, true);
  assert.deepEqual(profileInclusion(flag2, 'research'), { included: false, reason: 'position or time QC not good' });
  assert.deepEqual(profileInclusion({ ...good, juldQc: '4' }, 'standard'), { included: false, reason: 'position or time QC not good' });
  assert.equal(profileInclusion({ ...good, juldQc: '4', positionQc: '9' }, 'expert').included, true);

  // Order as in the reference: data mode, then QC flags, then position, then time.
  const noPosition = { ...good, dataMode: 'R', positionQc: '9', latitude: null, longitude: null };
  assert.equal(profileInclusion(noPosition, 'research').reason, EXCLUSION_REASONS.dataModeNotD);
  assert.equal(profileInclusion(noPosition, 'standard').reason, EXCLUSION_REASONS.qcNotGood);
  assert.equal(profileInclusion(noPosition, 'expert').reason, 'no valid position');
  assert.equal(profileInclusion({ ...good, latitude: null, longitude: null }, 'standard').reason, 'no valid position');
  for (const mode of ['standard', 'research', 'expert'] as const) {
    assert.deepEqual(profileInclusion({ ...good, timeMs: null }, mode), { included: false, reason: 'no valid time' });
  }
});

function levels(partial: Partial<ProfileLevels> & { nLevels: number }): ProfileLevels {
  const base: Record<string, unknown> = {};
  for (const name of ['PRES', 'PRES_ADJUSTED', 'PRES_ADJUSTED_ERROR', 'TEMP', 'TEMP_ADJUSTED', 'PSAL', 'PSAL_ADJUSTED']) base[name] = null;
  for (const name of ['PRES_QC', 'PRES_ADJUSTED_QC', 'TEMP_QC', 'TEMP_ADJUSTED_QC', 'PSAL_QC', 'PSAL_ADJUSTED_QC']) base[name] = null;
  return { ...base, ...partial } as ProfileLevels;
}
const f = (...v: number[]) => Float64Array.from(v);
const arr = (a: Float64Array | null) => (a === null ? null : Array.from(a));

const sample = levels({
  nLevels: 4,
  PRES: f(0, 10, 20, 30),
  PRES_QC: '1142',
  PRES_ADJUSTED: f(1, 11, 21, NaN),
  PRES_ADJUSTED_QC: '1121',
  PRES_ADJUSTED_ERROR: f(2.4, 25, 2.4, 2.4),
  TEMP: f(5, 6, 7, 8),
  TEMP_QC: '1211',
  TEMP_ADJUSTED: f(15, 16, 17, 18),
  TEMP_ADJUSTED_QC: '1111',
  PSAL: f(35, NaN, 35.2, 35.3),
  PSAL_QC: '4111',
  PSAL_ADJUSTED: f(34, 34.1, 34.2, 34.3),
  PSAL_ADJUSTED_QC: '1141',
});

test('standard: raw values for R, adjusted for A/D; flags 1,2; a bad pressure hides the level', () => {
  const r = usableLevels({ levels: sample, mode: 'standard', dataMode: 'R' });
  assert.deepEqual(arr(r.pressure), [0, 10, NaN, 30]);
  assert.deepEqual(arr(r.TEMP), [5, 6, NaN, 8]);
  // A bad salinity does not remove the level's good temperature (and vice versa).
  assert.deepEqual(arr(r.PSAL), [NaN, NaN, NaN, 35.3]);
  const d = usableLevels({ levels: sample, mode: 'standard', dataMode: 'D' });
  assert.deepEqual(arr(d.pressure), [1, 11, 21, NaN]);
  assert.deepEqual(arr(d.TEMP), [15, 16, 17, NaN]);
  assert.deepEqual(arr(d.PSAL), [34, 34.1, NaN, NaN]);
  assert.deepEqual(arr(usableLevels({ levels: sample, mode: 'standard', dataMode: 'A' }).TEMP), [15, 16, 17, NaN]);
});

test('research: adjusted values, flag 1 only, PRES_ADJUSTED_ERROR < 20', () => {
  const u = usableLevels({ levels: sample, mode: 'research', dataMode: 'D' });
  assert.deepEqual(arr(u.pressure), [1, NaN, NaN, NaN]);
  assert.deepEqual(arr(u.TEMP), [15, NaN, NaN, NaN]);
  const noError = usableLevels({ levels: { ...sample, PRES_ADJUSTED_ERROR: null }, mode: 'research', dataMode: 'D' });
  assert.deepEqual(arr(noError.pressure), [NaN, NaN, NaN, NaN]);
});

test('expert: raw values as stored, no QC filtering, fill (NaN) stays NaN', () => {
  const u = usableLevels({ levels: sample, mode: 'expert', dataMode: 'D' });
  assert.deepEqual(arr(u.pressure), [0, 10, 20, 30]);
  assert.deepEqual(arr(u.TEMP), [5, 6, 7, 8]);
  assert.deepEqual(arr(u.PSAL), [35, NaN, 35.2, 35.3]);
});

test('a variable the file lacks is null; missing QC means not usable (except expert)', () => {
  const noPsal = levels({ nLevels: 2, PRES: f(0, 10), PRES_QC: '11', TEMP: f(1, 2), TEMP_QC: null });
  const u = usableLevels({ levels: noPsal, mode: 'standard', dataMode: 'R' });
  assert.equal(u.PSAL, null);
  assert.deepEqual(arr(u.TEMP), [NaN, NaN]);
  assert.deepEqual(arr(usableLevels({ levels: noPsal, mode: 'expert', dataMode: 'R' }).TEMP), [1, 2]);
});
