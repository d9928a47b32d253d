/**
 * Admin management routes: GET /admin/builds (paged, newest first, Link rel="next" and `next`),
 * DELETE /admin/builds/{id} (cancel a queued or running job; every existing month stays as it
 * was) and DELETE /admin/months/{month} (objects deleted, master entry removed through the
 * read-modify-write, not resurrected by healing; the platform map follows). All behind the token.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createMonthCatalog } from '../../src/month-index/catalog.js';
import { healMonths, listMonthObjects, readMaster } from '../../src/month-index/master.js';
import { readPlatformMap } from '../../src/month-index/platform-map.js';
import { createLocalBlobStore } from '../../src/storage/local-blob-store.js';
import { build } from '../helpers/build.js';
import { startGdacMirror, type GdacMirror } from '../kit/gdac-mirror.js';
import { snapshotStore, tempDir } from '../month-index/helpers.js';
import { INDEX_PATH, makeFixtureGdac } from '../reliability/kit/fixture-gdac.js';

const TOKEN = 'jobs-test-token';
const headers = { authorization: `Bearer ${TOKEN}` };
const MONTHS = ['2023-01', '2023-02', '2023-03', '2023-04', '2023-05'];

async function setup(t: TestContext): Promise<{ app: FastifyInstance; mirror: GdacMirror; storeDir: string }> {
  const fx = makeFixtureGdac({ seed: 3, months: MONTHS, perMonth: 3 });
  const mirror = await startGdacMirror({ files: fx.files });
  t.after(() => mirror.stop());
  const storeDir = await tempDir(t, 'store-');
  const app = await build(t, {
    env: { ARGO_GDAC: mirror.url, ARGO_GDAC_INDEX: INDEX_PATH, ARGO_INDEX_STORE: storeDir, ARGO_ADMIN_TOKEN: TOKEN, ARGO_FETCH_TIMEOUT_SECONDS: '60' },
  });
  return { app, mirror, storeDir };
}

async function submit(app: FastifyInstance, months: string[]): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/admin/builds', payload: { months }, headers });
  assert.equal(res.statusCode, 202, res.body);
  return res.json().id as string;
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('the new admin routes require the token', async (t) => {
  const { app } = await setup(t);
  for (const [method, url] of [
    ['GET', '/admin/builds'],
    ['DELETE', '/admin/builds/5d0c3c8e-6a8e-4c7e-9a4b-0d3c7f9f2b11'],
    ['DELETE', '/admin/months/2023-01'],
  ] as const) {
    const res = await app.inject({ method, url });
    assert.equal(res.statusCode, 401, `${method} ${url}`);
    assert.match(String(res.headers['content-type']), /application\/problem\+json/);
  }
});

test('list builds (paged, newest first), cancel a queued and a running job: existing months stay intact', async (t) => {
  const { app, mirror, storeDir } = await setup(t);
  const first = await submit(app, ['2023-01', '2023-02']);
  assert.equal((await app.builds.wait(first)).status, 'succeeded');
  const store = createLocalBlobStore({ root: storeDir });
  const before = await snapshotStore(store);
  const masterBefore = (await readMaster(store)).master.months;
  assert.deepEqual(Object.keys(masterBefore), ['2023-01', '2023-02']);

  // The next job hangs on its profile files: it is running, mid-build, when cancelled.
  mirror.setFault('dac/**', { kind: 'stall', ms: 60_000 });
  const running = await submit(app, ['2023-01', '2023-03', '2023-04']);
  const queued = await submit(app, ['2023-05']);
  await until('the running job to fetch files', () => app.builds.get(running)?.phase === 'building');

  const page1 = await app.inject({ url: '/admin/builds?limit=2', headers });
  assert.equal(page1.statusCode, 200);
  assert.deepEqual(page1.json().builds.map((b: { id: string; status: string }) => [b.id, b.status]), [[queued, 'queued'], [running, 'running']]);
  const next = page1.json().next as string;
  assert.equal(next, `/admin/builds?limit=2&cursor=${running}`);
  assert.equal(page1.headers.link, `<${next}>; rel="next"`);
  const page2 = await app.inject({ url: next, headers });
  assert.deepEqual(page2.json().builds.map((b: { id: string }) => b.id), [first]);
  assert.equal(page2.json().next, undefined);
  assert.equal(page2.headers.link, undefined);
  const all = await app.inject({ url: '/admin/builds', headers });
  assert.deepEqual(all.json().builds.map((b: { id: string }) => b.id), [queued, running, first]);

  for (const [url, parameter] of [['/admin/builds?limit=0', 'limit'], ['/admin/builds?limit=abc', 'limit'], ['/admin/builds?limit=201', 'limit'], ['/admin/builds?cursor=nope', 'cursor'], ['/admin/builds?cursor=5d0c3c8e-6a8e-4c7e-9a4b-0d3c7f9f2b11', 'cursor']]) {
    const bad = await app.inject({ url, headers });
    assert.equal(bad.statusCode, 400, url);
    assert.ok(bad.json().errors.some((e: { parameter: string }) => e.parameter === parameter), `${url}: ${bad.body}`);
  }

  // A month being built cannot be removed meanwhile.
  const busy = await app.inject({ method: 'DELETE', url: '/admin/months/2023-03', headers });
  assert.equal(busy.statusCode, 409);
  assert.match(busy.json().detail, new RegExp(`being built by job ${running}`));

  const cancelQueued = await app.inject({ method: 'DELETE', url: `/admin/builds/${queued}`, headers });
  assert.equal(cancelQueued.statusCode, 200);
  assert.equal(cancelQueued.json().status, 'cancelled');
  assert.equal(cancelQueued.json().error, 'The build was cancelled before it started; nothing was changed.');
  const cancelRunning = await app.inject({ method: 'DELETE', url: `/admin/builds/${running}`, headers });
  assert.equal(cancelRunning.statusCode, 200);
  assert.equal(cancelRunning.json().status, 'cancelled');
  assert.equal(cancelRunning.json().phase, 'done');
  assert.match(cancelRunning.json().error, /cancelled; months it finished are kept/);
  // Only 2023-01 could finish (unchanged: nothing to download); the others were stalled on files.
  for (const r of cancelRunning.json().results) assert.deepEqual([r.month, r.unchanged], ['2023-01', true]);
  // Again: nothing changes, the job is answered as it is.
  const again = await app.inject({ method: 'DELETE', url: `/admin/builds/${running}`, headers });
  assert.equal(again.json().status, 'cancelled');
  assert.equal((await app.inject({ method: 'DELETE', url: '/admin/builds/5d0c3c8e-6a8e-4c7e-9a4b-0d3c7f9f2b11', headers })).statusCode, 404);
  assert.equal((await app.inject({ method: 'DELETE', url: '/admin/builds/not-an-id', headers })).statusCode, 400);

  // Every object of the existing months, and their master entries, as they were; no new month.
  const after = await snapshotStore(store);
  for (const [key, bytes] of before) if (key.startsWith('months/')) assert.equal(after.get(key), bytes, key);
  assert.deepEqual([...after.keys()].filter((k) => k.startsWith('months/')), [...before.keys()].filter((k) => k.startsWith('months/')));
  assert.deepEqual((await readMaster(store)).master.months, masterBefore);
  const months = await app.inject({ url: '/v1/months' });
  assert.deepEqual(months.json().map((m: { month: string }) => m.month), ['2023-01', '2023-02']);
});

test('DELETE /admin/months/{month}: objects deleted, master entry removed, not healed back; 404 when not built', async (t) => {
  const { app, storeDir } = await setup(t);
  assert.equal((await app.builds.wait(await submit(app, ['2023-01', '2023-02']))).status, 'succeeded');
  const store = createLocalBlobStore({ root: storeDir });
  const key = (await readMaster(store)).master.months['2023-01'].key;
  const map = await readPlatformMap(store);
  assert.ok(map?.months['2023-01'] && map.months['2023-01'].key === key, 'the builder wrote the platform map');

  const res = await app.inject({ method: 'DELETE', url: '/admin/months/2023-01', headers });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().month, '2023-01');
  assert.equal(res.json().removed.profiles, 3);
  assert.equal(res.json().deleted_objects, 1);

  assert.deepEqual([...(await listMonthObjects(store)).keys()], ['2023-02']);
  const { master } = await readMaster(store);
  assert.deepEqual(Object.keys(master.months), ['2023-02']);
  // Healing from the listing (what every reader and builder does) does not bring it back.
  assert.deepEqual(Object.keys(await healMonths({ store, master })), ['2023-02']);
  const fresh = createMonthCatalog({ store, monthCacheBytes: 1 << 20, masterTtlMs: 0 });
  assert.deepEqual((await fresh.listMonths()).map((m) => m.month), ['2023-02']);
  assert.equal((await readPlatformMap(store))?.months['2023-01'], undefined, 'platform map entry dropped');
  // This process stops serving it at once.
  assert.deepEqual((await app.inject({ url: '/v1/months' })).json().map((m: { month: string }) => m.month), ['2023-02']);
  assert.equal((await app.inject({ url: '/v1/months/2023-01' })).statusCode, 404);

  const gone = await app.inject({ method: 'DELETE', url: '/admin/months/2023-01', headers });
  assert.equal(gone.statusCode, 404);
  assert.match(gone.json().detail, /2023-01 has no built index/);
  assert.equal((await app.inject({ method: 'DELETE', url: '/admin/months/2023-13', headers })).statusCode, 400);

  // Built again, it is back.
  assert.equal((await app.builds.wait(await submit(app, ['2023-01']))).status, 'succeeded');
  assert.deepEqual((await app.inject({ url: '/v1/months' })).json().map((m: { month: string }) => m.month), ['2023-01', '2023-02']);
});
