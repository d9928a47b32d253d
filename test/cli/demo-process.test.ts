/**
 * `npm run demo` as a process, on a fresh machine (an empty working directory): it generates,
 * builds and serves without a single warning (stderr stays empty, no log line above info), and
 * logs the start-up line; SIGTERM stops it with exit code 0.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../month-index/helpers.js';

const demoScript = fileURLToPath(new URL('../../src/cli/demo.ts', import.meta.url));
// tsx resolved from the repository, since the demo runs in an empty directory.
const tsx = import.meta.resolve('tsx');

test('the demo starts on a fresh directory with no warning and one start-up line', async (t) => {
  const cwd = await tempDir(t, 'demo-process-');
  const child = spawn(process.execPath, ['--import', tsx, demoScript], {
    cwd,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ARGO_ADMIN_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const deadline = Date.now() + 120_000;
  while (!/Argo profiles demo on http:\/\/127\.0\.0\.1:\d+/.test(out) && child.exitCode === null && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const url = /Argo profiles demo on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
  assert.ok(url, `the demo printed its URL:\n${out}\n${err}`);
  const months = (await (await fetch(`${url}/v1/months`)).json()) as { month: string; dataset: string }[];
  assert.deepEqual(months.filter((m) => m.dataset === 'phy').map((m) => m.month), ['2024-01', '2024-02', '2024-03']);
  assert.ok(months.some((m) => m.dataset === 'bgc'), 'the demo has BGC months too');
  // The start-up line is written once the server listens, right after the URL.
  for (let i = 0; i < 100 && !out.includes('"index_store"'); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  child.kill('SIGTERM');
  assert.equal(await exited, 0, err);

  assert.equal(err, '', 'nothing on stderr: no warning, no deprecation');
  const lines = out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string; months?: unknown; admin?: unknown });
  assert.deepEqual(lines.filter((l) => l.level > 30).map((l) => l.msg), [], 'no log line above info');
  const started = lines.filter((l) => l.months !== undefined && l.admin !== undefined);
  assert.equal(started.length, 1, out);
  assert.deepEqual(started[0].months, { count: 3, built: '2024-01..2024-03' });
  assert.equal(started[0].admin, false);
});
