/**
 * Where the shared Argo GDAC sample lives (`../shared/argo-gdac-sample` beside the repo), and a
 * helper for tests that need it. The sample is never copied into the repo; a fresh clone
 * without it still passes, with those tests skipped.
 *
 *     import { sharedSampleDir, skipWithoutShared } from '../kit/shared-sample.js';
 *
 *     test('reads a real profile', async (t) => {
 *       const dir = skipWithoutShared(t);
 *       if (!dir) return;
 *       ...
 *     });
 *
 * - `sharedSampleDir()`: the absolute path of the sample, or undefined when it is absent.
 * - `sharedSamplePath(...parts)`: a path inside it (undefined when absent).
 * - `skipWithoutShared(t)`: returns the sample directory, or marks the test skipped with a
 *   message saying what is missing and returns undefined (the test must then return).
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

/** The repo root: this file is test/kit/shared-sample.ts. */
const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const SAMPLE_DIR = resolve(REPO_ROOT, '..', 'shared', 'argo-gdac-sample');

export function sharedSampleDir(): string | undefined {
  try {
    return existsSync(SAMPLE_DIR) && statSync(SAMPLE_DIR).isDirectory() ? SAMPLE_DIR : undefined;
  } catch {
    return undefined;
  }
}

export function sharedSamplePath(...parts: string[]): string | undefined {
  const dir = sharedSampleDir();
  return dir === undefined ? undefined : join(dir, ...parts);
}

export function skipWithoutShared(t: Pick<TestContext, 'skip'>): string | undefined {
  const dir = sharedSampleDir();
  if (dir === undefined) {
    t.skip(`needs the shared Argo GDAC sample at ${SAMPLE_DIR} (absent in this checkout)`);
  }
  return dir;
}
