/**
 * Admin routes: the bearer token (missing, wrong, empty, none configured), POST /admin/builds
 * validation, 202 + Location, polling the job to success, and GET /v1/months afterwards.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { generateDemoGdac } from '../../fixtures/index.js';
import { build } from '../helpers/build.js';
import { tempDir } from '../month-index/helpers.js';

const TOKEN = 'correct horse battery staple';

async function env(t: TestContext, token: string | undefined) {
  const gdacDir = await tempDir(t, 'demo-gdac-');
  await generateDemoGdac({ outDir: gdacDir, months: ['2024-01', '2024-02'], profilesPerMonth: 12, seed: 9 });
  return { ARGO_GDAC: gdacDir, ARGO_GDAC_INDEX: 'ar_index_global_prof.txt', ARGO_INDEX_STORE: await tempDir(t, 'store-'), ARGO_ADMIN_TOKEN: token };
}

const body = { months: ['2024-01'] };

test('no admin token configured: every admin request is refused (403)', async (t) => {
  for (const token of [undefined, '', '   ']) {
    const app = await build(t, { env: await env(t, token) });
    for (const authorization of [undefined, `Bearer ${TOKEN}`, 'Bearer ', 'Bearer undefined']) {
      const headers = authorization === undefined ? {} : { authorization };
      const post = await app.inject({ method: 'POST', url: '/admin/builds', payload: body, headers });
      assert.equal(post.statusCode, 403, `token ${JSON.stringify(token)}, ${authorization}`);
      assert.match(post.json().detail, /no admin token is configured/);
      const get = await app.inject({ url: '/admin/builds/5d0c3c8e-6a8e-4c7e-9a4b-0d3c7f9f2b11', headers });
      assert.equal(get.statusCode, 403);
    }
  }
});

test('a missing, empty, malformed or wrong token is 401 with WWW-Authenticate', async (t) => {
  const app = await build(t, { env: await env(t, TOKEN) });
  const cases: [string, Record<string, string>][] = [
    ['missing', {}],
    ['empty', { authorization: 'Bearer ' }],
    ['empty value', { authorization: '' }],
    ['wrong scheme', { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` }],
    ['wrong token', { authorization: 'Bearer correct horse battery' }],
    ['prefix of the token', { authorization: 'Bearer correct' }],
    ['token with a suffix', { authorization: `Bearer ${TOKEN}x` }],
  ];
  for (const [name, headers] of cases) {
    for (const request of [
      { method: 'POST' as const, url: '/admin/builds', payload: body },
      { method: 'GET' as const, url: '/admin/builds/5d0c3c8e-6a8e-4c7e-9a4b-0d3c7f9f2b11' },
    ]) {
      const res = await app.inject({ ...request, headers });
      assert.equal(res.statusCode, 401, `${name} ${request.method}`);
      assert.match(String(res.headers['www-authenticate']), /^Bearer/, name);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    }
  }
  // A token containing spaces is sent as is after "Bearer ": ours has spaces, so the header
  // must carry exactly it.
  const ok = await app.inject({ method: 'POST', url: '/admin/builds', payload: { months: ['2024-13'] }, headers: { authorization: `Bearer ${TOKEN}` } });
  assert.notEqual(ok.statusCode, 401);
});

test('POST /admin/builds → 202 + Location, then the job runs to success', async (t) => {
  const token = 's3cret-Token_42';
  const app = await build(t, { env: await env(t, token) });
  const headers = { authorization: `Bearer ${token}` };

  const bad: [unknown, string][] = [
    [{}, 'months'],
    [{ months: [] }, 'months'],
    [{ months: ['2024-13'] }, 'months.0'],
    [{ months: ['2024-01'], start: '2024-01', end: '2024-02' }, 'months'],
    [{ start: '2024-03', end: '2024-01' }, 'end'],
    [{ start: '2024-01' }, 'end'],
    [{ start: '1900-01', end: '2024-01' }, 'start'],
    [{ months: ['2024-01'], extra: true }, 'extra'],
  ];
  for (const [payload, parameter] of bad) {
    const res = await app.inject({ method: 'POST', url: '/admin/builds', payload: payload as object, headers });
    assert.equal(res.statusCode, 400, JSON.stringify(payload));
    assert.ok(res.json().errors.some((e: { parameter: string }) => e.parameter === parameter), `${JSON.stringify(payload)} names ${parameter}: ${res.body}`);
  }

  const res = await app.inject({ method: 'POST', url: '/admin/builds', payload: { start: '2024-01', end: '2024-02' }, headers });
  assert.equal(res.statusCode, 202, res.body);
  const job = res.json();
  assert.equal(res.headers.location, `/admin/builds/${job.id}`);
  assert.equal(job.status, 'queued');
  assert.deepEqual(job.months, ['2024-01', '2024-02']);
  assert.deepEqual(job.progress, { done: 0, total: 0, failed: 0 });

  // The same months again while it runs: the same job.
  const again = await app.inject({ method: 'POST', url: '/admin/builds', payload: { months: ['2024-02'] }, headers });
  assert.equal(again.statusCode, 202);
  assert.equal(again.json().id, job.id);

  let polled: any;
  for (let i = 0; i < 500; i++) {
    const get: { statusCode: number; json(): any } = await app.inject({ url: String(res.headers.location), headers });
    assert.equal(get.statusCode, 200);
    polled = get.json();
    if (polled.status === 'succeeded' || polled.status === 'failed') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(polled.status, 'succeeded', JSON.stringify(polled));
  // Every member of the body, checked (a member the mapping dropped would otherwise go unnoticed).
  const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
  const { created_at, started_at, finished_at, results, progress, ...rest } = polled;
  for (const time of [created_at, started_at, finished_at]) assert.match(time, ISO);
  assert.ok(created_at <= started_at && started_at <= finished_at);
  assert.deepEqual(rest, {
    id: job.id,
    status: 'succeeded',
    months: ['2024-01', '2024-02'],
    phase: 'done',
    months_done: 2,
    // Both datasets by default; this GDAC has no synthetic index, so BGC is skipped, saying why.
    datasets: ['phy', 'bgc'],
    skipped: { bgc: 'no synthetic profile index on the GDAC' },
    // One dateless index row a month, read once.
    undated: { candidates: 2, fetched: 2, failures: [] },
  });
  assert.deepEqual(progress, { done: progress.total, total: progress.total, failed: 0 });
  assert.deepEqual(results.map((r: { month: string }) => r.month), ['2024-01', '2024-02']);
  for (const r of results) {
    // A first build: nothing reused, dropped or failed; every listed or excluded profile was fetched.
    assert.deepEqual(r, { month: r.month, profiles: r.profiles, reused: 0, fetched: r.fetched, failed: 0, dropped: 0, excluded: r.excluded }, JSON.stringify(r));
    assert.ok(r.profiles >= 10 && r.fetched >= r.profiles + r.excluded, JSON.stringify(r));
  }
  assert.ok(progress.total >= results.reduce((n: number, r: { fetched: number }) => n + r.fetched, 0), JSON.stringify(progress));

  const months = await app.inject('/v1/months');
  assert.deepEqual(
    months.json().map((m: { month: string; profiles: number }) => [m.month, m.profiles]),
    results.map((r: { month: string; profiles: number }) => [r.month, r.profiles]),
  );

  const unknown = await app.inject({ url: '/admin/builds/00000000-0000-0000-0000-000000000000', headers });
  assert.equal(unknown.statusCode, 404);
  const malformed = await app.inject({ url: '/admin/builds/not-a-job', headers });
  assert.equal(malformed.statusCode, 400);
});

test('builds take months from 1997-01 to the current month (an injected clock); each error names the field and the other convention', async (t) => {
  const token = 'clock-token';
  // The clock says 2024-02-15: 2024-03 is a month of the future.
  const app = await build(t, { env: await env(t, token), now: () => new Date('2024-02-15T12:00:00Z') });
  const headers = { authorization: `Bearer ${token}` };
  const post = (payload: object) => app.inject({ method: 'POST', url: '/admin/builds', payload, headers });

  const cases: [object, { parameter: string; message: string }[]][] = [
    [{ start: '1990-01', end: '2024-12' }, [{ parameter: 'start', message: '1990-01 is before 1997-01: the first Argo profiles are from 1997' }]],
    [{ start: '1997-01', end: '2024-03' }, [{ parameter: 'end', message: '2024-03 is after the current month (2024-02): there is nothing to build yet' }]],
    [
      { start: '2024-03', end: '2024-04' },
      [
        { parameter: 'start', message: '2024-03 is after the current month (2024-02): there is nothing to build yet' },
        { parameter: 'end', message: '2024-04 is after the current month (2024-02): there is nothing to build yet' },
      ],
    ],
    [{ months: ['2024-01', '1996-12'] }, [{ parameter: 'months.1', message: '1996-12 is before 1997-01: the first Argo profiles are from 1997' }]],
    [{ months: ['2030-01'] }, [{ parameter: 'months.0', message: '2030-01 is after the current month (2024-02): there is nothing to build yet' }]],
    [
      { start: '2024-01-01', end: '2024-02' },
      [{ parameter: 'start', message: 'must be a month as YYYY-MM (got "2024-01-01"): builds take months YYYY-MM (start and end both included); profiles take dates ([start, end), end excluded)' }],
    ],
  ];
  for (const [payload, errors] of cases) {
    const res = await post(payload);
    assert.equal(res.statusCode, 400, JSON.stringify(payload));
    assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.deepEqual(res.json().errors, errors, JSON.stringify(payload));
  }

  // The bounds themselves are accepted: 1997-01 and the current month.
  const first = await post({ months: ['1997-01'] });
  assert.equal(first.statusCode, 202, first.body);
  assert.deepEqual(first.json().months, ['1997-01']);
  const current = await post({ start: '2024-01', end: '2024-02' });
  assert.equal(current.statusCode, 202, current.body);
  assert.deepEqual(current.json().months, ['2024-01', '2024-02']);
  await app.builds.wait(first.json().id);
  await app.builds.wait(current.json().id);
});
