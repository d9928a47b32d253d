import assert from 'node:assert/strict';
import { test } from 'node:test';
import { levelVariablesToRead } from '../../src/query/variables.js';

test('standard on D or A files: the adjusted values and their flags', () => {
  for (const dataMode of ['D', 'A']) {
    assert.deepEqual(levelVariablesToRead({ mode: 'standard', dataMode, variables: ['TEMP', 'PSAL'] }), [
      'PRES_ADJUSTED', 'PRES_ADJUSTED_QC', 'TEMP_ADJUSTED', 'TEMP_ADJUSTED_QC', 'PSAL_ADJUSTED', 'PSAL_ADJUSTED_QC',
    ]);
  }
});

test('standard on R files: the raw values and their flags', () => {
  assert.deepEqual(levelVariablesToRead({ mode: 'standard', dataMode: 'R', variables: ['TEMP'] }), ['PRES', 'PRES_QC', 'TEMP', 'TEMP_QC']);
});

test('research also needs the pressure error', () => {
  assert.deepEqual(levelVariablesToRead({ mode: 'research', dataMode: 'D', variables: ['PSAL'] }), [
    'PRES_ADJUSTED', 'PRES_ADJUSTED_QC', 'PRES_ADJUSTED_ERROR', 'PSAL_ADJUSTED', 'PSAL_ADJUSTED_QC',
  ]);
});

test('expert reads raw values only, no flags', () => {
  assert.deepEqual(levelVariablesToRead({ mode: 'expert', dataMode: 'D', variables: ['PRES', 'TEMP', 'PSAL'] }), ['PRES', 'TEMP', 'PSAL']);
});

test('PRES alone needs only pressure', () => {
  assert.deepEqual(levelVariablesToRead({ mode: 'standard', dataMode: 'R', variables: ['PRES'] }), ['PRES', 'PRES_QC']);
});
