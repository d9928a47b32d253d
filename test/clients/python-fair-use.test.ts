/**
 * The Python client against the live service's fair-use answers: its `api_key` is the key the
 * service counts (`X-API-Key`), it reads the real 429's `Retry-After`, and a 413 (request cost)
 * reaches the caller with its detail, unretried. (Waiting out a Retry-After is the client's own
 * tests' business, against a fake: the service's minute is too long for a test.)
 * Skips with a message when python3 is missing; needs nothing from ../shared.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from '../helpers/build.js';
import { demoGdacDir, serveGdac } from '../kit/served-gdac.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const hasPython = spawnSync('python3', ['--version']).status === 0;

const SCRIPT = `
import json, sys
from argoprofiles import Client
from argoprofiles.errors import ArgoHTTPError, ArgoRateLimitError

base = sys.argv[1]
out = {}

def months_until_refused(client, tries):
    for i in range(tries):
        try:
            client.months()
        except ArgoRateLimitError as e:
            return {"served": i, "status": e.status, "retry_after": e.retry_after, "retries": e.retries, "detail": e.detail}
    return {"served": tries}

# max_retry_wait=0: a Retry-After is never waited out here, so the error carries what the server asked.
out["keyed"] = months_until_refused(Client(base, api_key="py-client-key-1", max_retries=1, max_retry_wait=0), 6)
out["anonymous"] = months_until_refused(Client(base, max_retries=1, max_retry_wait=0), 6)
try:
    Client(base, api_key="py-client-key-2", max_retries=0).profiles("2024-01-01", "2024-02-01", depth=[0, 10, 20], max_profiles=10)
    out["costly"] = "served"
except ArgoRateLimitError as e:
    out["costly"] = {"class": "ArgoRateLimitError", "status": e.status}
except ArgoHTTPError as e:
    out["costly"] = {"class": type(e).__name__, "status": e.status, "detail": e.detail, "retries": e.retries}
print(json.dumps(out))
`;

test('the Python client sends its key as X-API-Key, reads Retry-After from a 429, and surfaces a 413', { skip: hasPython ? false : 'python3 not installed', timeout: 120_000 }, async (t) => {
  const months = ['2024-01'];
  const served = await serveGdac(t, { root: await demoGdacDir(t, { months, profilesPerMonth: 20 }), months });
  const app = await build(t, {
    env: { ...served.env, ARGO_RATE_LIMIT: '2', ARGO_API_KEYS: 'py-client-key-1:4,py-client-key-2:0', ARGO_MAX_REQUEST_COST: '50' },
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  // Asynchronous: the service answers from this same process.
  const { stdout } = await promisify(execFile)('python3', ['-c', SCRIPT, base], {
    cwd: repoRoot,
    env: { ...process.env, PYTHONPATH: join(repoRoot, 'clients/python/src') },
    timeout: 60_000,
  });
  const out = JSON.parse(stdout.trim().split('\n').pop()!);

  // The key's limit (4), not the address's (2): the service saw the key.
  assert.equal(out.keyed.served, 4);
  assert.equal(out.keyed.status, 429);
  assert.ok(out.keyed.retry_after >= 1 && out.keyed.retry_after <= 60, `retry_after ${out.keyed.retry_after}`);
  assert.equal(out.keyed.retries, 0, 'a Retry-After above max_retry_wait is raised at once');
  assert.match(out.keyed.detail, /this API key may make 4 requests per minute/);
  // The same machine without the key: its address's own count.
  assert.equal(out.anonymous.served, 2);
  assert.match(out.anonymous.detail, /this address may make 2 requests per minute/);

  // 10 profiles × 3 levels × 2 variables = 60 > 50, with an unlimited key: the refusal is the cost.
  assert.equal(out.costly.class, 'ArgoHTTPError');
  assert.equal(out.costly.status, 413);
  assert.equal(out.costly.retries, 0);
  assert.match(out.costly.detail, /^This request would return about 60 level values \(10 profiles × 3 levels × 2 variables\)/);
});
