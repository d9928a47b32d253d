/**
 * The README's and the OpenAPI document's examples return data from the demo (`npm run demo`:
 * the generated GDAC, months 2024-01..2024-03, built and served on loopback):
 *
 * - every `curl` command of the README, parsed from README.md and sent as written (its URL moved
 *   to the demo's port): a non-empty answer with real values, depth examples starting at a level
 *   that has data;
 * - the README's Python example, run with the client (when python3 has xarray and matplotlib);
 * - the parameter examples of GET /v1/profiles, together (what Swagger UI's "Try it out" sends)
 *   and each alone, the month example of GET /v1/months/{month}, and the build request examples.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runDemo, type RunningDemo } from '../src/cli/demo.js';
import { generateOpenapiDocument } from '../src/http/openapi-document.js';
import { tempDir } from './month-index/helpers.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const README_URL = 'http://localhost:8080';
const TOKEN = 'secret';

type Json = Record<string, any>;

/** Shell words of a command line: '…' and "…" quoted, `\` continuations joined, `|` a word of its own. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      assert.ok(end > i, `unterminated quote in ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === ' ' || c === '\t') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '|') {
      if (word !== undefined) words.push(word);
      words.push('|');
      word = undefined;
    } else if (c === '#' && word === undefined) {
      break; // a comment
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

export interface CurlExample {
  text: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** `| head` after it: the first N lines only (10 by default, as head does). */
  head?: number;
}

/** Every `curl` command of the README's shell blocks. Fails on a curl flag or pipe this test does not know. */
export function readmeCurlExamples(readme: string): CurlExample[] {
  const examples: CurlExample[] = [];
  for (const [, block] of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const lines = block.replace(/\\\n\s*/g, ' ').split('\n');
    for (const line of lines) {
      const words = shellWords(line.trim());
      if (words[0] !== 'curl') continue;
      const example: CurlExample = { text: line.trim(), method: 'GET', url: '', headers: {} };
      for (let i = 1; i < words.length; i++) {
        const w = words[i];
        if (w === '-s') continue;
        if (w === '-X') example.method = words[++i];
        else if (w === '-H') {
          const [name, ...value] = words[++i].split(':');
          example.headers[name.trim().toLowerCase()] = value.join(':').trim();
        } else if (w === '-d') {
          example.body = words[++i];
          if (example.method === 'GET') example.method = 'POST';
        } else if (w.startsWith('http://')) example.url = w;
        else if (w === '|') {
          const rest = words.slice(i + 1);
          assert.equal(rest[0], 'head', `${example.text}: only \`| head\` is understood`);
          example.head = rest[1] === '-n' ? Number(rest[2]) : 10;
          break;
        } else assert.fail(`${example.text}: the curl flag ${w} is not understood by this test`);
      }
      assert.ok(example.url.startsWith(README_URL), `${example.text}: the README's examples address ${README_URL}`);
      examples.push(example);
    }
  }
  return examples;
}

/** The NDJSON profiles of a body; fails on an error line. */
function ndjsonProfiles(body: string): Json[] {
  const profiles = body
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Json);
  for (const p of profiles) assert.equal(p.error, undefined, `an error line: ${JSON.stringify(p.error)}`);
  return profiles;
}

/** At least one profile, each with values; on target levels, the first level has data somewhere. */
function assertProfilesWithValues(profiles: Json[], url: URL, where: string): void {
  assert.ok(profiles.length > 0, `${where}: no profile`);
  const variables = (url.searchParams.get('variables') ?? 'TEMP,PSAL').split(',');
  for (const p of profiles) {
    assert.match(p.id, /^[a-z]+\/\d+\/profiles\/S?[RD]\d+_\d+D?\.nc$/, where);
    assert.ok(Math.abs(p.latitude) <= 90 && Math.abs(p.longitude) <= 180, where);
    const values = variables.flatMap((v) => (p[v] ?? []) as (number | null)[]).filter((v) => typeof v === 'number');
    assert.ok(values.length > 0, `${where}: ${p.id} has values`);
  }
  if (url.searchParams.has('depth')) {
    const firstLevelHasData = profiles.some((p) => variables.some((v) => typeof p[v]?.[0] === 'number'));
    assert.ok(firstLevelHasData, `${where}: the first depth level (${p0(url)}) has data in some profile`);
  }
}

function p0(url: URL): string {
  return (url.searchParams.get('depth') ?? '').split(/[,:]/)[0];
}

async function startDemo(t: Parameters<typeof tempDir>[0]): Promise<RunningDemo> {
  const dir = await tempDir(t, 'readme-demo-');
  const demo = await runDemo({
    gdacDir: join(dir, 'gdac'),
    storeDir: join(dir, 'index'),
    env: { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ARGO_ADMIN_TOKEN: TOKEN },
  });
  t.after(() => demo.close());
  return demo;
}

async function waitForJob(demo: RunningDemo, id: string): Promise<Json> {
  const job = await demo.services.builds.wait(id);
  return job as unknown as Json;
}

test('every curl example of the README returns data from the demo', async (t) => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const examples = readmeCurlExamples(readme);
  assert.ok(examples.length >= 6, `${examples.length} curl examples found`);
  const demo = await startDemo(t);
  let lastJobId: string | undefined;
  for (const example of examples) {
    const where = example.text;
    const path = example.url.slice(README_URL.length).replace('<id>', () => {
      assert.ok(lastJobId, `${where}: <id> comes from the POST before it`);
      return lastJobId;
    });
    const url = new URL(path, demo.url);
    const response = await fetch(url, { method: example.method, headers: example.headers, body: example.body });
    let body = await response.text();
    if (example.head !== undefined) body = body.split('\n').slice(0, example.head).join('\n');
    assert.ok(response.status === 200 || response.status === 202, `${where}: ${response.status} ${body.slice(0, 300)}`);
    assert.ok(body.trim().length > 0, `${where}: an empty answer`);

    if (url.pathname.startsWith('/v1/months/') && url.searchParams.get('dataset') === 'bgc') {
      const detail = JSON.parse(body) as Json;
      assert.equal(detail.month, url.pathname.slice('/v1/months/'.length), where);
      const doxy = (detail.parameters as Json[] | undefined)?.find((p) => p.name === 'DOXY');
      assert.ok(doxy && typeof doxy.units === 'string' && doxy.units.length > 0, `${where}: DOXY and its units`);
    } else if (url.pathname === '/v1/months') {
      const months = JSON.parse(body) as Json[];
      assert.deepEqual(months.filter((m) => m.dataset === 'phy').map((m) => m.month), ['2024-01', '2024-02', '2024-03'], where);
      assert.ok(months.filter((m) => m.dataset === 'phy').every((m) => m.profiles > 100), where);
    } else if (url.pathname === '/v1/profiles' && url.searchParams.get('fields') === 'positions') {
      // Positions only: one row per profile, no level columns.
      const [header, ...rows] = body.trim().split('\n');
      assert.ok(header.startsWith('id,platform_number,cycle_number,direction,data_mode,time,latitude,longitude'), where);
      assert.ok(!header.split(',').includes('TEMP'), `${where}: no level data`);
      assert.ok(rows.length > 0 && rows.every((r) => Number.isFinite(Number(r.split(',')[6]))), `${where}: positions`);
    } else if (url.pathname === '/v1/profiles' && url.searchParams.get('format') === 'csv') {
      const [header, ...rows] = body.trim().split('\n');
      assert.ok(header.startsWith('id,platform_number,cycle_number,direction,data_mode,time,latitude,longitude,depth,'), where);
      assert.ok(rows.length > 0, `${where}: no row`);
      const temp = header.split(',').indexOf('TEMP');
      const values = rows.map((r) => r.split(',')[temp]).filter((v) => v !== '');
      assert.ok(values.length > 0 && values.every((v) => Number.isFinite(Number(v))), `${where}: TEMP values`);
      // The first level of the first profile (csv rows come level by level).
      assert.notEqual(rows[0].split(',')[temp], '', `${where}: the first depth level (${p0(url)}) has data`);
    } else if (url.pathname === '/v1/profiles') {
      const profiles = ndjsonProfiles(body);
      assertProfilesWithValues(profiles, url, where);
      const bbox = url.searchParams.get('bbox')?.split(',').map(Number);
      if (bbox && bbox[0] > bbox[2]) {
        // Across the antimeridian: profiles on both sides of 180°.
        assert.ok(profiles.some((p) => p.longitude > 0) && profiles.some((p) => p.longitude < 0), `${where}: both sides of 180°`);
      }
      if (url.searchParams.get('mode') === 'research') assert.ok(profiles.every((p) => p.data_mode === 'D'), where);
      if (url.searchParams.has('max_profiles')) assert.ok(profiles.length <= Number(url.searchParams.get('max_profiles')), where);
    } else if (url.pathname === '/admin/builds' && example.method === 'GET') {
      const listed = JSON.parse(body) as Json;
      assert.ok(Array.isArray(listed.builds) && listed.builds.length > 0, `${where}: recent jobs`);
      assert.ok(listed.builds.every((b: Json) => typeof b.id === 'string' && typeof b.status === 'string'), where);
    } else if (url.pathname === '/admin/builds' && example.method === 'POST') {
      const job = JSON.parse(body) as Json;
      assert.equal(response.status, 202, where);
      assert.deepEqual(job.months, ['2024-01', '2024-02', '2024-03'], where);
      lastJobId = job.id;
    } else if (url.pathname.startsWith('/admin/months/') && example.method === 'DELETE') {
      const removed = JSON.parse(body) as Json;
      assert.equal(removed.month, url.pathname.slice('/admin/months/'.length), where);
      assert.ok(removed.removed?.profiles > 100 && removed.deleted_objects >= 1, `${where}: ${body.slice(0, 300)}`);
    } else if (url.pathname.startsWith('/admin/builds/')) {
      const job = JSON.parse(body) as Json;
      assert.equal(job.id, lastJobId, where);
      assert.ok(['queued', 'running', 'succeeded'].includes(job.status), where);
      const done = await waitForJob(demo, String(job.id));
      assert.equal(done.status, 'succeeded', `${where}: ${JSON.stringify(done)}`);
      // Both datasets by default: the three core months, and the BGC months of the demo's BGC floats.
      const core = done.results.filter((r: Json) => r.dataset === undefined);
      assert.equal(core.length, 3, where);
      assert.ok(core.every((r: Json) => r.profiles > 100), where);
      assert.ok(done.results.some((r: Json) => r.dataset === 'bgc' && r.profiles > 0), `${where}: BGC months built too`);
    } else {
      assert.fail(`${where}: no check for ${url.pathname}; add one`);
    }
  }
  // The one sentence on why 0 m is null is there.
  assert.match(readme, /shallowest level is around 5 m and nothing is extrapolated/);
});

/** The interpreter that can run the README's Python example (Debian's has xarray and matplotlib). */
function python(): string | undefined {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    if (spawnSync(candidate, ['-c', 'import xarray, matplotlib, netCDF4'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return undefined;
}

const PYTHON = python();

test('the README\'s Python example returns data from the demo', { skip: PYTHON ? false : 'python3 with xarray, matplotlib and netCDF4 is not installed' }, async (t) => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Python'));
  const code = /```python\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(code, 'a python block under ## Python');
  assert.ok(code.includes(README_URL));
  const demo = await startDemo(t);
  const cwd = await tempDir(t, 'readme-python-');
  // What the example made, printed after it: how many profiles and TEMP values it holds.
  const script = `${code.replaceAll(README_URL, demo.url)}\nprint("profiles", ds.sizes["profile"], "temp_values", int(ds.TEMP.notnull().sum()), "first_level", float(ds.depth[0]))\n`;
  const child = spawn(PYTHON!, ['-c', script], {
    cwd,
    env: { ...process.env, PYTHONPATH: join(root, 'clients/python/src'), MPLBACKEND: 'Agg' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (err += d));
  const code_ = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code_, 0, err);
  assert.match(out, /^\['2024-01', '2024-02', '2024-03'\]$/m);
  const m = /^profiles (\d+) temp_values (\d+) first_level ([\d.]+)$/m.exec(out);
  assert.ok(m, out);
  assert.ok(Number(m[1]) > 0 && Number(m[2]) > 0, out);
  assert.equal(Number(m[3]), 10, 'the depth example starts at 10 m');
  for (const file of ['temp_section.png', 'argo_2024-01.nc']) assert.ok(existsSync(join(cwd, file)), `${file} written`);
});

test('every OpenAPI example returns data from the demo: Swagger UI\'s "Try it out" defaults, each parameter example alone, the month and build examples', async (t) => {
  const doc = (await generateOpenapiDocument()) as Json;
  const demo = await startDemo(t);

  const parameters = doc.paths['/v1/profiles'].get.parameters as Json[];
  const example = (p: Json): string => String(p.schema?.example ?? p.example);
  const required = parameters.filter((p) => p.required);
  assert.deepEqual(required.map((p) => p.name), ['start', 'end']);
  const queries: [string, Json[]][] = [
    ['every parameter example (Try it out)', parameters],
    // near and radius_km go together (a radius search needs both).
    ...parameters
      .filter((p) => !p.required && p.name !== 'cursor')
      .map((p): [string, Json[]] => {
        const pair = p.name === 'near' || p.name === 'radius_km' ? parameters.filter((q) => q.name === 'near' || q.name === 'radius_km') : [p];
        return [`${p.name} alone`, [...required, ...pair]];
      }),
  ];
  for (const [name, chosen] of queries) {
    const url = new URL('/v1/profiles', demo.url);
    // A cursor has no example: it only continues the page it came from.
    for (const p of chosen) if (p.name !== 'cursor') url.searchParams.set(p.name, example(p));
    if (!url.searchParams.has('format')) url.searchParams.set('format', 'ndjson');
    const response = await fetch(url);
    const body = await response.text();
    assert.equal(response.status, 200, `${name}: ${body.slice(0, 300)}`);
    assertProfilesWithValues(ndjsonProfiles(body), url, `${name} (${url.search})`);
  }

  const month = doc.paths['/v1/months/{month}'].get.parameters.find((p: Json) => p.name === 'month');
  const detail = await fetch(new URL(`/v1/months/${example(month)}`, demo.url));
  assert.equal(detail.status, 200);
  assert.ok(((await detail.json()) as Json).profiles > 100);

  const buildExamples = doc.components.schemas.BuildRequest.examples as Json[];
  assert.ok(buildExamples.length >= 2);
  for (const body of buildExamples) {
    const response = await fetch(new URL('/admin/builds', demo.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 202, JSON.stringify(body));
    const job = await waitForJob(demo, ((await response.json()) as Json).id);
    assert.equal(job.status, 'succeeded', JSON.stringify(job));
    if (body.dataset === 'bgc') {
      // BGC only: the demo's few BGC floats.
      assert.ok(job.results.length > 0 && job.results.every((r: Json) => r.dataset === 'bgc' && r.profiles > 0), JSON.stringify(job.results));
    } else {
      const core = job.results.filter((r: Json) => r.dataset === undefined);
      assert.ok(core.length > 0 && core.every((r: Json) => r.profiles > 100), JSON.stringify(job.results));
    }
  }
});
