/**
 * The house rules that a grep can check: config is the only reader of process.env; nothing below
 * src/plugins imports fastify; netcdf/ and argo/ do no I/O; schemas/ imports nothing from src/;
 * routes never import each other.
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
