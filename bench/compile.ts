/**
 * The service and the bench's child processes as plain JavaScript, so children run the way
 * production does (`node dist/...`, no TypeScript loader): the tsx loader alone adds ~40 MB of
 * RSS and its own start-up work, which would blur the memory and cold figures.
 *
 * Each TypeScript file is transpiled on its own (TypeScript's `transpileModule`: no type check,
 * which `npm run typecheck` does), into `bench/.cache/js-<hash>/` mirroring the repo tree, so
 * relative imports and `node_modules` resolve as they do from the sources. Cached by content.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { CACHE_DIR, REPO_ROOT } from './generate.js';

/** What the children import: the service (src/, routes/, schemas/), the bench itself and the fixture writers it uses. */
const TREES = ['src', 'routes', 'schemas', 'fixtures', 'bench', 'test/kit'];
/** Files copied as they are: src/version.ts imports package.json (as the compiled build does). */
const COPIED = ['package.json'];

async function sources(): Promise<string[]> {
  const out: string[] = [];
  for (const tree of TREES) {
    const dir = join(REPO_ROOT, tree);
    if (!existsSync(dir)) continue;
    for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
      const full = join(e.parentPath, e.name);
      if (!e.isFile() || !e.name.endsWith('.ts') || e.name.endsWith('.d.ts')) continue;
      if (relative(REPO_ROOT, full).startsWith('bench/.cache')) continue;
      out.push(full);
    }
  }
  return out.sort();
}

/** Transpiles (when the sources changed) and returns the directory that mirrors the repo root. */
export async function compileForChildren(log: (line: string) => void = () => {}): Promise<string> {
  const files = await sources();
  const texts = await Promise.all(files.map((f) => readFile(f, 'utf8')));
  const hash = createHash('sha1').update(ts.version);
  files.forEach((f, i) => hash.update(relative(REPO_ROOT, f)).update('\0').update(texts[i]).update('\0'));
  const copied = await Promise.all(COPIED.map((f) => readFile(join(REPO_ROOT, f))));
  COPIED.forEach((f, i) => hash.update(f).update('\0').update(copied[i]).update('\0'));
  const out = join(CACHE_DIR, `js-${hash.digest('hex').slice(0, 12)}`);
  if (existsSync(join(out, '.complete'))) return out;

  const started = performance.now();
  const tmp = `${out}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    verbatimModuleSyntax: true,
    esModuleInterop: true,
    sourceMap: false,
  };
  await Promise.all(
    files.map(async (f, i) => {
      const rel = relative(REPO_ROOT, f);
      const { outputText } = ts.transpileModule(texts[i], { compilerOptions: options, fileName: rel });
      const target = join(tmp, rel.replace(/\.ts$/, '.js'));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, outputText);
    }),
  );
  await Promise.all(COPIED.map((f, i) => writeFile(join(tmp, f), copied[i])));
  await writeFile(join(tmp, '.complete'), '');
  // Old trees are stale copies of older sources: keep only the current one.
  for (const e of await readdir(CACHE_DIR)) {
    if (e.startsWith('js-') && !e.includes('.tmp-')) await rm(join(CACHE_DIR, e), { recursive: true, force: true });
  }
  await rename(tmp, out);
  log(`transpiled ${files.length} files for the child processes in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return out;
}
