/**
 * The local directory store: the contract (missing → undefined, list order, delete), atomic
 * writes (readers never see a partial object, temp files cleaned), conditional writes, and
 * ifMatch updaters in two child processes losing nothing.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AbortedError, PreconditionFailedError, StoreError } from '../../src/errors.js';
import { createBlobStore, type BlobStore } from '../../src/storage/index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'blob-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function store(t: TestContext, options: { lockTimeoutMs?: number; lockStaleMs?: number } = {}): Promise<{ store: BlobStore; root: string }> {
  const root = join(await tempDir(t), 'index');
  return { store: createBlobStore({ location: root, ...options }), root };
}

/** Every file under `dir`, relative, including our dot-files. */
async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

test('get of a missing key is undefined; put, get, list, delete', async (t) => {
  const { store: s, root } = await store(t);
  assert.equal(s.supportsConditionalWrites, true);
  assert.match(s.description, /local directory/);
  assert.equal(await s.get('master_index.json'), undefined);
  assert.equal(await s.get('months/2023/2023-04.abc.json.zst'), undefined);
  assert.deepEqual(await s.list(''), []);

  const first = await s.put('months/2023/2023-04.abc.json.zst', enc('april'));
  await s.put('months/2023/2023-05.def.json.zst', enc('may!'));
  await s.put('months/2022/2022-12.xyz.json.zst', enc('december'));
  await s.put('master_index.json', enc('{}'));

  const got = await s.get('months/2023/2023-04.abc.json.zst');
  assert.ok(got);
  assert.equal(dec(got.body), 'april');
  assert.equal(got.etag, first.etag);
  assert.ok(got.lastModified instanceof Date);
  assert.match(got.etag, /^[0-9a-f]{32}$/);

  const listed = await s.list('months/');
  assert.deepEqual(
    listed.map((o) => [o.key, o.size]),
    [
      ['months/2022/2022-12.xyz.json.zst', 8],
      ['months/2023/2023-04.abc.json.zst', 5],
      ['months/2023/2023-05.def.json.zst', 4],
    ],
  );
  assert.deepEqual((await s.list('months/2023/2023-0')).map((o) => o.key), [
    'months/2023/2023-04.abc.json.zst',
    'months/2023/2023-05.def.json.zst',
  ]);
  assert.deepEqual((await s.list('')).map((o) => o.key)[0], 'master_index.json');
  assert.deepEqual(await s.list('nothing/here/'), []);

  await s.delete('months/2023/2023-04.abc.json.zst');
  await s.delete('months/2023/2023-04.abc.json.zst'); // missing: fine
  await s.delete('not/there/at/all.json');
  assert.equal(await s.get('months/2023/2023-04.abc.json.zst'), undefined);
  assert.deepEqual(await allFiles(root), [
    'master_index.json',
    join('months', '2022', '2022-12.xyz.json.zst'),
    join('months', '2023', '2023-05.def.json.zst'),
  ]);
  await s.ping();
});

test('keys are validated: no traversal, no absolute paths, no dot-segments', async (t) => {
  const { store: s } = await store(t);
  for (const bad of ['../escape', '/abs/path', 'a/../b', 'a//b', '', '.hidden', 'a/.lock', 'a\\b', 'a/']) {
    await assert.rejects(s.put(bad, enc('x')), TypeError, bad);
    await assert.rejects(s.get(bad), TypeError, bad);
  }
  await assert.rejects(s.list('../'), TypeError);
});

test('conditional writes: stale ifMatch and ifNoneMatch on an existing object fail', async (t) => {
  const { store: s } = await store(t);
  const created = await s.put('master_index.json', enc('v1'), { ifNoneMatch: '*' });
  await assert.rejects(s.put('master_index.json', enc('v1 again'), { ifNoneMatch: '*' }), PreconditionFailedError);

  const updated = await s.put('master_index.json', enc('v2'), { ifMatch: created.etag });
  assert.notEqual(updated.etag, created.etag);
  await assert.rejects(s.put('master_index.json', enc('v3 from a stale read'), { ifMatch: created.etag }), PreconditionFailedError);
  await assert.rejects(s.put('missing.json', enc('x'), { ifMatch: created.etag }), PreconditionFailedError);
  assert.equal(dec((await s.get('master_index.json'))!.body), 'v2');
});

test('concurrent ifMatch updaters in one process lose nothing', async (t) => {
  const { store: s } = await store(t);
  await s.put('counter.json', enc('[]'));
  const worker = async (name: string): Promise<void> => {
    for (let i = 0; i < 10; i++) {
      for (;;) {
        const current = (await s.get('counter.json'))!;
        const list = JSON.parse(dec(current.body)) as string[];
        try {
          await s.put('counter.json', enc(JSON.stringify([...list, `${name}${i}`])), { ifMatch: current.etag });
          break;
        } catch (error) {
          if (!(error instanceof PreconditionFailedError)) throw error;
        }
      }
    }
  };
  await Promise.all(['a', 'b', 'c', 'd'].map(worker));
  assert.equal((JSON.parse(dec((await s.get('counter.json'))!.body)) as string[]).length, 40);
});

test('atomic writes: readers see whole old or whole new bytes; temp files cleaned', async (t) => {
  const { store: s, root } = await store(t);
  const size = 256 * 1024;
  const version = (n: number): Uint8Array => new Uint8Array(size).fill(n);
  await s.put('months/2023/big.bin', version(0));
  let writing = true;
  const writer = (async () => {
    for (let n = 1; n <= 10; n++) await s.put('months/2023/big.bin', version(n));
    writing = false;
  })();
  let reads = 0;
  while (writing) {
    const got = await s.get('months/2023/big.bin');
    assert.ok(got);
    assert.equal(got.body.length, size);
    const first = got.body[0];
    assert.ok(got.body.every((b) => b === first), 'a read saw a mix of two versions');
    reads++;
  }
  await writer;
  assert.ok(reads > 0);
  assert.equal((await s.get('months/2023/big.bin'))!.body[0], 10);
  assert.deepEqual(await allFiles(root), [join('months', '2023', 'big.bin')]);
});

test('a failed write leaves no temp file and the old object intact', async (t) => {
  const { store: s, root } = await store(t);
  await s.put('a/b/c.json', enc('old'));
  // The target is a non-empty directory: the final rename fails.
  await mkdir(join(root, 'a', 'x.json', 'inner'), { recursive: true });
  await assert.rejects(s.put('a/x.json', enc('new')), StoreError);
  await assert.rejects(s.put('a/b/c.json', enc('new'), { signal: AbortSignal.abort() }), AbortedError);
  assert.equal(dec((await s.get('a/b/c.json'))!.body), 'old');
  assert.deepEqual(await allFiles(root), [join('a', 'b', 'c.json')]);
  // A key that names a directory is not an object.
  assert.equal(await s.get('a/b'), undefined);
});

test('a lock left by a dead process is broken; a live holder makes writers wait, then time out', async (t) => {
  const { store: s, root } = await store(t, { lockTimeoutMs: 200 });
  await mkdir(root, { recursive: true });
  const dead = spawn(process.execPath, ['-e', '']);
  const deadPid = await new Promise<number>((resolve) => dead.once('exit', () => resolve(dead.pid!)));
  const lock = join(root, '.master_index.json.lock');
  await writeFile(lock, JSON.stringify({ pid: deadPid, host: hostname(), token: 'dead', at: Date.now() }));
  await s.put('master_index.json', enc('after a crash'));
  assert.equal(dec((await s.get('master_index.json'))!.body), 'after a crash');

  // A holder that is alive: the parent process (the test runner). Our own pid would count as
  // stale, since this process knows the locks it holds.
  await writeFile(lock, JSON.stringify({ pid: process.ppid, host: hostname(), token: 'live', at: Date.now() }));
  await assert.rejects(s.put('master_index.json', enc('blocked')), (error: unknown) => {
    assert.ok(error instanceof StoreError);
    assert.match(error.message, /timed out .* waiting for the store lock/);
    return true;
  });
  await rm(lock);
  await s.put('master_index.json', enc('unblocked'));
  assert.deepEqual(await allFiles(root), ['master_index.json']);
});

test('two processes doing ifMatch updates of master_index.json lose nothing', async (t) => {
  const { root } = await store(t);
  const script = fileURLToPath(new URL('./fixtures/ifmatch-updater.ts', import.meta.url));
  const perChild = 20;
  const children = ['p1', 'p2'].map((name) =>
    spawn(process.execPath, ['--import', 'tsx', script, root, name, String(perChild)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  // Both children start their loops together (each prints `ready`, then waits for `go`).
  let ready = 0;
  const outputs = children.map(
    (child) =>
      new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          const before = out.includes('ready\n');
          out += chunk.toString();
          if (!before && out.includes('ready\n') && ++ready === children.length) {
            for (const c of children) c.stdin.write('go\n');
          }
        });
        child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}: ${out}`))));
      }),
  );
  const results = await Promise.all(outputs);
  const s = createBlobStore({ location: root });
  const entries = JSON.parse(dec((await s.get('master_index.json'))!.body)) as string[];
  assert.equal(entries.length, 2 * perChild, 'an update was lost');
  for (const name of ['p1', 'p2']) {
    assert.deepEqual(
      entries.filter((e) => e.startsWith(`${name}:`)),
      Array.from({ length: perChild }, (_, i) => `${name}:${i}`),
    );
  }
  t.diagnostic(results.map((r) => r.split('\n').find((l) => l.startsWith('{'))).join(' '));
  assert.deepEqual(await allFiles(root), ['master_index.json']);
});

test('ping creates the root; an unwritable root is a StoreError', async (t) => {
  const base = await tempDir(t);
  const s = createBlobStore({ location: join(base, 'new', 'root') });
  await s.ping();
  assert.deepEqual(await readdir(join(base, 'new')), ['root']);
  if (process.getuid?.() === 0) return; // root ignores permissions
  const locked = join(base, 'locked');
  await mkdir(locked, { mode: 0o500 });
  t.after(() => chmod(locked, 0o700));
  await assert.rejects(createBlobStore({ location: join(locked, 'sub') }).ping(), StoreError);
});

test('bytes survive exactly (binary, empty)', async (t) => {
  const { store: s } = await store(t);
  const bytes = randomBytes(100_000);
  await s.put('bin/x', bytes);
  assert.deepEqual(Buffer.from((await s.get('bin/x'))!.body), bytes);
  await s.put('bin/empty', new Uint8Array(0));
  assert.equal((await s.get('bin/empty'))!.body.length, 0);
});
