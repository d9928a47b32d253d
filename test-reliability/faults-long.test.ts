/**
 * The long fault-injection runs (issue 8), beyond the one-of-each-kind in test/reliability/:
 *
 * - stalls at production-like timeouts (5 s) against the real server process, and a client that
 *   hangs up during a stall (its upstream reads must be cancelled);
 * - a seeded fault storm over a whole build (5xx, 429, resets, truncations, stalls on a third of
 *   the files), plus files that stay broken (404, corrupt, stalled): the build retries the first,
 *   records exactly the second, and a rebuild heals once the faults clear;
 * - the index store going away in the middle of a build (every connection to s3rver reset after the
 *   first month is written): the months written stay whole, nothing half-written, a rebuild completes;
 * - the index store stalling (a black-holed TCP connection): queries must still answer within a
 *   bound and recover when the network heals;
 * - the real server under concurrent queries while the GDAC misbehaves at random: every answer is
 *   a complete body, a body ending in an error line, or a problem+json; the process survives.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createBlobStore } from '../src/storage/index.js';
import { within } from '../test/reliability/kit/bounded.js';
import { startServerChild } from '../test/reliability/kit/children.js';
import { seededRandom } from '../fixtures/index.js';
import { buildMonths, getProfiles, inspectStore, s3Store, startFixture } from '../test/reliability/kit/harness.js';
import { problemIssues } from '../test/reliability/kit/problem.js';
import { startRestartableS3 } from '../test/reliability/kit/restartable-s3.js';
import { startTcpProxy } from '../test/reliability/kit/tcp-proxy.js';
import type { MirrorFault } from '../test/kit/gdac-mirror.js';
import { writeResult } from './load/setup.js';

const Q = 'start=2023-01-01&end=2023-04-01&depth=0:2000:20&variables=TEMP,PSAL,PRES';

async function fetchText(url: string, timeoutMs: number): Promise<{ status: number; type: string; body: string; ms: number }> {
  const started = Date.now();
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const body = await response.text();
  return { status: response.status, type: response.headers.get('content-type') ?? '', body, ms: Date.now() - started };
}

const figures: Record<string, unknown> = {};

describe('long stalls against the real server', () => {
  test('a GDAC that stalls past a 5 s timeout: error line within the retry budget, the process survives, a hang-up cancels the reads', async (t) => {
    const fx = await startFixture(t, { months: ['2023-01', '2023-02', '2023-03'], perMonth: 6 });
    const job = await buildMonths(await fx.app(), fx.gdac.months);
    assert.equal(job.status, 'succeeded');
    const server = await startServerChild({
      // No profile cache: every query reads the GDAC, so the stall is met.
      env: { ...fx.env, LOG_LEVEL: 'warn', ARGO_FETCH_TIMEOUT_SECONDS: '5', ARGO_MAX_FETCH_RETRIES: '2', ARGO_RETRY_BACKOFF_SECONDS: '0.2', ARGO_PROFILE_CACHE_MB: '0' },
    });
    t.after(() => server.stop());
    const url = `${server.url}/v1/profiles?${Q}`;
    const baseline = await fetchText(url, 30_000);
    assert.equal(baseline.status, 200);

    // Every profile file stalls 60 s: 3 attempts × 5 s + back-off ≈ 16 s, then the error line.
    fx.mirror.setFault('dac/**', { kind: 'stall', ms: 60_000 });
    const stalled = await fetchText(url.replace('depth=0:2000:20', 'depth=0:2000:25'), 60_000);
    assert.equal(stalled.status, 200);
    const last = JSON.parse(stalled.body.trim().split('\n').pop()!) as { error?: { status: number } };
    assert.equal(last.error?.status, 504);
    assert.ok(stalled.ms < 40_000, `answered in ${stalled.ms} ms`);

    // A client that gives up after 1 s: its upstream reads must stop, not run out their 16 s.
    fx.mirror.resetStats();
    await fetch(url.replace('depth=0:2000:20', 'depth=0:2000:40'), { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.text(),
      () => undefined,
    );
    const inFlightAtHangUp = fx.mirror.stats.inFlight;
    const drained = await within(10_000, (async () => {
      while (fx.mirror.stats.inFlight > 0) await new Promise((r) => setTimeout(r, 100));
      return Date.now();
    })(), 'upstream reads still in flight after the client left');
    assert.ok(drained > 0);

    fx.mirror.clearFaults();
    assert.ok(server.alive());
    const healed = await fetchText(url, 30_000);
    assert.equal(healed.body, baseline.body);
    figures.stall = { timeoutSeconds: 5, retries: 2, answeredMs: stalled.ms, inFlightAtHangUp };
  });
});

describe('a fault storm over a whole build', () => {
  test('transient faults on a third of the files are retried; permanent ones are recorded exactly; a rebuild heals', async (t) => {
    const months = ['2022-10', '2022-11', '2022-12', '2023-01', '2023-02', '2023-03'];
    const fx = await startFixture(t, { months, perMonth: 15, seed: 41, env: { ARGO_MAX_FETCH_RETRIES: '4' } });
    const random = seededRandom(99);
    const transient: MirrorFault[] = [
      { kind: 'status', status: 500, times: 2 },
      { kind: 'status', status: 503, times: 1 },
      { kind: '429', retryAfterSeconds: 0, times: 2 },
      { kind: 'reset', times: 2 },
      { kind: 'truncate', bytes: 512, times: 2 },
      { kind: 'stall', ms: 2000, times: 1 },
      { kind: 'stall', ms: 2000, afterBytes: 100, times: 1 },
    ];
    const permanent: MirrorFault[] = [{ kind: 'status', status: 404 }, { kind: 'corrupt' }, { kind: 'stall', ms: 60_000 }, { kind: 'status', status: 403 }];
    const broken = new Set<string>();
    let faulted = 0;
    for (const p of fx.gdac.profiles) {
      const r = random();
      if (r < 0.05) {
        fx.mirror.setFault(p.path, permanent[broken.size % permanent.length]);
        broken.add(p.id);
      } else if (r < 0.35) {
        fx.mirror.setFault(p.path, transient[Math.floor(random() * transient.length)]);
        faulted++;
      }
    }
    const app = await fx.app();
    const started = Date.now();
    const job = await within(180_000, buildMonths(app, months, 180_000), 'build under the fault storm');
    assert.equal(job.status, 'succeeded', job.error);
    const failedIds = new Set<string>();
    for (const m of months) for (const f of (await app.catalog.monthDetail(m))!.failures) failedIds.add(f.id);
    assert.deepEqual([...failedIds].sort(), [...broken].sort(), 'exactly the permanently broken files are recorded');
    const total = job.results.reduce((n, r) => n + r.profiles, 0);
    assert.equal(total, fx.gdac.profiles.length - broken.size);

    fx.mirror.clearFaults();
    const healed = await within(120_000, buildMonths(app, months), 'rebuild');
    assert.equal(healed.status, 'succeeded');
    assert.equal(healed.results.reduce((n, r) => n + r.profiles, 0), fx.gdac.profiles.length);
    assert.equal(healed.results.reduce((n, r) => n + r.fetched, 0), broken.size, 'only the failed files are downloaded again');
    figures.storm = { files: fx.gdac.profiles.length, transientFaults: faulted, permanentFaults: broken.size, buildMs: Date.now() - started, retries: app.gdac.stats().retries };
  });
});

describe('index store faults, long', () => {
  test('the index store cut off in the middle of a build: months written stay whole, the job fails cleanly, a rebuild completes', async (t) => {
    // s3rver behind a TCP proxy: the moment the first month is written, every store connection
    // (the SDK's keep-alive ones included) is reset, as if s3rver had crashed. Stopping s3rver
    // itself is not instant enough here: its open keep-alive sockets keep answering while it closes.
    const s3 = await startRestartableS3({ buckets: ['argo-index'] });
    t.after(() => s3.dispose());
    const proxy = await startTcpProxy({ targetPort: s3.port });
    t.after(() => proxy.stop());
    const location = 's3://argo-index/mid';
    const months = ['2022-11', '2022-12', '2023-01', '2023-02'];
    const fx = await startFixture(t, { months, perMonth: 10, seed: 51 });
    fx.mirror.setLatency(30);
    const store = s3Store(location, proxy.url);
    const app = await fx.app({}, { store });
    let written = 0;
    const unsubscribe = app.builds.subscribe?.((event) => {
      if (event.type === 'month' && ++written === 1) proxy.setMode('reset');
    });
    const job = await within(120_000, buildMonths(app, months, 120_000), 'build');
    unsubscribe?.();
    assert.equal(job.status, 'failed');
    assert.match(job.error ?? '', /index store/i);
    proxy.setMode('pass');
    const direct = s3Store(location, s3.endpoint);
    const report = await inspectStore(direct);
    assert.deepEqual(report.undecodable, [], 'nothing half-written');
    for (const [month, count] of report.newestCount) assert.equal(count, fx.gdac.countByMonth.get(month), month);
    assert.ok(report.objects.size >= 1, 'the month written before the cut is kept');
    const listed = JSON.parse((await app.inject({ method: 'GET', url: '/v1/months' })).body) as { month: string }[];
    assert.ok(listed.length >= 1, 'and listed');

    const again = await within(120_000, buildMonths(app, months, 120_000), 'rebuild');
    assert.equal(again.status, 'succeeded', again.error);
    const after = await inspectStore(direct);
    assert.deepEqual([...after.newestCount.keys()].sort(), months);
    assert.deepEqual(after.undecodable, []);
    figures.storeMidBuild = { monthsWrittenBeforeCut: report.objects.size, rebuilt: again.results.length, jobError: job.error };
  });

  test(
    'a stalled index store (black-holed connections): queries answer within 30 s, and recover once the network heals',
    async (t) => {
      const s3 = await startRestartableS3({ buckets: ['argo-index'] });
      t.after(() => s3.dispose());
      const proxy = await startTcpProxy({ targetPort: s3.port });
      t.after(() => proxy.stop());
      const location = 's3://argo-index/stall';
      const fx = await startFixture(t, { months: ['2023-01'], perMonth: 4 });
      const store = s3Store(location, proxy.url);
      const app = await fx.app({}, { store });
      assert.equal((await buildMonths(app, ['2023-01'])).status, 'succeeded');
      await app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/v1/profiles?start=2023-01-01&end=2023-02-01`;
      const expected = await fetchText(base, 10_000);
      assert.equal(expected.status, 200);

      proxy.setMode('stall');
      // A dashboard gives up after 2 s; the service itself must still answer within 30 s.
      await fetch(base, { signal: AbortSignal.timeout(2000) }).then((r) => r.text(), () => undefined);
      const during = await fetchText(base, 30_000).catch((error: unknown) => ({ status: 0, type: '', body: String(error), ms: 30_000 }));
      proxy.setMode('pass');
      const after = await fetchText(base, 30_000).catch((error: unknown) => ({ status: 0, type: '', body: String(error), ms: 30_000 }));
      figures.storeStall = { duringStatus: during.status, duringMs: during.ms, afterStatus: after.status, afterMs: after.ms, recovered: after.body === expected.body };
      await writeResult('faults-long', figures);
      assert.deepEqual(
        { during: during.status, recovered: after.body === expected.body },
        { during: 503, recovered: true },
        `during the stall: ${during.body.slice(0, 120)}; after the network healed: ${after.body.slice(0, 120)}`,
      );
    },
  );
});

describe('the real server while the GDAC misbehaves at random', () => {
  test('200 concurrent queries under random GDAC faults: every answer is whole, ends in an error line, or is a problem; the process survives', async (t) => {
    const fx = await startFixture(t, { months: ['2023-01', '2023-02', '2023-03'], perMonth: 10, seed: 61 });
    const job = await buildMonths(await fx.app(), fx.gdac.months);
    assert.equal(job.status, 'succeeded');
    const server = await startServerChild({ env: { ...fx.env, LOG_LEVEL: 'warn', ARGO_PROFILE_CACHE_MB: '0' } });
    t.after(() => server.stop());
    const queries = [Q, 'start=2023-02-01&end=2023-03-01&format=json', 'start=2023-01-10&end=2023-03-20&format=csv&depth=0,50,500', 'start=2023-01-01&end=2023-04-01&mode=expert'];
    const baselines = await Promise.all(queries.map((q) => fetchText(`${server.url}/v1/profiles?${q}`, 30_000)));
    const random = seededRandom(5);
    const kinds: MirrorFault[] = [
      { kind: 'status', status: 500 },
      { kind: '429', retryAfterSeconds: 0 },
      { kind: 'reset' },
      { kind: 'truncate', bytes: 10 },
      { kind: 'stall', ms: 1500 },
      { kind: 'stall', ms: 1500, afterBytes: 8 },
    ];
    // Faults that come and go while the queries run (at most 40 changes, every 100 ms).
    let storming = true;
    const storm = (async () => {
      for (let i = 0; i < 40 && storming; i++) {
        fx.mirror.clearFaults();
        const p = fx.gdac.profiles[Math.floor(random() * fx.gdac.profiles.length)];
        // Up to 12 faults in a row: more than the retries (3) sometimes, so some reads fail for good.
        fx.mirror.setFault(random() < 0.5 ? p.path : 'dac/**', { ...kinds[Math.floor(random() * kinds.length)], times: 1 + Math.floor(random() * 12) });
        await new Promise((r) => setTimeout(r, 100));
      }
      fx.mirror.clearFaults();
    })();
    const outcomes = { whole: 0, errorLine: 0, problem: 0, bad: [] as string[] };
    const one = async (i: number): Promise<void> => {
      const q = queries[i % queries.length];
      const r = await fetchText(`${server.url}/v1/profiles?${q}`, 60_000);
      if (r.status !== 200) {
        const issues = problemIssues({ status: r.status, contentType: r.type, body: r.body }, { status: (s) => s === 502 || s === 503 || s === 504 });
        if (issues.length === 0) outcomes.problem++;
        else outcomes.bad.push(`${q} → ${r.status}: ${issues.join('; ')}`);
      } else if (/"error":\{"status":5\d\d|# error: 5\d\d/.test(r.body.slice(-400))) {
        outcomes.errorLine++;
      } else if (r.body === baselines[i % queries.length].body) {
        outcomes.whole++;
      } else {
        outcomes.bad.push(`${q} → 200 differing from the clean answer without an error line`);
      }
    };
    const queue = Array.from({ length: 200 }, (_, i) => i);
    await Promise.all(Array.from({ length: 20 }, async () => {
      while (queue.length > 0) await one(queue.shift()!);
    }));
    storming = false;
    await storm;
    assert.ok(server.alive(), 'the server survived');
    const clean = await Promise.all(queries.map((q) => fetchText(`${server.url}/v1/profiles?${q}`, 30_000)));
    clean.forEach((r, i) => assert.equal(r.body, baselines[i].body, `after the storm: ${queries[i]}`));
    figures.randomStorm = { queries: 200, ...outcomes, bad: outcomes.bad.length, badExamples: outcomes.bad.slice(0, 5) };
    await writeResult('faults-long', figures);
    t.diagnostic(`outcomes: ${JSON.stringify(figures.randomStorm)}`);
    assert.deepEqual(outcomes.bad, []);
  });

  test('a corrupt byte range is NOT detected: the query answers 200 with wrong numbers (known limitation, recorded)', async (t) => {
    // NetCDF classic has no checksum and a mirror's ETag covers the whole object, not a range: a
    // range flipped in transit cannot be told from data. Recorded so the limitation is visible.
    const fx = await startFixture(t, { months: ['2023-01'], perMonth: 4, seed: 62 });
    const app = await fx.app({ ARGO_PROFILE_CACHE_MB: '0' });
    assert.equal((await buildMonths(app, ['2023-01'])).status, 'succeeded');
    const q = 'start=2023-01-01&end=2023-02-01';
    const clean = await getProfiles(app, q);
    fx.mirror.setFault('dac/**', { kind: 'corrupt', times: 50 });
    const corrupt = await getProfiles(app, q);
    fx.mirror.clearFaults();
    const again = await getProfiles(app, q);
    assert.equal(corrupt.status, 200);
    assert.equal(again.body, clean.body, 'nothing corrupt was cached (profile cache off here)');
    figures.corruptRange = { detected: corrupt.body !== clean.body && /"error"/.test(corrupt.body), differs: corrupt.body !== clean.body };
    await writeResult('faults-long', figures);
  });
});
