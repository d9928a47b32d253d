#!/usr/bin/env node
// Runs node:test over the TypeScript test files of a folder (default: test/), through tsx.
// Node 20's test runner does not expand globs nor look for .ts files, so list them here.
//   node scripts/test.mjs [folder] [--concurrency N] [--timeout MS] [extra node --test flags]
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const args = process.argv.slice(2);
const folder = args[0] && !args[0].startsWith('--') ? args.shift() : 'test';
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const [, value] = args.splice(i, 2);
  return value;
};
const concurrency = option('--concurrency', '2');
const timeout = option('--timeout', '180000');

const files = readdirSync(folder, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
  .map((e) => relative('.', join(e.parentPath ?? e.path, e.name)))
  .sort();
if (files.length === 0) {
  console.error(`no *.test.ts files under ${folder}/`);
  process.exit(1);
}
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, `--test-timeout=${timeout}`, ...args, ...files],
  { stdio: 'inherit' },
);
child.on('close', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
