/**
 * The explorer's Python snippet (web/explore/share.js) runs as it is shown: generated for a query
 * with every parameter, executed by python3 with the project's client (clients/python) against a
 * live service over the demo GDAC, it finds what the service matched and reads the levels into
 * pandas. Skips where python3 with pandas is missing (`.ci/run` installs python3-pandas).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from '../helpers/build.js';
import { demoGdacDir, serveGdac } from '../kit/served-gdac.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import pandas']).status === 0);

type Snippet = (query: Record<string, string>, baseUrl: string) => string;

test('the Python snippet runs against the service and finds what the page shows', { skip: python ? false : 'python3 with pandas not installed' }, async (t) => {
  const served = await serveGdac(t, { root: await demoGdacDir(t, { months: ['2024-01'] }), months: ['2024-01'] });
  const app = await build(t, { env: served.env });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  // A browser module, loaded as it is served (it touches no browser API to build the text).
  const { pythonSnippet } = (await import(pathToFileURL(join(repoRoot, 'web/explore/share.js')).href)) as { pythonSnippet: Snippet };
  const query = { start: '2024-01-01', end: '2024-02-01', bbox: '-60,20,-10,60', mode: 'research', variables: 'TEMP,PSAL,PRES', depth: '0:500:10', vertical: 'pressure', max_profiles: '50' };
  const code = `${pythonSnippet(query, base)}\nprint("rows", len(df), sorted(set(df["platform_number"])))\n`;

  const headers = await fetch(`${base}/v1/profiles?${new URLSearchParams({ ...query, fields: 'positions', format: 'csv' })}`);
  const matched = Number(headers.headers.get('x-argo-profiles-matched'));
  const floats = [...new Set((await headers.text()).trim().split('\n').slice(1).map((row) => row.split(',')[1]))].sort();
  assert.ok(matched > 0, 'the query matches some profiles');

  const child = spawn(python!, ['-c', code], { env: { ...process.env, PYTHONPATH: join(repoRoot, 'clients/python/src') }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(status, 0, `${code}\n---\n${output}`);
  assert.match(output, new RegExp(`^${matched} profiles matched$`, 'm'));
  const rows = /^rows (\d+) (.*)$/m.exec(output);
  assert.ok(rows && Number(rows[1]) === Math.min(matched, 50) * 51, `one row per profile and level (51 levels of 0:500:10): ${output}`);
  assert.equal(rows![2], `[${floats.map((f) => `'${f}'`).join(', ')}]`);
});
