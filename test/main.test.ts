/**
 * What an operator sees when the server starts (src/main.ts): one start-up line saying what it
 * serves, one access-log line per request, and every configuration mistake as a message naming
 * the variable, exit code 2 and no stack trace, including a busy port and a missing GDAC root.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateDemoGdac } from '../fixtures/index.js';
import { ConfigError, parseConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startService } from '../src/main.js';
import { createServices } from '../src/services.js';
import { tempDir } from './month-index/helpers.js';

const root = fileURLToPath(new URL('../', import.meta.url));

type LogLine = Record<string, unknown> & { level: number; msg: string };

function captureLogger(level = 'info') {
  const lines: LogLine[] = [];
  const logger = createLogger({ logLevel: level as 'info' }, { write: (text: string) => void lines.push(JSON.parse(text) as LogLine) });
  return { lines, logger };
}

async function until<T>(get: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function busyPort(t: { after(fn: () => unknown): void }): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as { port: number }).port;
}

/** A small demo GDAC with 2024-01 and 2024-02 built into a local store. */
async function builtStore(t: Parameters<typeof tempDir>[0]): Promise<{ gdac: string; store: string }> {
  const dir = await tempDir(t, 'main-');
  const gdac = join(dir, 'gdac');
  const store = join(dir, 'store');
  await generateDemoGdac({ outDir: gdac, months: ['2024-01', '2024-02'], profilesPerMonth: 8 });
  const config = parseConfig({ ARGO_GDAC: gdac, ARGO_GDAC_INDEX: 'ar_index_global_prof.txt', ARGO_INDEX_STORE: store, LOG_LEVEL: 'silent' });
  const services = createServices({ config, logger: createLogger(config) });
  try {
    const job = await services.builds.wait(services.builds.submit({ months: ['2024-01', '2024-02'] }).id);
    assert.equal(job.status, 'succeeded');
  } finally {
    await services.close();
  }
  return { gdac, store };
}

test('start-up: one line with the GDAC, the index store, admin, the limits and the months; one access line per request', async (t) => {
  const { gdac, store } = await builtStore(t);
  const { lines, logger } = captureLogger();
  const { app } = await startService({
    logger,
    env: { PORT: '0', HOST: '127.0.0.1', ARGO_GDAC: gdac, ARGO_GDAC_INDEX: 'ar_index_global_prof.txt', ARGO_INDEX_STORE: store, ARGO_ADMIN_TOKEN: 'secret', ARGO_MAX_LEVELS: '500' },
  });
  t.after(() => app.close());

  const started = await until(() => lines.find((l) => l.gdac !== undefined), 'the start-up line');
  assert.equal(started.level, 30);
  assert.equal(started.gdac, `GDAC directory ${gdac}`);
  assert.equal(started.index_store, `local directory ${store}`);
  assert.equal(started.admin, true);
  assert.deepEqual(started.months, { count: 2, built: '2024-01..2024-02' });
  assert.deepEqual(started.limits, {
    max_window_days: 366,
    max_levels: 500,
    default_max_profiles: 1000,
    max_profiles_limit: 10000,
    query_concurrency: 32,
    max_body_bytes: 65536,
    max_event_loop_delay_ms: 1000,
  });
  const address = app.server.address() as { port: number };
  assert.equal(started.url, `http://127.0.0.1:${address.port}`);
  assert.match(started.msg, new RegExp(`on http://127\\.0\\.0\\.1:${address.port}: GDAC directory .*; index store local directory .*; admin on; months 2 \\(2024-01\\.\\.2024-02\\); limits: window ≤ 366 d, ≤ 500 levels, max_profiles 1000 \\(≤ 10000\\)`));
  assert.equal(lines.filter((l) => l.gdac !== undefined).length, 1, 'one start-up line');

  // One access-log line per request: method, URL, status, time, bytes and the request id.
  const before = lines.length;
  const url = `http://127.0.0.1:${address.port}/v1/profiles?start=2024-01-01&end=2024-02-01&depth=10,100&format=csv`;
  // Uncompressed, so the body's size is a lower bound of the bytes sent.
  const response = await fetch(url, { headers: { 'x-request-id': 'access-log-test', 'accept-encoding': 'identity' } });
  const body = await response.text();
  assert.equal(response.status, 200);
  const bad = await fetch(`http://127.0.0.1:${address.port}/v1/profiles?start=2024-01-01`, { headers: { 'x-request-id': 'access-log-bad' } });
  assert.equal(bad.status, 400);
  await bad.text();
  await until(() => (lines.slice(before).filter((l) => l.reqId === 'access-log-bad').length > 0 ? true : undefined), 'the second access line');
  const ofFirst = lines.slice(before).filter((l) => l.reqId === 'access-log-test');
  assert.equal(ofFirst.length, 1, JSON.stringify(ofFirst));
  const [line] = ofFirst;
  assert.equal(line.level, 30);
  assert.equal(line.method, 'GET');
  assert.equal(line.url, '/v1/profiles?start=2024-01-01&end=2024-02-01&depth=10,100&format=csv');
  assert.equal(line.status, 200);
  assert.equal(typeof line.ms, 'number');
  assert.ok((line.bytes as number) > Buffer.byteLength(body), `bytes ${line.bytes} count the body (${Buffer.byteLength(body)}) and the headers`);
  assert.match(line.msg, /^GET \/v1\/profiles\?start=2024-01-01&end=2024-02-01&depth=10,100&format=csv 200 [\d.]+ ms \d+ B$/);
  // A rejected request is one line too (its reason is in the problem body, and at debug).
  const ofBad = lines.slice(before).filter((l) => l.reqId === 'access-log-bad');
  assert.deepEqual(ofBad.map((l) => [l.level, l.status]), [[30, 400]]);
});

test('a busy port is a configuration error naming PORT', async (t) => {
  const port = await busyPort(t);
  const dir = await tempDir(t, 'main-');
  await assert.rejects(
    startService({ logger: captureLogger().logger, env: { PORT: String(port), HOST: '127.0.0.1', ARGO_GDAC: dir, ARGO_INDEX_STORE: join(dir, 'store') } }),
    (error: unknown) => error instanceof ConfigError && error.message === `Invalid configuration:\n  PORT: port ${port} is in use; set PORT to a free port`,
  );
});

test('configuration mistakes stop the process with a message naming the variable, exit 2, no stack trace', async (t) => {
  const port = await busyPort(t);
  const dir = await tempDir(t, 'main-');
  const cases: Array<[Record<string, string>, string]> = [
    [{ ARGO_INDEX_STORE: 's3://' }, 'ARGO_INDEX_STORE: not an s3://bucket[/prefix] location: the bucket name is missing (got "s3://")'],
    [{ ARGO_GDAC: '/nonexistent' }, 'ARGO_GDAC: the local GDAC root "/nonexistent" does not exist'],
    [{ PORT: String(port), HOST: '127.0.0.1', ARGO_GDAC: dir }, `PORT: port ${port} is in use; set PORT to a free port`],
  ];
  await Promise.all(
    cases.map(async ([env, expected]) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: root,
        env: { ...process.env, LOG_LEVEL: 'silent', ARGO_INDEX_STORE: join(dir, 'store'), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d));
      child.stdout.resume();
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(err, `Invalid configuration:\n  ${expected}\n`, JSON.stringify(env));
      assert.equal(code, 2, JSON.stringify(env));
    }),
  );
});
