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
