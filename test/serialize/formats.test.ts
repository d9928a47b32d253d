import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONTENT_TYPES, selectFormat } from '../../src/serialize/index.js';

test('the format parameter wins over Accept', () => {
  assert.equal(selectFormat('csv', 'application/json'), 'csv');
  assert.equal(selectFormat('ndjson', 'text/csv'), 'ndjson');
});

test('Accept selects a format by media type, honouring q-values', () => {
  assert.equal(selectFormat(undefined, 'application/json'), 'json');
  assert.equal(selectFormat(undefined, 'text/csv'), 'csv');
  assert.equal(selectFormat(undefined, 'application/x-ndjson'), 'ndjson');
  assert.equal(selectFormat(undefined, 'text/csv;q=0.5, application/json;q=0.9'), 'json');
  assert.equal(selectFormat(undefined, 'application/json;q=0, text/csv'), 'csv');
  assert.equal(selectFormat(undefined, 'TEXT/CSV; charset=utf-8'), 'csv');
  assert.equal(selectFormat(undefined, 'application/json, text/csv'), 'json');
});

test('no Accept, */* or only unsupported types → ndjson', () => {
  assert.equal(selectFormat(undefined, undefined), 'ndjson');
  assert.equal(selectFormat(undefined, '*/*'), 'ndjson');
  assert.equal(selectFormat(undefined, 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'), 'ndjson');
});

test('content types', () => {
  assert.match(CONTENT_TYPES.ndjson, /^application\/x-ndjson/);
  assert.match(CONTENT_TYPES.json, /^application\/json/);
  assert.match(CONTENT_TYPES.csv, /^text\/csv/);
});
