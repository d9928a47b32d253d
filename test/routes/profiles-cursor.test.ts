/**
 * Key-set pagination and HEAD on `/v1/profiles`, over the demo GDAC served by the test mirror:
 * following every `Link: rel="next"` of a multi-month window gives exactly the uncapped result in
 * order; the json `next` member is the same link; a month rebuilt between pages (a file updated,
 * one added) neither repeats nor skips a profile that did not change; a cursor sent with other
 * filters is a 400 naming `cursor`; HEAD answers GET's headers with no body and no GDAC request.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { writeArgoProfile } from '../../fixtures/index.js';
import { build } from '../helpers/build.js';
import { startDemoWorld, type DemoWorld } from '../kit/demo-world.js';

let world: DemoWorld;
before(async () => {
  world = await startDemoWorld();
});
after(() => world?.stop());

const WINDOW = { start: '2024-01-01', end: '2024-04-01' };

interface Page {
  ids: string[];
  link?: string;
  headers: Record<string, string | string[] | number | undefined>;
  body: { profiles: { id: string; TEMP?: unknown }[]; next: string | null; matched: number; truncated: boolean };
}

function urlOf(query: Record<string, string>): string {
  return `/v1/profiles?${new URLSearchParams(query).toString()}`;
}

function nextOf(headers: Page['headers']): string | undefined {
  const link = headers.link;
  if (link === undefined) return undefined;
  const m = /^<([^>]+)>;\s*rel="next"$/.exec(String(link));
  assert.ok(m, `Link header: ${String(link)}`);
  return m[1];
}

async function page(app: FastifyInstance, url: string): Promise<Page> {
  const res = await app.inject({ method: 'GET', url });
  assert.equal(res.statusCode, 200, res.body);
  const body = JSON.parse(res.body) as Page['body'];
  return { ids: body.profiles.map((p) => p.id), link: nextOf(res.headers), headers: res.headers, body };
}

/** Follows every next link from `url`; returns the pages. */
async function follow(app: FastifyInstance, url: string, limit = 100): Promise<Page[]> {
  const pages: Page[] = [];
  let next: string | undefined = url;
  while (next) {
    assert.ok(pages.length < limit, 'too many pages');
    const p = await page(app, next);
    pages.push(p);
    next = p.link;
  }
  return pages;
}

describe('cursor pages concatenate to the uncapped result', () => {
  test('a three-month window, positions and full profiles, several page sizes', async (t) => {
    const app = await build(t, { env: world.env });
    const all = await page(app, urlOf({ ...WINDOW, fields: 'positions', format: 'json', max_profiles: '10000' }));
    assert.equal(all.body.truncated, false);
    assert.equal(all.link, undefined);
    assert.equal(all.body.next, null);
    assert.ok(all.ids.length > 300, `${all.ids.length} profiles`);
    for (const size of [1000, 97, 150]) {
      const pages = await follow(app, urlOf({ ...WINDOW, fields: 'positions', format: 'json', max_profiles: String(size) }));
      assert.deepEqual(pages.flatMap((p) => p.ids), all.ids, `page size ${size}`);
      let remaining = all.ids.length;
      for (const [i, p] of pages.entries()) {
        // Matched counts what remains after the cursor.
        assert.equal(Number(p.headers['x-argo-profiles-matched']), remaining, `page ${i}`);
        assert.equal(p.body.matched, remaining);
        assert.equal(p.body.truncated, i < pages.length - 1);
        assert.equal(p.headers['x-argo-truncated'], String(i < pages.length - 1));
        // json's next is the Link target.
        assert.equal(p.body.next, p.link ?? null);
        remaining -= p.ids.length;
      }
      assert.equal(pages.length, Math.ceil(all.ids.length / size));
    }
    // Full profiles, with output options changed between pages (the cursor allows it).
    const first = await page(app, urlOf({ ...WINDOW, format: 'json', max_profiles: '60', depth: '0,10' }));
    assert.ok(first.link?.startsWith('/v1/profiles?'));
    const rest = await follow(app, first.link!.replace('depth=0%2C10', 'depth=0%2C20').replace('max_profiles=60', 'max_profiles=200'));
    assert.deepEqual([...first.ids, ...rest.flatMap((p) => p.ids)], all.ids);
  });

  test('the link keeps the request\'s parameters and replaces only the cursor', async (t) => {
    const app = await build(t, { env: world.env });
    const url = `/v1/profiles?start=2024-01-01&end=2024-04-01&bbox=-180,-90,180,90&max_profiles=5&format=json&fields=positions`;
    const p1 = await page(app, url);
    assert.match(p1.link!, /^\/v1\/profiles\?start=2024-01-01&end=2024-04-01&bbox=-180,-90,180,90&max_profiles=5&format=json&fields=positions&cursor=[A-Za-z0-9_-]+$/);
    const p2 = await page(app, p1.link!);
    assert.equal(p2.link!.split('&cursor=').length, 2, 'one cursor only');
    assert.notEqual(p2.link, p1.link);
    const res = await app.inject({ method: 'GET', url: urlOf({ ...WINDOW, max_profiles: '5' }), headers: { origin: 'https://example.org' } });
    assert.match(String(res.headers['access-control-expose-headers']), /\bLink\b/);
  });

  test('a cursor with other filters, or not a cursor, is a 400 naming cursor', async (t) => {
    const app = await build(t, { env: world.env });
    const p1 = await page(app, urlOf({ ...WINDOW, fields: 'positions', format: 'json', max_profiles: '5' }));
    const cursor = new URL(p1.link!, 'http://x').searchParams.get('cursor')!;
    for (const query of [
      { ...WINDOW, mode: 'research', cursor },
      { ...WINDOW, bbox: '-60,0,0,60', cursor },
      { ...WINDOW, start: '2024-01-02', cursor },
      { ...WINDOW, cursor: 'not-a-cursor' },
      { ...WINDOW, cursor: cursor.slice(0, -4) },
    ]) {
      const res = await app.inject({ method: 'GET', url: urlOf(query) });
      assert.equal(res.statusCode, 400, res.body);
      assert.deepEqual(JSON.parse(res.body).errors.map((e: { parameter: string }) => e.parameter), ['cursor']);
    }
  });
});

describe('a month rebuilt between pages', () => {
  test('no duplicate, no skip of an unchanged profile (a file updated, one added)', async (t) => {
    const month = { start: '2024-02-01', end: '2024-03-01' };
    const query = { ...month, format: 'json', max_profiles: '40', depth: '0,10' };
    const app1 = await build(t, { env: world.env });
    const before = await page(app1, urlOf({ ...month, format: 'json', fields: 'positions', max_profiles: '10000' }));
    const p1 = await page(app1, urlOf(query));
    assert.ok(p1.link);

    // The GDAC changes: a profile after the cursor gets new data, a new profile appears after it.
    const indexPath = join(world.demo.outDir, 'ar_index_global_prof.txt');
    const text = readFileSync(indexPath, 'latin1');
    const updatedId = before.ids[60];
    const donor = world.demo.profiles.find((p) => p.id === updatedId)!;
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.startsWith(`${updatedId},`));
    assert.ok(at > 0);
    const cells = lines[at].split(',');
    const newer = '20240601000000';
    lines[at] = [...cells.slice(0, 7), newer].join(',');
    const levels = { PRES: [0, 10, 20], TEMP: [5, 4, 3], PSAL: [34, 34.1, 34.2] };
    const updatedBytes = writeArgoProfile({
      profiles: [{ platformNumber: donor.platform, cycleNumber: donor.cycle, direction: donor.direction, dataMode: donor.dataMode, timeMs: donor.timeMs, latitude: donor.latitude, longitude: donor.longitude, levels }],
    });
    const addedTime = donor.timeMs! + 1000;
    const addedId = `${updatedId.split('/').slice(0, 3).join('/')}/R${donor.platform}_901.nc`;
    const addedBytes = writeArgoProfile({
      profiles: [{ platformNumber: donor.platform, cycleNumber: 901, timeMs: addedTime, latitude: donor.latitude, longitude: donor.longitude, levels }],
    });
    const stamp = new Date(addedTime).toISOString().replace(/[-:T]/g, '').slice(0, 14);
    lines.splice(at + 1, 0, [addedId, stamp, ...cells.slice(2, 7), newer].join(','));
    world.mirror.setFile(`dac/${updatedId}`, updatedBytes);
    world.mirror.setFile(`dac/${addedId}`, addedBytes);
    world.mirror.setFile('ar_index_global_prof.txt', new TextEncoder().encode(lines.join('\n')));
    world.mirror.setFault('ar_index_global_prof.txt.gz', { kind: 'status', status: 404 });
    await world.buildMonths(['2024-02']);

    const app2 = await build(t, { env: world.env });
    const afterAll = await page(app2, urlOf({ ...month, format: 'json', fields: 'positions', max_profiles: '10000' }));
    assert.ok(afterAll.ids.includes(addedId), 'the rebuild saw the new file');
    const rest = await follow(app2, p1.link!);
    const seen = [...p1.ids, ...rest.flatMap((p) => p.ids)];
    assert.equal(new Set(seen).size, seen.length, 'no duplicate');
    // Every profile of the rebuilt month that was there before (updated or not) is seen, in order.
    assert.deepEqual(seen.filter((id) => id !== addedId), before.ids);
    assert.deepEqual(seen, afterAll.ids, 'the added profile (after the cursor) is on a later page');
    // The updated profile's new data is what page 2+ carries.
    const updated = rest.flatMap((p) => p.body.profiles).find((p) => p.id === updatedId) as { TEMP: number[] } | undefined;
    assert.equal(updated?.TEMP[0], 5);
  });
});

describe('HEAD /v1/profiles', () => {
  test('the same headers as GET, no body, no GDAC request', async (t) => {
    const query = { ...WINDOW, max_profiles: '25', depth: '0,10,20', format: 'csv', bbox: '-60,20,0,60' };
    // GDAC ranges, not the months' data packs: the mirror's request count is what shows a level read.
    const app = await build(t, { env: { ...world.env, ARGO_QUERY_SOURCE: 'gdac' } });
    world.mirror.resetStats();
    const head = await app.inject({ method: 'HEAD', url: urlOf(query) });
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, '');
    assert.equal(world.mirror.stats.requests, 0, 'HEAD read nothing from the GDAC');
    const get = await app.inject({ method: 'GET', url: urlOf(query) });
    assert.ok(world.mirror.stats.requests > 0, 'GET does read the GDAC (so the check above can fail)');
    for (const name of ['content-type', 'x-argo-profiles-matched', 'x-argo-truncated', 'x-argo-months-missing', 'link', 'vary']) {
      assert.equal(head.headers[name], get.headers[name], name);
    }
    assert.equal(head.headers['x-argo-truncated'], 'true');
    assert.ok(String(head.headers.link).includes('cursor='));
    // A missing month is reported by HEAD too; a bad parameter is the same 400.
    const missing = await app.inject({ method: 'HEAD', url: urlOf({ start: '2023-12-01', end: '2024-02-01' }) });
    assert.equal(missing.headers['x-argo-months-missing'], '2023-12');
    const bad = await app.inject({ method: 'HEAD', url: urlOf({ start: '2024-01-01', end: 'x' }) });
    assert.equal(bad.statusCode, 400);
  });
});
