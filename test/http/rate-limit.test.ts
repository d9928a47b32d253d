/**
 * Fair use: per-client rate limits on the query routes (/v1/...), through the whole app
 * (`app.inject`), over an empty index store (the answers need no GDAC). Clients are told apart
 * by API key, or by address: `remoteAddress` sets the peer, and X-Forwarded-For counts only from
 * the proxies ARGO_TRUST_PROXY names.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { build } from '../helpers/build.js';
import { tempDir } from '../month-index/helpers.js';

async function appWith(t: TestContext, env: Record<string, string>): Promise<FastifyInstance> {
  const gdac = await tempDir(t, 'rate-gdac-');
  const store = await tempDir(t, 'rate-store-');
  return build(t, { env: { ARGO_GDAC: gdac, ARGO_INDEX_STORE: store, ...env } });
}

const PROFILES = '/v1/profiles?start=2024-01-01&end=2024-01-02&depth=0,10';

function get(app: FastifyInstance, url: string, headers: Record<string, string> = {}, remoteAddress?: string) {
  return app.inject({ method: 'GET', url, headers, ...(remoteAddress ? { remoteAddress } : {}) });
}

function limitHeaders(res: LightMyRequestResponse) {
  return {
    limit: res.headers['ratelimit-limit'],
    remaining: res.headers['ratelimit-remaining'],
  };
}

/** Checks a 429 in full and returns its Retry-After (seconds). */
function assertTooMany(res: LightMyRequestResponse, { limit, who, path }: { limit: number; who: string; path: string }): number {
  assert.equal(res.statusCode, 429, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const retryAfter = Number(res.headers['retry-after']);
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${res.headers['retry-after']}`);
  assert.equal(res.headers['ratelimit-limit'], String(limit));
  assert.equal(res.headers['ratelimit-remaining'], '0');
  assert.equal(res.headers['ratelimit-reset'], String(retryAfter));
  const body = res.json();
  assert.equal(body.type, 'about:blank');
  assert.equal(body.title, 'Too Many Requests');
  assert.equal(body.status, 429);
  assert.equal(body.instance, path);
  assert.equal(body.request_id, res.headers['x-request-id']);
  assert.ok(body.detail.includes(`${who} may make ${limit} requests per minute`), body.detail);
  assert.ok(body.detail.includes(`retry in ${retryAfter} s`), body.detail);
  return retryAfter;
}

test('a burst from one address gets 429 with Retry-After and RateLimit-* while another address is still served', async (t) => {
  // inject's peer is 127.0.0.1: the trusted proxy, so X-Forwarded-For names the client.
  const app = await appWith(t, { ARGO_RATE_LIMIT: '3', ARGO_TRUST_PROXY: '127.0.0.1' });
  const busy = { 'x-forwarded-for': '203.0.113.7' };
  for (let i = 0; i < 3; i++) {
    const res = await get(app, '/v1/months', busy);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(limitHeaders(res), { limit: '3', remaining: String(2 - i) });
    const reset = Number(res.headers['ratelimit-reset']);
    assert.ok(reset >= 1 && reset <= 60, `RateLimit-Reset ${reset}`);
    assert.equal(res.headers['retry-after'], undefined, 'Retry-After only once limited');
  }
  assertTooMany(await get(app, '/v1/months', busy), { limit: 3, who: 'this address', path: '/v1/months' });
  // One count over every query route: /v1/profiles and its HEAD are refused too.
  assertTooMany(await get(app, PROFILES, busy), { limit: 3, who: 'this address', path: '/v1/profiles' });
  const head = await app.inject({ method: 'HEAD', url: '/v1/months', headers: busy });
  assert.equal(head.statusCode, 429);

  const other = await get(app, PROFILES, { 'x-forwarded-for': '198.51.100.9' });
  assert.equal(other.statusCode, 200, other.body);
  assert.deepEqual(limitHeaders(other), { limit: '3', remaining: '2' });
  assert.equal(other.headers['x-argo-months-missing'], '2024-01');

  // The first proxy's view of the chain: the client is the address before the trusted proxy.
  const chained = await get(app, '/v1/months', { 'x-forwarded-for': '192.0.2.1, 203.0.113.7' });
  assert.equal(chained.statusCode, 429, 'the hop next to the trusted proxy is the client');
});

test('without ARGO_TRUST_PROXY, X-Forwarded-For is not believed: a client cannot pose as others', async (t) => {
  const app = await appWith(t, { ARGO_RATE_LIMIT: '2' });
  assert.equal((await get(app, '/v1/months', { 'x-forwarded-for': '198.51.100.1' })).statusCode, 200);
  assert.equal((await get(app, '/v1/months', { 'x-forwarded-for': '198.51.100.2' })).statusCode, 200);
  assertTooMany(await get(app, '/v1/months', { 'x-forwarded-for': '198.51.100.3' }), { limit: 2, who: 'this address', path: '/v1/months' });
  // Another peer address is another client.
  assert.equal((await get(app, '/v1/months', {}, '192.0.2.44')).statusCode, 200);
});

test('IPv6 clients count per /64: one host cannot take a new budget with each of its addresses', async (t) => {
  const app = await appWith(t, { ARGO_RATE_LIMIT: '2' });
  assert.equal((await get(app, '/v1/months', {}, '2001:db8:1:2::1')).statusCode, 200);
  assert.equal((await get(app, '/v1/months', {}, '2001:db8:1:2::ffff')).statusCode, 200);
  assert.equal((await get(app, '/v1/months', {}, '2001:db8:1:2:abcd::9')).statusCode, 429);
  const neighbour = await get(app, '/v1/months', {}, '2001:db8:1:3::1');
  assert.equal(neighbour.statusCode, 200);
  assert.equal(neighbour.headers['ratelimit-remaining'], '1');
});

test('API keys: each known key has its own count and limit; 0 is unlimited; an unknown key is a 401', async (t) => {
  const alpha = 'alpha-7f3c9a1e55d0';
  const unlimited = 'internal-dashboards-42';
  const app = await appWith(t, { ARGO_RATE_LIMIT: '2', ARGO_API_KEYS: `${alpha}:4, ${unlimited}:0` });

  // An unknown key is refused, not counted, and not echoed.
  for (const key of ['not-a-key', `${alpha}x`, `${alpha}, ${unlimited}`]) {
    const res = await get(app, '/v1/months', { 'x-api-key': key });
    assert.equal(res.statusCode, 401, key);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.equal(res.headers['ratelimit-limit'], undefined);
    const body = res.json();
    assert.equal(body.status, 401);
    assert.match(body.detail, /^Unknown API key: the X-API-Key header names no key this service knows/);
    assert.ok(!res.body.includes(key.split(',')[0]), 'the key sent is not repeated back');
  }

  for (let i = 0; i < 4; i++) {
    const res = await get(app, '/v1/months', { 'x-api-key': alpha });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(limitHeaders(res), { limit: '4', remaining: String(3 - i) });
  }
  assertTooMany(await get(app, PROFILES, { 'x-api-key': alpha }), { limit: 4, who: 'this API key', path: '/v1/profiles' });

  // The same address without the key is another client, with the anonymous limit (the 401s above did not count).
  const anonymous = await get(app, '/v1/months');
  assert.equal(anonymous.statusCode, 200);
  assert.deepEqual(limitHeaders(anonymous), { limit: '2', remaining: '1' });
  // An empty header is no key.
  assert.deepEqual(limitHeaders(await get(app, '/v1/months', { 'x-api-key': ' ' })), { limit: '2', remaining: '0' });
  const refused = await get(app, '/v1/months');
  assertTooMany(refused, { limit: 2, who: 'this address', path: '/v1/months' });
  assert.ok(refused.json().detail.endsWith('An API key (X-API-Key) has a limit of its own.'));

  for (let i = 0; i < 12; i++) {
    const res = await get(app, '/v1/months', { 'x-api-key': unlimited });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['ratelimit-limit'], undefined, 'an unlimited key has no limit to report');
  }
});

test('health, readiness, metrics, docs, pages and admin are never limited', async (t) => {
  const app = await appWith(t, { ARGO_RATE_LIMIT: '1', ARGO_ADMIN_TOKEN: 'admin-token-for-tests' });
  const admin = { authorization: 'Bearer admin-token-for-tests' };
  const exempt: [string, Record<string, string>, number][] = [
    ['/healthz', {}, 200],
    ['/readyz', {}, 200],
    ['/metrics', {}, 200],
    ['/openapi.json', {}, 200],
    ['/docs/', {}, 200],
    ['/', {}, 200],
    ['/explore', {}, 200],
    ['/admin/builds/5d0c3c8e-6a8e-4c7e-9a4b-0d3c7f9f2b11', admin, 404],
    ['/admin/builds/5d0c3c8e-6a8e-4c7e-9a4b-0d3c7f9f2b11', {}, 401],
    // An unknown key matters only where limits apply.
    ['/healthz', { 'x-api-key': 'not-a-key' }, 200],
  ];
  for (const [url, headers, status] of exempt) {
    for (let i = 0; i < 4; i++) {
      const res = await get(app, url, headers);
      assert.equal(res.statusCode, status, `${url} #${i + 1}: ${res.statusCode}`);
      assert.equal(res.headers['ratelimit-limit'], undefined, `${url} carries no rate limit`);
    }
  }
  // The limit was on all along.
  assert.equal((await get(app, '/v1/months')).statusCode, 200);
  assert.equal((await get(app, '/v1/months')).statusCode, 429);
  assert.equal((await get(app, '/healthz')).statusCode, 200);
});

test('ARGO_RATE_LIMIT=0 (the default) turns rate limiting off, API keys and all', async (t) => {
  const envs: Record<string, string>[] = [{}, { ARGO_RATE_LIMIT: '0', ARGO_API_KEYS: 'some-key-123:1' }];
  for (const env of envs) {
    const app = await appWith(t, env);
    for (let i = 0; i < 25; i++) {
      const res = await get(app, i % 2 ? PROFILES : '/v1/months', i % 3 === 0 ? { 'x-api-key': 'not-a-key' } : {});
      assert.equal(res.statusCode, 200, `${JSON.stringify(env)} request ${i + 1}: ${res.body}`);
      assert.equal(res.headers['ratelimit-limit'], undefined);
    }
  }
});

test('CORS: pages may send X-API-Key and read the rate-limit headers', async (t) => {
  const app = await appWith(t, { ARGO_RATE_LIMIT: '1' });
  const origin = 'https://dashboard.example.org';
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/v1/profiles',
    headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-api-key' },
  });
  assert.equal(preflight.statusCode, 204);
  assert.ok(String(preflight.headers['access-control-allow-headers']).split(',').map((h) => h.trim()).includes('X-API-Key'));

  assert.equal((await get(app, '/v1/months', { origin })).statusCode, 200);
  const limited = await get(app, '/v1/months', { origin });
  assert.equal(limited.statusCode, 429);
  assert.equal(limited.headers['access-control-allow-origin'], '*');
  const exposed = String(limited.headers['access-control-expose-headers']).split(',').map((h) => h.trim());
  for (const name of ['Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']) {
    assert.ok(exposed.includes(name), `${name} is exposed (${exposed.join(', ')})`);
  }
});
