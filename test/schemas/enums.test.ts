/**
 * schemas/ imports nothing from src/, so it spells out the names the domain defines: the QC
 * modes, vertical coordinates, variables, output formats and their media types, and the build
 * statuses and phases. Each mirror must stay equal to the domain's list, in the same order (the
 * order shows in the OpenAPI document and in error messages).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUILD_PHASES as SCHEMA_BUILD_PHASES, BUILD_STATUSES as SCHEMA_BUILD_STATUSES } from '../../schemas/admin.js';
import {
  PROFILE_FORMATS,
  PROFILE_MEDIA_TYPES,
  PROFILE_MODES,
  PROFILE_VARIABLES,
  PROFILE_VERTICALS,
  profilesResponses,
} from '../../schemas/profiles.js';
import { ARGO_VARIABLES, QC_MODES, VERTICALS } from '../../src/argo/types.js';
import { BUILD_PHASES, BUILD_STATUSES } from '../../src/month-index/types.js';
import { MEDIA_TYPES, OUTPUT_FORMATS } from '../../src/serialize/index.js';

test('QC modes, vertical coordinates and variables', () => {
  assert.deepEqual(PROFILE_MODES, QC_MODES);
  assert.deepEqual(PROFILE_VERTICALS, VERTICALS);
  assert.deepEqual(PROFILE_VARIABLES, ARGO_VARIABLES);
});

test('output formats and their media types; the documented response has one content type per format', () => {
  assert.deepEqual(PROFILE_FORMATS, OUTPUT_FORMATS);
  assert.deepEqual({ ...PROFILE_MEDIA_TYPES }, { ...MEDIA_TYPES });
  assert.deepEqual(Object.keys(profilesResponses[200].content).sort(), Object.values(MEDIA_TYPES).sort());
});

test('build statuses and phases', () => {
  assert.deepEqual(SCHEMA_BUILD_STATUSES, BUILD_STATUSES);
  assert.deepEqual(SCHEMA_BUILD_PHASES, BUILD_PHASES);
});
