/**
 * The error examples of the OpenAPI document are what the server answers: each is reproduced
 * with a real request (app.inject) and compared member by member (the request id aside).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateOpenapiDocument } from '../src/http/openapi-document.js';
import { build } from './helpers/build.js';
import { tempDir } from './month-index/helpers.js';

type Json = Record<string, any>;

const TOKEN = 'examples-token';
const JOB_ID = '5d0c3c8e-6a8e-4c7e-9a4b-0d3c7f9f2b11';

interface Case {
  path: string;
  method: 'get' | 'post';
  status: number;
  request: { url: string; method?: 'GET' | 'POST'; payload?: string | object; headers?: Record<string, string> };
  /** An app without an admin token (the 403). */
  noToken?: boolean;
}

const auth = { authorization: `Bearer ${TOKEN}` };

const CASES: Case[] = [
  { path: '/v1/months/{month}', method: 'get', status: 400, request: { url: '/v1/months/2024-1' } },
  { path: '/v1/months/{month}', method: 'get', status: 404, request: { url: '/v1/months/2023-04' } },
  { path: '/v1/profiles', method: 'get', status: 400, request: { url: '/v1/profiles?start=2024-02-01&end=2024-02' } },
  { path: '/admin/builds', method: 'post', status: 400, request: { url: '/admin/builds', method: 'POST', payload: { start: '1990-01', end: '2024-01' }, headers: auth } },
  { path: '/admin/builds', method: 'post', status: 401, request: { url: '/admin/builds', method: 'POST', payload: { months: ['2024-01'] } } },
  { path: '/admin/builds', method: 'post', status: 403, request: { url: '/admin/builds', method: 'POST', payload: { months: ['2024-01'] } }, noToken: true },
  {
    path: '/admin/builds',
    method: 'post',
    status: 413,
    request: { url: '/admin/builds', method: 'POST', payload: JSON.stringify({ months: Array(20_000).fill('2024-01') }), headers: { ...auth, 'content-type': 'application/json' } },
  },
  { path: '/admin/builds', method: 'post', status: 415, request: { url: '/admin/builds', method: 'POST', payload: '<months>2024-01</months>', headers: { ...auth, 'content-type': 'application/xml' } } },
  { path: '/admin/builds/{id}', method: 'get', status: 400, request: { url: '/admin/builds/42', headers: auth } },
  { path: '/admin/builds/{id}', method: 'get', status: 404, request: { url: `/admin/builds/${JOB_ID}`, headers: auth } },
];

test('each error example of the OpenAPI document is the answer to a real request', async (t) => {
  const doc = (await generateOpenapiDocument()) as Json;
  const store = await tempDir(t, 'examples-');
  const app = await build(t, { env: { ARGO_INDEX_STORE: store, ARGO_ADMIN_TOKEN: TOKEN }, now: () => new Date('2024-02-15T00:00:00Z') });
  const closed = await build(t, { env: { ARGO_INDEX_STORE: store } });
  for (const c of CASES) {
    const where = `${c.method.toUpperCase()} ${c.path} ${c.status}`;
    const example = doc.paths[c.path][c.method].responses[String(c.status)].content['application/problem+json'].example;
    const res = await (c.noToken ? closed : app).inject({ method: c.request.method ?? 'GET', url: c.request.url, payload: c.request.payload, headers: c.request.headers });
    assert.equal(res.statusCode, c.status, `${where}: ${res.body}`);
    assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8', where);
    const { request_id, ...body } = res.json();
    const { request_id: exampleId, ...expected } = example;
    assert.equal(typeof request_id, 'string');
    assert.equal(typeof exampleId, 'string');
    assert.deepEqual(body, expected, where);
  }
});
