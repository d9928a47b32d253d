/**
 * The committed openapi/openapi.json is what the code generates, and every route is documented
 * (tags, operationId, description, examples for its parameters).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { formatOpenapiDocument, generateOpenapiDocument } from '../src/http/openapi-document.js';

type Operation = {
  tags?: string[];
  operationId?: string;
  description?: string;
  parameters?: Array<{ name: string; example?: unknown; schema?: { example?: unknown; examples?: unknown[] }; examples?: unknown }>;
};

test('openapi/openapi.json matches the code (run `npm run openapi` after changing a route)', async () => {
  const generated = formatOpenapiDocument(await generateOpenapiDocument());
  const committed = await readFile(new URL('../openapi/openapi.json', import.meta.url), 'utf8');
  assert.equal(committed, generated, 'openapi/openapi.json is out of date: run `npm run openapi` and commit it');
});

test('every operation has tags, an operationId, a description and examples for its parameters', async () => {
  const doc = (await generateOpenapiDocument()) as { paths: Record<string, Record<string, Operation>> };
  const ids = new Set<string>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const where = `${method.toUpperCase()} ${path}`;
      assert.ok(op.tags?.length, `${where} has tags`);
      assert.ok(op.operationId, `${where} has an operationId`);
      assert.ok(!ids.has(op.operationId), `${where}: operationId ${op.operationId} is unique`);
      ids.add(op.operationId);
      assert.ok(op.description && op.description.length > 20, `${where} has a description`);
      for (const p of op.parameters ?? []) {
        const hasExample = p.example !== undefined || p.examples !== undefined || p.schema?.example !== undefined || p.schema?.examples !== undefined;
        assert.ok(hasExample, `${where}: parameter ${p.name} has an example`);
      }
    }
  }
  for (const path of ['/v1/profiles', '/v1/months', '/v1/months/{month}', '/admin/builds', '/admin/builds/{id}', '/healthz', '/readyz', '/metrics']) {
    assert.ok(doc.paths[path], `${path} is documented`);
  }
});

test('the query routes document the fair-use answers; the other routes do not', async () => {
  type Response = { content?: Record<string, { schema?: unknown }>; headers?: Record<string, { schema?: { type?: string } }> };
  const doc = (await generateOpenapiDocument()) as {
    paths: Record<string, Record<string, { responses: Record<string, Response>; security?: unknown }>>;
    components: { securitySchemes: Record<string, unknown> };
  };
  assert.deepEqual(doc.components.securitySchemes.apiKey, {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: 'Optional: a key from ARGO_API_KEYS, whose own rate limit applies instead of the per-address one.',
  });
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!path.startsWith('/v1/')) {
        assert.equal(op.responses['429'], undefined, `${where} is never rate limited`);
        continue;
      }
      const tooMany = op.responses['429'];
      assert.ok(tooMany?.content?.['application/problem+json'], `${where}: 429 is problem+json`);
      assert.deepEqual(Object.keys(tooMany.headers ?? {}), ['Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']);
      for (const header of Object.values(tooMany.headers ?? {})) assert.equal(header.schema?.type, 'integer');
      assert.ok(op.responses['401']?.content?.['application/problem+json'], `${where}: 401 (unknown key) is problem+json`);
      assert.deepEqual(op.security, [{}, { apiKey: [] }], `${where}: the key is optional`);
    }
  }
  const profiles = doc.paths['/v1/profiles'].get.responses;
  assert.ok(profiles['413']?.content?.['application/problem+json'], '/v1/profiles: 413 (request cost) is problem+json');
});
