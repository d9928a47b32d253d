/**
 * Replicas over one bucket (issue 17): two service processes (the real server, `src/main.ts`, in
 * child processes on loopback ports) over one s3rver bucket, as two Kubernetes replicas run.
 *
 * 1. A build through replica A is visible in replica B's GET /v1/months and queries once the
 *    master index's TTL (ARGO_MASTER_TTL_SECONDS) has passed, and B answers what A answers.
 * 2. A rebuild (through A) during a stream on B neither breaks nor mixes that stream: the stream
 *    ends normally with exactly the profiles of the month version it started on, while B's
 *    /v1/months already shows the new version.
 * 3. Killing A (SIGKILL) in the middle of a build leaves B serving every month it had, each with
 *    the same answers as before, and no half-written object in the store.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN_TOKEN, eventually, inspectStore, s3Store, startFixture } from './kit/harness.js';
import { startServerChild, type ServerChild } from './kit/children.js';
import { INDEX_PATH, makeFixtureGdac } from './kit/fixture-gdac.js';
import { startRestartableS3 } from './kit/restartable-s3.js';

const MONTHS = ['2023-01', '2023-02', '2023-03'];
const LATER = '2023-04';
// Short enough for a test, long enough that B really serves from a cached master in between.
const TTL_SECONDS = 2;
const QUERY = (start: string, end: string): string => `/v1/profiles?start=${start}&end=${end}&depth=0,10,50,200&max_profiles=5000`;
const WINTER = QUERY('2023-01-01', '2023-04-01');
const FEBRUARY = QUERY('2023-02-01', '2023-03-01');

interface Line {
  id?: string;
  time?: string;
  error?: unknown;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function getJson<T>(server: ServerChild, path: string): Promise<T> {
  const response = await fetch(`${server.url}${path}`, { signal: AbortSignal.timeout(20_000) });
  assert.equal(response.status, 200, `${path} on ${server.url}: ${response.status}`);
  return (await response.json()) as T;
}

async function months(server: ServerChild): Promise<Map<string, number>> {
  const list = await getJson<{ month: string; profiles: number }[]>(server, '/v1/months');
  return new Map(list.map((m) => [m.month, m.profiles]));
}

async function query(server: ServerChild, path: string): Promise<{ body: string; lines: Line[]; missing: string | null }> {
  const response = await fetch(`${server.url}${path}`, { signal: AbortSignal.timeout(30_000) });
  const body = await response.text();
  assert.equal(response.status, 200, `${path}: ${body.slice(0, 300)}`);
  const lines = body.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Line);
  assert.ok(lines.every((l) => l.error === undefined), `no error line: ${body.slice(-300)}`);
  return { body, lines, missing: response.headers.get('x-argo-months-missing') };
}

/** POST /admin/builds on a replica; resolves with the job id. */
async function submitBuild(server: ServerChild, months: string[]): Promise<string> {
  const response = await fetch(`${server.url}/admin/builds`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ months }),
  });
  const job = (await response.json()) as { id: string };
  assert.equal(response.status, 202, JSON.stringify(job));
  return job.id;
}

interface JobView {
  status: string;
  error?: string;
  progress: { done: number; total: number; failed: number };
  months_done: number;
}

async function jobView(server: ServerChild, id: string): Promise<JobView> {
  const response = await fetch(`${server.url}/admin/builds/${id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return (await response.json()) as JobView;
}

async function waitForJob(server: ServerChild, id: string, timeoutMs = 60_000): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await jobView(server, id);
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    assert.ok(Date.now() < deadline, `build ${id} still ${job.status} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

test('two replicas over one bucket: builds seen within the TTL, rebuilds never mix a stream, a killed builder loses nothing', async (t) => {
  const s3 = await startRestartableS3({ buckets: ['argo-index'] });
  t.after(() => s3.dispose());
  const location = 's3://argo-index/replicas';
  const fx = await startFixture(t, {
    months: [...MONTHS, LATER],
    perMonth: 12,
    seed: 41,
    env: {
      ...s3.env(location),
      ARGO_MASTER_TTL_SECONDS: String(TTL_SECONDS),
      // The stalled read below must outlast the rebuild, not time out.
      ARGO_FETCH_TIMEOUT_SECONDS: '30',
      LOG_LEVEL: 'warn',
    },
  });
  // B keeps no level or response cache: every query of it reads the GDAC, so a stalled file
  // really holds its stream open.
  const [a, b] = await Promise.all([
    startServerChild({ env: fx.env }),
    startServerChild({ env: { ...fx.env, ARGO_PROFILE_CACHE_MB: '0', ARGO_RESPONSE_CACHE_MB: '0' } }),
  ]);
  t.after(async () => {
    await Promise.all([a.stop(), b.stop()]);
  });
  const failWith = (message: string): string => `${message}\n--- replica A:\n${a.output().slice(-2000)}\n--- replica B:\n${b.output().slice(-2000)}`;

  // ---- 1. A build through A, seen by B within the master TTL ----------------------------------
  assert.deepEqual([...(await months(b)).keys()], [], 'nothing built yet');
  assert.equal((await query(b, WINTER)).missing, MONTHS.join(','), 'B loaded (and caches) a master without them');
  const first = await waitForJob(a, await submitBuild(a, MONTHS));
  assert.equal(first.status, 'succeeded', failWith(JSON.stringify(first)));
  // However fresh B's cached master was when A committed, it has expired a TTL later.
  await sleep(TTL_SECONDS * 1000 + 500);
  const seen = await months(b);
  for (const m of MONTHS) assert.equal(seen.get(m), fx.gdac.countByMonth.get(m), `B lists ${m} with all its profiles`);
  const fromA = await query(a, WINTER);
  const fromB = await query(b, WINTER);
  assert.equal(fromB.missing, '', 'B has every month of the window');
  assert.equal(fromB.lines.length, MONTHS.reduce((n, m) => n + fx.gdac.countByMonth.get(m)!, 0));
  assert.equal(fromB.body, fromA.body, 'B answers what A answers');

  // ---- 2. A rebuild of February (through A) during a stream of February on B ------------------
  const oldFebruary = (await query(b, FEBRUARY)).lines.map((l) => l.id!);
  const oldCount = oldFebruary.length;
  // Four new profiles in February (other floats): the rebuild makes a bigger month.
  const extra = makeFixtureGdac({ seed: 42, months: ['2023-02'], perMonth: 4 });
  for (const [path, bytes] of extra.files) if (path !== INDEX_PATH) fx.gdac.files.set(path, bytes);
  fx.gdac.indexText = `${fx.gdac.indexText.trimEnd()}\n${extra.indexText.split('\n').filter((l) => l.includes('/profiles/')).join('\n')}\n`;
  fx.gdac.files.set(INDEX_PATH, new TextEncoder().encode(fx.gdac.indexText));
  // One old February file answers only after 8 s: B's stream stops there, half-way, while the
  // rebuild runs (it reuses that unchanged file, so it never waits for it).
  const february = fx.gdac.profiles.filter((p) => p.month === '2023-02').sort((x, y) => x.timeMs - y.timeMs);
  fx.mirror.setFault(february[Math.floor(february.length / 2)].path, { kind: 'stall', ms: 8_000, times: 1 });

  // Uncompressed, so each line reaches the client as it is written.
  const streaming = await fetch(`${b.url}${FEBRUARY}`, { headers: { 'accept-encoding': 'identity' }, signal: AbortSignal.timeout(60_000) });
  assert.equal(streaming.status, 200);
  assert.equal(streaming.headers.get('x-argo-profiles-matched'), String(oldCount), 'planned on the old version');
  const reader = streaming.body!.getReader();
  const decoder = new TextDecoder();
  let received = '';
  let ended = false;
  const t0 = Date.now();
  const readAll = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += decoder.decode(value, { stream: true });
    }
    ended = true;
    t.diagnostic(`stream ended at ${Date.now() - t0} ms`);
  })();
  assert.ok(await eventually(async () => received.includes('\n'), { timeoutMs: 10_000, everyMs: 20 }), 'the stream has begun');

  t.diagnostic(`stream begun at ${Date.now() - t0} ms`);
  const rebuild = await waitForJob(a, await submitBuild(a, ['2023-02']));
  t.diagnostic(`rebuild done at ${Date.now() - t0} ms`);
  assert.equal(rebuild.status, 'succeeded', failWith(JSON.stringify(rebuild)));
  const newCount = oldCount + 4;
  assert.ok(
    await eventually(async () => (await months(b)).get('2023-02') === newCount, { timeoutMs: TTL_SECONDS * 1000 + 3000, everyMs: 100 }),
    failWith('B lists the rebuilt February within the TTL'),
  );
  t.diagnostic(`B switched at ${Date.now() - t0} ms`);
  assert.equal(ended, false, 'the stream was still open when B switched to the new version');

  await readAll;
  const streamed = received.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Line);
  assert.ok(streamed.every((l) => l.error === undefined), `the stream ended normally: ${received.slice(-300)}`);
  assert.deepEqual(streamed.map((l) => l.id), oldFebruary, 'exactly the version the stream started on, in order: nothing added, nothing lost');
  const newFebruary = await query(b, FEBRUARY);
  assert.equal(newFebruary.lines.length, newCount, 'a new query on B sees the rebuilt month');
  assert.ok(oldFebruary.every((id) => newFebruary.lines.some((l) => l.id === id)));

  // ---- 3. Kill A in the middle of a build ------------------------------------------------------
  const before = await months(b);
  const answersBefore = new Map<string, string>();
  for (const m of MONTHS) answersBefore.set(m, (await query(b, QUERY(`${m}-01`, m === '2023-03' ? '2023-04-01' : `2023-0${Number(m.slice(5)) + 1}-01`))).body);
  // Every file looks changed (new date_update): the build downloads everything, slowly.
  fx.gdac.indexText = fx.gdac.indexText.replace(/,\d{14}$/gm, ',20240601000000');
  fx.gdac.files.set(INDEX_PATH, new TextEncoder().encode(fx.gdac.indexText));
  fx.mirror.setLatency(150);
  const doomed = await submitBuild(a, [...MONTHS, LATER]);
  let atKill: JobView | undefined;
  assert.ok(
    await eventually(async () => {
      atKill = await jobView(a, doomed);
      // Past the first month, so some month objects are written and the master is being updated.
      return atKill.status === 'running' && atKill.months_done >= 1 && atKill.progress.done < atKill.progress.total;
    }, { timeoutMs: 30_000, everyMs: 20 }),
    failWith('A is building'),
  );
  process.kill(-a.pid, 'SIGKILL');
  t.diagnostic(`A killed at ${JSON.stringify(atKill)}`);
  assert.ok(await eventually(async () => !a.alive(), { timeoutMs: 5_000, everyMs: 20 }), 'A is gone');
  fx.mirror.setLatency(0);

  await sleep(TTL_SECONDS * 1000 + 500);
  const after = await months(b);
  for (const [m, n] of before) assert.equal(after.get(m), n, `B still lists ${m} with its ${n} profiles`);
  for (const m of MONTHS) {
    const answer = await query(b, QUERY(`${m}-01`, m === '2023-03' ? '2023-04-01' : `2023-0${Number(m.slice(5)) + 1}-01`));
    assert.equal(answer.missing, '');
    assert.equal(answer.body, answersBefore.get(m), `B answers ${m} as before`);
  }
  const report = await inspectStore(s3Store(location, s3.endpoint));
  assert.ok(report.masterOk, 'the master index parses');
  assert.deepEqual(report.undecodable, [], 'no month object half-written');
  for (const m of MONTHS) assert.ok(report.masterMonths.includes(m), `the master still names ${m}`);
});
