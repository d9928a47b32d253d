/**
 * What killed writers leave in a local store (temp files, lock files) is removed when the store
 * is opened (its first write) or by a sweep; what live writers hold is never touched.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createBlobStore } from '../../src/storage/index.js';
import { sweepLocalStore } from '../../src/storage/local-sweep.js';
import { tempDir } from '../month-index/helpers.js';

const HOST_TAG = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  return new Promise<number>((resolve) => child.once('exit', () => resolve(child.pid!)));
}

/** Every file under `dir`, relative, dot-files included. */
async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

async function age(path: string, ms: number): Promise<void> {
  const then = new Date(Date.now() - ms);
  await utimes(path, then, then);
}

test('a sweep removes dead writers’ temp and lock files, and keeps live ones', async (t) => {
  const root = await tempDir(t, 'sweep-');
  const dir = join(root, 'months', '2023');
  await mkdir(dir, { recursive: true });
  const dead = await deadPid();
  const live = process.ppid; // the test runner: alive for the whole test
  const lock = (info: object): string => JSON.stringify({ token: 't', at: Date.now(), ...info });
  const files: Record<string, string> = {
    // A builder killed mid-write on this host: its temp and its lock, both recent.
    [join('months', '2023', `.2023-04.a.json.zst.${HOST_TAG}-${dead}.0a1b2c3d4e5f.tmp`)]: 'half a month',
    [join('months', '2023', '.2023-04.a.json.zst.lock')]: lock({ pid: dead, host: hostname() }),
    // A live writer on this host: kept.
    [join('months', '2023', `.2023-05.b.json.zst.${HOST_TAG}-${live}.0a1b2c3d4e5f.tmp`)]: 'being written',
    [join('months', '2023', '.2023-05.b.json.zst.lock')]: lock({ pid: live, host: hostname() }),
    // Another host's: its pid cannot be checked, so only age tells. One fresh, one old.
    [join('months', '2023', '.2023-06.c.json.zst.ffffffff-1.0a1b2c3d4e5f.tmp')]: 'fresh, elsewhere',
    ['.master_index.json.ffffffff-2.0a1b2c3d4e5f.tmp']: 'old, elsewhere',
    ['.master_index.json.lock']: lock({ pid: 2, host: 'another-host' }),
    // A temp named before names carried the host (pid only), old; a breaker's leftover, old.
    ['.undated.json.zst.12345.0a1b2c3d4e5f.tmp']: 'old, unnamed host',
    ['.undated.json.zst.lock.stale-0a1b2c3d4e5f']: 'left by a breaker',
    // Objects are never touched, whatever their age.
    [join('months', '2023', '2023-03.x.json.zst')]: 'an object',
  };
  for (const [name, body] of Object.entries(files)) await writeFile(join(root, name), body);
  for (const name of ['.master_index.json.ffffffff-2.0a1b2c3d4e5f.tmp', '.undated.json.zst.12345.0a1b2c3d4e5f.tmp', '.undated.json.zst.lock.stale-0a1b2c3d4e5f', '.master_index.json.lock', join('months', '2023', '2023-03.x.json.zst')]) {
    await age(join(root, name), 2 * 60 * 60 * 1000);
  }

  const report = await sweepLocalStore(root);
  assert.deepEqual(report, { temps: 3, locks: 3 });
  assert.deepEqual(await allFiles(root), [
    join('months', '2023', '.2023-05.b.json.zst.lock'),
    join('months', '2023', `.2023-05.b.json.zst.${HOST_TAG}-${live}.0a1b2c3d4e5f.tmp`),
    join('months', '2023', '.2023-06.c.json.zst.ffffffff-1.0a1b2c3d4e5f.tmp'),
    join('months', '2023', '2023-03.x.json.zst'),
  ].sort());
  assert.deepEqual(await sweepLocalStore(join(root, 'missing')), { temps: 0, locks: 0 }, 'no store yet: nothing to do');
});

test('opening a store (its first write) sweeps; its own writes leave nothing behind', async (t) => {
  const root = await tempDir(t, 'sweep-open-');
  const dead = await deadPid();
  await mkdir(join(root, 'months', '2023'), { recursive: true });
  const temp = join('months', '2023', `.2023-04.a.json.zst.${HOST_TAG}-${dead}.0a1b2c3d4e5f.tmp`);
  const lock = join('months', '2023', '.2023-04.a.json.zst.lock');
  await writeFile(join(root, temp), 'half a month');
  await writeFile(join(root, lock), JSON.stringify({ pid: dead, host: hostname(), token: 'dead', at: Date.now() }));
  const store = createBlobStore({ location: root });
  await store.put('master_index.json', new Uint8Array(Buffer.from('{}')));
  await Promise.all(Array.from({ length: 8 }, (_, i) => store.put(`months/2024/2024-0${i + 1}.json.zst`, new Uint8Array([i]))));
  assert.deepEqual(await allFiles(root), ['master_index.json', ...Array.from({ length: 8 }, (_, i) => join('months', '2024', `2024-0${i + 1}.json.zst`))]);
});
