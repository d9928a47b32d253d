/**
 * The Python client against the live service: build the shared sample's months into a local
 * store, serve them on loopback, and run the client's whole test suite (its live tests compare
 * values with expected/reference.json, and its conversions with pandas and xarray).
 * Skips with a message when ../shared or python3 is missing.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadReference, referenceMonths } from '../kit/reference.js';
import { sharedSampleDir } from '../kit/shared-sample.js';
import { build } from '../helpers/build.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const sample = sharedSampleDir();
const hasPython = spawnSync('python3', ['--version']).status === 0;
const skip = !sample ? '../shared/argo-gdac-sample not found: the live Python client test needs the real sample' : !hasPython ? 'python3 not installed' : false;

test('the Python client passes its live tests against the service', { skip, timeout: 300_000 }, async (t) => {
  const store = await mkdtemp(join(tmpdir(), 'argo-py-'));
  t.after(() => rm(store, { recursive: true, force: true }));
  const app = await build(t, {
    env: {
      ARGO_GDAC: sample,
      ARGO_INDEX_STORE: store,
      ARGO_ADMIN_TOKEN: 'python-client-token',
      ARGO_RETRY_BACKOFF_SECONDS: '0.01',
    },
  });
  const months = referenceMonths(loadReference(sample!));
  const job = app.builds.submit({ months });
  const done = await app.builds.wait(job.id);
  assert.equal(done.status, 'succeeded', JSON.stringify(done));

  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const child = spawn('bash', ['clients/python/run-tests.sh'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ARGO_SERVICE_URL: base,
      ARGO_REFERENCE_JSON: join(sample!, 'expected/reference.json'),
      ARGO_ADMIN_TOKEN: 'python-client-token',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const summary = output.split('\n').filter((l) => /passed|failed|skipped|FAIL|ERROR/.test(l)).slice(-12).join('\n');
  t.diagnostic(summary);
  const failures = output.split('\n').filter((l) => /(FAIL|ERROR)(:| \()|Error|assert/i.test(l)).slice(0, 40).join('\n');
  assert.equal(code, 0, `Python tests failed:\n${failures}\n--- tail ---\n${output.slice(-3000)}`);
  assert.doesNotMatch(output, /\b0 passed/);
});
