/** BGC rules: parameter classes, the QC modes table, which rows a mode reads, profile inclusion. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BGC_QC_RULES,
  bgcLevelVariablesToRead,
  bgcProfileInclusion,
  isParameterName,
  parameterClass,
  parameterDataMode,
  parameterSource,
  type BgcInclusionMeta,
} from '../../src/argo/bgc/index.js';

test('parameter classes as argopy groups them', () => {
  for (const name of ['PRES', 'TEMP', 'PSAL']) assert.equal(parameterClass(name), 'core');
  for (const name of ['DOWN_IRRADIANCE380', 'DOWN_IRRADIANCE490', 'UP_RADIANCE555', 'DOWNWELLING_PAR', 'BBP700', 'BBP532']) {
    assert.equal(parameterClass(name), 'radiometry', name);
  }
  assert.equal(parameterClass('CDOM'), 'cdom');
  for (const name of ['DOXY', 'CHLA', 'NITRATE', 'PH_IN_SITU_TOTAL', 'CP660', 'TURBIDITY', 'DOXY2', 'PRES_MED']) {
    assert.equal(parameterClass(name), 'other', name);
  }
});

test('the QC modes table of SEMANTICS-BGC.md', () => {
  assert.deepEqual(BGC_QC_RULES.standard, {
    core: { dataModes: 'RAD', flags: '12' },
    radiometry: { dataModes: 'RAD', flags: '1258' },
    cdom: null,
    other: { dataModes: 'AD', flags: '1258' },
  });
  assert.deepEqual(BGC_QC_RULES.research, {
    core: { dataModes: 'D', flags: '1' },
    radiometry: { dataModes: 'D', flags: '158' },
    cdom: null,
    other: { dataModes: 'D', flags: '158' },
  });
  for (const cls of ['core', 'radiometry', 'cdom', 'other'] as const) {
    assert.deepEqual(BGC_QC_RULES.expert[cls], { dataModes: null, flags: null }, `expert ${cls}: raw values, no QC`);
  }
  assert.ok(Object.isFrozen(BGC_QC_RULES) && Object.isFrozen(BGC_QC_RULES.standard) && Object.isFrozen(BGC_QC_RULES.standard.core));
});

test('the rows a mode reads follow each parameter’s own data mode', () => {
  const parameters = { PRES: 'D', TEMP: 'A', DOXY: 'R', CHLA: 'A', BBP700: 'R', CDOM: 'D', NITRATE: 'D' };
  assert.deepEqual(parameterSource('standard', parameters, 'TEMP'), { values: 'TEMP_ADJUSTED', flags: 'TEMP_ADJUSTED_QC', allowed: '12' });
  assert.deepEqual(parameterSource('standard', parameters, 'BBP700'), { values: 'BBP700', flags: 'BBP700_QC', allowed: '1258' });
  assert.equal(parameterSource('standard', parameters, 'DOXY'), null, 'other BGC in R: null in standard');
  assert.deepEqual(parameterSource('standard', parameters, 'CHLA'), { values: 'CHLA_ADJUSTED', flags: 'CHLA_ADJUSTED_QC', allowed: '1258' });
  assert.equal(parameterSource('standard', parameters, 'CDOM'), null, 'CDOM: never in standard');
  assert.equal(parameterSource('research', parameters, 'CDOM'), null, 'CDOM: never in research');
  assert.equal(parameterSource('research', parameters, 'CHLA'), null, 'research: D only');
  assert.equal(parameterSource('research', parameters, 'TEMP'), null, 'research: core in A is not used either');
  assert.deepEqual(parameterSource('research', parameters, 'NITRATE'), { values: 'NITRATE_ADJUSTED', flags: 'NITRATE_ADJUSTED_QC', allowed: '158' });
  assert.deepEqual(parameterSource('expert', parameters, 'CDOM'), { values: 'CDOM', flags: null, allowed: null });
  assert.deepEqual(parameterSource('expert', parameters, 'DOXY'), { values: 'DOXY', flags: null, allowed: null });
  assert.equal(parameterSource('expert', parameters, 'PH_IN_SITU_TOTAL'), null, 'a parameter the profile lacks');
  // Parameter names are looked up as own keys only.
  assert.equal(parameterDataMode(parameters, 'toString'), undefined);
  assert.equal(parameterSource('expert', parameters, 'constructor'), null);

  const variables = ['PRES', 'TEMP', 'DOXY', 'CHLA', 'BBP700', 'CDOM', 'NITRATE', 'PH_IN_SITU_TOTAL'];
  assert.deepEqual(bgcLevelVariablesToRead({ mode: 'standard', parameters, variables }), [
    'PRES_ADJUSTED',
    'PRES_ADJUSTED_QC',
    'TEMP_ADJUSTED',
    'TEMP_ADJUSTED_QC',
    'CHLA_ADJUSTED',
    'CHLA_ADJUSTED_QC',
    'BBP700',
    'BBP700_QC',
    'NITRATE_ADJUSTED',
    'NITRATE_ADJUSTED_QC',
  ]);
  assert.deepEqual(bgcLevelVariablesToRead({ mode: 'research', parameters, variables }), [
    'PRES_ADJUSTED',
    'PRES_ADJUSTED_QC',
    'PRES_ADJUSTED_ERROR',
    'NITRATE_ADJUSTED',
    'NITRATE_ADJUSTED_QC',
  ]);
  assert.deepEqual(bgcLevelVariablesToRead({ mode: 'expert', parameters, variables: ['DOXY', 'CDOM'] }), ['PRES', 'DOXY', 'CDOM']);
  // Pressure is read even when not asked for; a name twice is read once.
  assert.deepEqual(bgcLevelVariablesToRead({ mode: 'expert', parameters, variables: ['DOXY', 'DOXY'] }), ['PRES', 'DOXY']);
});

test('parameter names are Argo names', () => {
  for (const ok of ['PRES', 'DOXY', 'BBP700', 'PH_IN_SITU_TOTAL', 'DOWN_IRRADIANCE490']) assert.ok(isParameterName(ok), ok);
  for (const bad of ['', 'doxy', '__proto__', 'DOXY QC', '1DOXY', 'DOXY-2']) assert.ok(!isParameterName(bad), bad);
});

test('profile inclusion: the core rules with PRES’s data mode, in the reference wording', () => {
  const good: BgcInclusionMeta = { parameters: { PRES: 'D', DOXY: 'R' }, positionQc: '1', juldQc: '1', timeMs: 0, latitude: 10, longitude: 20 };
  for (const mode of ['standard', 'research', 'expert'] as const) assert.deepEqual(bgcProfileInclusion(good, mode), { included: true });
  const realtime = { ...good, parameters: { PRES: 'R', DOXY: 'D' } };
  assert.deepEqual(bgcProfileInclusion(realtime, 'research'), { included: false, reason: 'PRES data mode is not D' });
  assert.deepEqual(bgcProfileInclusion(realtime, 'standard'), { included: true });
  assert.deepEqual(bgcProfileInclusion({ ...good, parameters: { PRES: 'A' } }, 'research').reason, 'PRES data mode is not D');
  assert.deepEqual(bgcProfileInclusion({ ...good, parameters: {} }, 'research').reason, 'PRES data mode is not D');
  assert.deepEqual(bgcProfileInclusion({ ...good, positionQc: '2' }, 'standard'), { included: true });
  assert.deepEqual(bgcProfileInclusion({ ...good, positionQc: '2' }, 'research'), { included: false, reason: 'position or time QC not good' });
  assert.deepEqual(bgcProfileInclusion({ ...good, juldQc: '4' }, 'standard'), { included: false, reason: 'position or time QC not good' });
  assert.deepEqual(bgcProfileInclusion({ ...good, juldQc: '4' }, 'expert'), { included: true });
  assert.deepEqual(bgcProfileInclusion({ ...good, latitude: null, longitude: null }, 'expert'), { included: false, reason: 'no valid position' });
  for (const mode of ['standard', 'research', 'expert'] as const) {
    assert.deepEqual(bgcProfileInclusion({ ...good, timeMs: null }, mode), { included: false, reason: 'no valid time' });
  }
});
