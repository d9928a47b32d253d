/** `npm run demo`: generate, build, serve — in temp directories, on port 0, with no network. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { runDemo } from '../../src/cli/demo.js';
import { tempDir } from '../month-index/helpers.js';

test('the demo generates its GDAC, builds its months and serves them', async (t) => {
  const dir = await tempDir(t, 'demo-');
  const options = { gdacDir: join(dir, 'gdac'), storeDir: join(dir, 'index'), env: { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ARGO_ADMIN_TOKEN: undefined } };
  const demo = await runDemo(options);
  try {
    assert.equal(demo.generated, true);
    assert.deepEqual(demo.built, ['2024-01', '2024-02', '2024-03']);
    const health = await fetch(`${demo.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');
    const listed = (await (await fetch(`${demo.url}/v1/months`)).json()) as { month: string; profiles: number; failed: number; dataset: string }[];
    const months = listed.filter((m) => m.dataset === 'phy');
    assert.deepEqual(months.map((m) => m.month), ['2024-01', '2024-02', '2024-03']);
    // The demo's BGC floats: their months are built too.
    const bgcMonths = listed.filter((m) => m.dataset === 'bgc');
    assert.deepEqual(bgcMonths.map((m) => m.month), ['2024-01', '2024-02', '2024-03']);
    assert.ok(bgcMonths.every((m) => m.profiles > 0 && m.failed === 0), JSON.stringify(bgcMonths));
    for (const m of months) {
      assert.equal(m.profiles, 149, `${m.month}: 150 files, one without a position`);
      assert.equal(m.failed, 0);
    }
    const query = await fetch(`${demo.url}/v1/profiles?start=2024-01-01&end=2024-01-05&depth=0,100,500&format=json`);
    assert.equal(query.status, 200);
    const body = (await query.json()) as { profiles: unknown[]; error?: unknown };
    assert.equal(body.error, undefined, JSON.stringify(body.error));
    assert.ok(body.profiles.length > 5, `profiles are served from the demo GDAC: ${JSON.stringify(body).slice(0, 500)}`);
    // The README's BGC example: oxygen, chlorophyll and backscatter from the demo's synthetic files.
    const bgc = await fetch(`${demo.url}/v1/profiles?dataset=bgc&start=2024-01-01&end=2024-04-01&variables=DOXY,CHLA,BBP700&depth=0,50,100&mode=expert`);
    assert.equal(bgc.status, 200, await bgc.clone().text());
    assert.match(String(bgc.headers.get('x-argo-units')), /DOXY=micromole\/kg/);
    const lines = (await bgc.text()).split('\n').filter((l) => l).map((l) => JSON.parse(l) as { data_mode: unknown; parameter_data_mode: Record<string, string>; DOXY: (number | null)[] | null });
    assert.ok(lines.length > 0, 'BGC profiles are served from the demo GDAC');
    assert.ok(lines.every((p) => p.data_mode === null && typeof p.parameter_data_mode.DOXY === 'string'));
    assert.ok(lines.some((p) => p.DOXY?.some((v) => v !== null)), 'some oxygen values');
    const admin = await fetch(`${demo.url}/admin/builds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"months":["2024-01"]}' });
    assert.equal(admin.status, 403, 'no ARGO_ADMIN_TOKEN: admin routes are off');
  } finally {
    await demo.close();
  }

  // A second start reuses both the GDAC and the built months.
  const again = await runDemo(options);
  try {
    assert.equal(again.generated, false);
    assert.deepEqual(again.built, []);
    assert.equal(((await (await fetch(`${again.url}/v1/months`)).json()) as unknown[]).length, 6);
  } finally {
    await again.close();
  }
});
