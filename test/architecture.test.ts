/**
 * The house rules that a grep can check: config is the only reader of process.env; nothing below
 * src/plugins imports fastify; netcdf/ and argo/ do no I/O; schemas/ imports nothing from src/;
 * routes never import each other; the fixture writers (fixtures/) stay out of the service.
 */
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
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

test('nothing outside src/plugins, src/app.ts and the CLI imports fastify', async () => {
  const files = (await sources('src')).filter(
    (f) => !f.startsWith('src/plugins/') && !f.startsWith('src/cli/') && f !== 'src/app.ts' && f !== 'src/openapi-document.ts',
  );
  assert.deepEqual(await offenders(files, /from ['"](fastify|@fastify\/[^'"]+|fastify-[^'"]+)['"]/), []);
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
