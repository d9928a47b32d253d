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
        // A cursor only continues the page it came from: no example that could stand alone.
        if (p.name === 'cursor') continue;
        const hasExample = p.example !== undefined || p.examples !== undefined || p.schema?.example !== undefined || p.schema?.examples !== undefined;
        assert.ok(hasExample, `${where}: parameter ${p.name} has an example`);
      }
    }
  }
  for (const path of ['/v1/profiles', '/v1/months', '/v1/months/{month}', '/admin/builds', '/admin/builds/{id}', '/healthz', '/readyz', '/metrics']) {
    assert.ok(doc.paths[path], `${path} is documented`);
  }
});

type Json = Record<string, any>;

/** Every value under `key` anywhere in the document, with its JSON path. */
function* walk(value: unknown, path = '$'): Generator<[string, Json]> {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) yield* walk(v, `${path}[${i}]`);
  } else if (value && typeof value === 'object') {
    yield [path, value as Json];
    for (const [k, v] of Object.entries(value)) yield* walk(v, `${path}.${k}`);
  }
}

test('one component per type: no `…Input` twin, and every component is used', async () => {
  const doc = (await generateOpenapiDocument()) as Json;
  const names = Object.keys(doc.components.schemas);
  assert.deepEqual(names.filter((n) => n.endsWith('Input')), []);
  for (const required of ['Problem', 'Profile', 'StreamError', 'MonthSummary', 'MonthDetail', 'BuildRequest', 'BuildJob']) {
    assert.ok(names.includes(required), `${required} is a component`);
  }
  const text = JSON.stringify(doc);
  for (const name of names) assert.ok(text.includes(`"#/components/schemas/${name}"`), `${name} is referenced`);
  // The request body is the build request itself, not a wrapper around it.
  assert.deepEqual(doc.paths['/admin/builds'].post.requestBody.content['application/json'].schema, { $ref: '#/components/schemas/BuildRequest' });
});

test('every error response is application/problem+json, with an example of what the server sends', async () => {
  const doc = (await generateOpenapiDocument()) as Json;
  const { TITLE_BY_STATUS } = await import('../src/errors.js');
  let seen = 0;
  for (const [path, methods] of Object.entries(doc.paths as Json)) {
    for (const [method, op] of Object.entries(methods as Json)) {
      for (const [code, response] of Object.entries(op.responses as Json)) {
        const status = Number(code);
        if (status < 400) continue;
        // /readyz answers its own readiness document with a 503 (what probes read), not a problem.
        if (path === '/readyz') continue;
        const where = `${method.toUpperCase()} ${path} ${code}`;
        assert.deepEqual(Object.keys(response.content), ['application/problem+json'], where);
        const media = response.content['application/problem+json'];
        assert.deepEqual(media.schema, { $ref: '#/components/schemas/Problem' }, where);
        assert.equal(media.example.status, status, `${where}: the example's status`);
        assert.equal(media.example.title, TITLE_BY_STATUS[status], `${where}: the example's title`);
        assert.equal(media.example.type, 'about:blank', where);
        assert.ok(media.example.detail.length > 10, where);
        assert.ok(media.example.instance.startsWith('/'), where);
        if (status === 400) assert.ok(media.example.errors?.length > 0, `${where}: a 400 names the bad parameter`);
        seen++;
      }
    }
  }
  assert.ok(seen >= 24, `${seen} error responses checked`);
  for (const [path, method, codes] of [
    ['/v1/profiles', 'get', ['400', '401', '413', '429', '500', '502', '503', '504']],
    ['/v1/months', 'get', ['401', '429', '500', '503']],
    ['/v1/months/{month}', 'get', ['400', '401', '404', '429', '500', '503']],
    ['/admin/builds', 'post', ['400', '401', '403', '413', '415', '500', '503']],
    ['/admin/builds/{id}', 'get', ['400', '401', '403', '404', '500', '503']],
  ] as const) {
    assert.deepEqual(Object.keys(doc.paths[path][method].responses).filter((c) => Number(c) >= 400), codes, `${method} ${path}`);
  }
});

test('response headers are declared: the X-Argo-* facts and Link on /v1/profiles, Location on a queued build, Retry-After on 503', async () => {
  const doc = (await generateOpenapiDocument()) as Json;
  const headers = doc.paths['/v1/profiles'].get.responses['200'].headers;
  assert.deepEqual(Object.keys(headers), ['X-Argo-Profiles-Matched', 'X-Argo-Truncated', 'X-Argo-Months-Missing', 'Link']);
  for (const [name, header] of Object.entries(headers as Json)) assert.ok(header.description.length > 20, `${name} is described`);
  assert.deepEqual(headers['X-Argo-Profiles-Matched'].schema, { type: 'integer', minimum: 0, maximum: 2147483647, example: 2 });
  assert.deepEqual(headers['X-Argo-Truncated'].schema.enum, ['true', 'false']);
  assert.match(headers.Link.description, /rel="next"/);
  assert.equal(doc.paths['/admin/builds'].post.responses['202'].headers.Location.schema.type, 'string');
  assert.equal(doc.paths['/v1/profiles'].get.responses['503'].headers['Retry-After'].schema.type, 'integer');
});

test('integers have real bounds and examples are realistic', async () => {
  const doc = (await generateOpenapiDocument()) as Json;
  const text = JSON.stringify(doc);
  assert.ok(!text.includes('9007199254740991'), 'no ±(2^53 − 1) bound or example anywhere');
  let integers = 0;
  for (const [path, node] of walk(doc)) {
    if (node.type !== 'integer') continue;
    integers++;
    assert.ok(Number.isSafeInteger(node.minimum) && Number.isSafeInteger(node.maximum), `${path}: bounded (${node.minimum}..${node.maximum})`);
    assert.ok(node.minimum >= -(2 ** 31) && node.maximum < 2 ** 31, `${path}: a 32-bit range at most`);
  }
  assert.ok(integers > 20, `${integers} integer schemas checked`);
  // No `[0]`-style placeholder: every array a profile carries has a real example.
  const profile = doc.components.schemas.Profile;
  for (const name of ['depth', 'pressure', 'TEMP', 'PSAL', 'PRES']) {
    const example = profile.properties[name].example;
    assert.ok(Array.isArray(example) && example.length >= 3 && example.every((v: unknown) => typeof v === 'number'), `Profile.${name} example ${JSON.stringify(example)}`);
    assert.ok(new Set(example).size === example.length, `Profile.${name}: distinct values`);
  }
  assert.equal(profile.example.depth[0], 10, 'the profile example starts where data exists');
  assert.ok(profile.example.TEMP.every((v: unknown) => typeof v === 'number'), 'the profile example holds values, not nulls');
  for (const [path, node] of walk(doc)) {
    if (Array.isArray(node.example)) assert.notDeepEqual(node.example, [0], path);
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
