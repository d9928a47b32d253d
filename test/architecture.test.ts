/**
 * The house rules that a grep can check: config is the only reader of process.env; the modules of
 * src/ import only modules below them (the layer table below), so data flows one way; nothing
 * below the HTTP layer imports fastify; serialize/ takes only types from query/, and query/ never
 * imports serialize/; netcdf/ and argo/ do no I/O; schemas/ imports nothing from src/; routes never
 * import each other; the fixture writers (fixtures/) stay out of the service.
 */
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(root, dir), { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) out.push(relative(root, join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

async function offenders(files: string[], pattern: RegExp): Promise<string[]> {
  const found: string[] = [];
  for (const file of files) {
    const text = await readFile(join(root, file), 'utf8');
    if (pattern.test(text)) found.push(file);
  }
  return found;
}

test('only src/config.ts reads process.env', async () => {
  const files = [...(await sources('src')), ...(await sources('routes')), ...(await sources('schemas'))];
  const bad = (await offenders(files, /process\.env/)).filter((f) => f !== 'src/config.ts');
  assert.deepEqual(bad, []);
});

/**
 * The layers of src/, lowest first: a module imports only modules of a lower layer. The modules of
 * the base layer may use each other, and so may the modules of the HTTP layer (src/http, routes/,
 * schemas/) and of the entry points above it. A module missing from the table counts as a base
 * utility, so it may import only the base.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['errors.ts', 'config.ts', 'logger.ts', 'version.ts'],
  ['netcdf', 'storage'],
  ['argo', 'gdac'],
  // Data packs hold argo's level arrays; the builder writes them and queries read them.
  ['pack'],
  ['month-index'],
  ['query'],
  ['serialize'],
  ['services.ts'],
  ['http', 'routes', 'schemas'],
  ['cli', 'main.ts', 'demo'],
];
const HTTP_LAYER = LAYERS.findIndex((layer) => layer.includes('http'));

/** The module a repository path belongs to: `src/query/service.ts` → `query`, `routes/x.ts` → `routes`. */
function moduleOf(path: string): string {
  const parts = path.split('/');
  return parts[0] === 'src' ? parts[1] : parts[0];
}

function layerOf(module: string): number {
  const found = LAYERS.findIndex((layer) => layer.includes(module));
  return found < 0 ? 0 : found;
}

interface Import {
  specifier: string;
  typeOnly: boolean;
}

/** The import and re-export statements of a file (static and dynamic). */
function importsOf(text: string): Import[] {
  const out: Import[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^;'"]*?\bfrom\s+['"]([^'"]+)['"]/gm)) out.push({ specifier: m[2], typeOnly: m[1] !== undefined });
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) out.push({ specifier: m[1], typeOnly: false });
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push({ specifier: m[1], typeOnly: false });
  return out;
}

/** The repository path a relative specifier of `file` points at (undefined for packages). */
function resolved(file: string, specifier: string): string | undefined {
  return specifier.startsWith('.') ? relative(root, join(root, dirname(file), specifier)) : undefined;
}

async function importGraph(): Promise<{ file: string; target: string; typeOnly: boolean }[]> {
  const edges: { file: string; target: string; typeOnly: boolean }[] = [];
  for (const file of await sources('src')) {
    for (const { specifier, typeOnly } of importsOf(await readFile(join(root, file), 'utf8'))) {
      const target = resolved(file, specifier);
      if (target !== undefined) edges.push({ file, target, typeOnly });
    }
  }
  return edges;
}

test('the import parser sees what the rules below rely on', () => {
  const text = "import type { A } from '../query/types.js';\nimport {\n  b,\n  type C,\n} from './b.js';\nexport { d } from '../d.js';\nconst e = await import('../e.js');\n";
  assert.deepEqual(importsOf(text).sort((x, y) => x.specifier.localeCompare(y.specifier)), [
    { specifier: '../d.js', typeOnly: false },
    { specifier: '../e.js', typeOnly: false },
    { specifier: '../query/types.js', typeOnly: true },
    { specifier: './b.js', typeOnly: false },
  ]);
});

test('data flows one way: each module of src/ imports only modules below it', async () => {
  const upward: string[] = [];
  for (const { file, target } of await importGraph()) {
    const from = moduleOf(file);
    const to = target.startsWith('src/') ? moduleOf(target) : target === 'package.json' ? 'package.json' : moduleOf(target);
    if (to === from || to === 'package.json') continue;
    const [a, b] = [layerOf(from), layerOf(to)];
    if (b < a || (a === b && (a === 0 || a >= HTTP_LAYER))) continue;
    upward.push(`${file} imports ${target} (${from} is layer ${a}, ${to} is layer ${b})`);
  }
  assert.deepEqual(upward, []);
});

test('query/ never imports serialize/, and serialize/ takes only types from query/', async () => {
  const edges = await importGraph();
  const queryToSerialize = edges.filter((e) => e.file.startsWith('src/query/') && e.target.startsWith('src/serialize/'));
  assert.deepEqual(queryToSerialize, []);
  const serializeToQuery = edges.filter((e) => e.file.startsWith('src/serialize/') && e.target.startsWith('src/query/'));
  assert.ok(serializeToQuery.length > 0, 'serialize/ formats the query types (this check must see that import)');
  assert.deepEqual(serializeToQuery.filter((e) => !e.typeOnly), []);
});

test('nothing in src/ below the HTTP layer imports fastify, routes/ or schemas/', async () => {
  const below = (await sources('src')).filter((f) => layerOf(moduleOf(f)) < HTTP_LAYER);
  assert.ok(below.includes('src/query/service.ts') && !below.includes('src/http/app.ts'));
  assert.deepEqual(await offenders(below, /from ['"](fastify|@fastify\/[^'"]+|fastify-[^'"]+)['"]/), []);
  assert.deepEqual(await offenders(below, /from ['"](\.\.\/)+(routes|schemas)\//), []);
});

test('netcdf/ and argo/ do no I/O', async () => {
  const files = [...(await sources('src/netcdf')), ...(await sources('src/argo'))];
  assert.deepEqual(await offenders(files, /from ['"](node:)?(fs|fs\/promises|http|https|net|undici|@aws-sdk\/[^'"]+)['"]/), []);
});

test('schemas/ imports nothing from src/', async () => {
  assert.deepEqual(await offenders(await sources('schemas'), /from ['"]\.\.\/src\//), []);
});

test('a route never imports another route', async () => {
  const routes = await sources('routes');
  assert.deepEqual(await offenders(routes, /from ['"]\.\/[^'"]+['"]/), []);
});

/** An import of the fixtures package (`fixtures/`, at the repo root) from anywhere in the repo. */
const IMPORTS_FIXTURES = /from ['"](\.\.\/)+fixtures\/[^'"]+['"]/;

test('only src/cli imports the fixture writers', async () => {
  const files = [...(await sources('src')), ...(await sources('routes')), ...(await sources('schemas'))].filter((f) => !f.startsWith('src/cli/'));
  assert.deepEqual(await offenders(files, IMPORTS_FIXTURES), []);
});

test('the production build leaves out every command that imports the fixture writers', async () => {
  const build = JSON.parse(await readFile(join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[]; exclude?: string[] };
  const importers = await offenders(await sources('src/cli'), IMPORTS_FIXTURES);
  assert.ok(importers.includes('src/cli/demo.ts'), 'the demo command uses the fixtures (else this test checks nothing)');
  assert.deepEqual(importers.filter((f) => !(build.exclude ?? []).includes(f)), []);
  assert.ok(!build.include.includes('fixtures'));
});

test('the fixture writers import nothing from the tests or the benchmark', async () => {
  assert.deepEqual(await offenders(await sources('fixtures'), /from ['"]\.\.\/(test|bench|test-reliability)\//), []);
});
