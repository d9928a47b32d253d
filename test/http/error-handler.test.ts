import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError, RequestTooCostlyError, UpstreamError, ValidationError } from '../../src/errors.js';
import errorHandler from '../../src/http/plugins/app/error-handler.js';

async function app(t: import('node:test').TestContext) {
  const app = Fastify({ logger: false }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(errorHandler);
  app.get(
    '/strict',
    { schema: { querystring: z.object({ n: z.coerce.number().int().min(1), when: z.iso.date().optional() }).strict() } },
    async (req) => ({ n: req.query.n }),
  );
  app.post('/body', { schema: { body: z.object({ months: z.array(z.string().regex(/^\d{4}-\d{2}$/)) }) } }, async () => ({}));
  app.get('/upstream', async () => {
    throw new UpstreamError({ message: 'mirror https://x/ answered 503 for dac/a.nc', context: { path: 'dac/a.nc' } });
  });
  app.get('/missing', async () => {
    throw new NotFoundError({ message: 'month 2023-04 is not built' });
  });
  app.get('/ceiling', async () => {
    throw new ValidationError({ message: 'too many levels', issues: [{ parameter: 'depth', message: '2000 levels; the limit is 1000' }] });
  });
  app.get('/costly', async () => {
    throw new RequestTooCostlyError({ message: 'split it', problemMembers: { cost: { values: 9, limit: 4 }, status: 200, detail: 'x' } });
  });
  app.get('/upstream-members', async () => {
    throw new UpstreamError({ message: 'mirror failed', problemMembers: { mirror: 'https://internal.example/' } });
  });
  app.get('/bug', async () => {
    throw new TypeError('cannot read properties of undefined (secret detail)');
  });
  t.after(() => app.close());
  return app;
}

test('schema failures are 400 problem+json naming each parameter', async (t) => {
  const a = await app(t);
  const res = await a.inject('/strict?n=0&when=yesterday&extra=1&other=2');
  assert.equal(res.statusCode, 400);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const body = res.json();
  assert.equal(body.title, 'Bad Request');
  const names = body.errors.map((e: { parameter: string }) => e.parameter).sort();
  assert.deepEqual(names, ['extra', 'n', 'other', 'when']);
  assert.ok(body.errors.find((e: { parameter: string; message: string }) => e.parameter === 'extra').message.includes('unknown'));
  assert.match(body.detail, /n: /);
});

test('nested body paths are named with dots', async (t) => {
  const a = await app(t);
  const res = await a.inject({ method: 'POST', url: '/body', payload: { months: ['2023-04', 'April'] } });
  assert.equal(res.statusCode, 400);
  assert.deepEqual(res.json().errors.map((e: { parameter: string }) => e.parameter), ['months.1']);
});

test('malformed JSON bodies are a 400 problem, not a 500', async (t) => {
  const a = await app(t);
  const res = await a.inject({ method: 'POST', url: '/body', payload: '{"months":', headers: { 'content-type': 'application/json' } });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().status, 400);
});

test('tagged errors map to their status; 4xx messages are shown', async (t) => {
  const a = await app(t);
  const missing = await a.inject('/missing');
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().detail, 'month 2023-04 is not built');
  const ceiling = await a.inject('/ceiling');
  assert.equal(ceiling.statusCode, 400);
  assert.deepEqual(ceiling.json().errors, [{ parameter: 'depth', message: '2000 levels; the limit is 1000' }]);
});

test('5xx bodies are generic: no upstream URLs, paths or stack details reach the client', async (t) => {
  const a = await app(t);
  const upstream = await a.inject('/upstream');
  assert.equal(upstream.statusCode, 502);
  assert.doesNotMatch(upstream.body, /mirror|dac\/a\.nc|https/);
  const bug = await a.inject('/bug');
  assert.equal(bug.statusCode, 500);
  assert.equal(bug.json().detail, 'Internal server error.');
  assert.doesNotMatch(bug.body, /secret/);
});

test('problem extension members reach the caller on a 4xx, never replace a standard member, and stay out of a 5xx', async (t) => {
  const a = await app(t);
  const costly = await a.inject('/costly');
  assert.equal(costly.statusCode, 413);
  const body = costly.json();
  assert.deepEqual(body.cost, { values: 9, limit: 4 });
  assert.equal(body.status, 413);
  assert.equal(body.detail, 'split it');
  assert.equal(body.title, 'Content Too Large');
  const upstream = await a.inject('/upstream-members');
  assert.equal(upstream.statusCode, 502);
  assert.equal(upstream.json().mirror, undefined);
});
