/**
 * Locks that make conditional writes on the local store safe:
 *
 * - `createKeyMutex()`: in-process, one holder per key (FIFO), so tasks of one process queue up
 *   instead of polling a lock file.
 * - `acquireFileLock(path)`: cross-process, an `O_EXCL` lock file holding
 *   `{pid, host, token, at}`. A lock is stale when its process is gone (same host, pid dead) or
 *   when it is older than `staleMs` (another host, or a hung holder). A stale lock is broken by
 *   renaming it aside (atomic: one breaker wins) and checking that what was renamed is the lock
 *   judged stale; the holder re-checks its token before it commits (`verify`).
 *
 * A lock whose key is never written again (a killed builder's new month object) is broken by
 * the store's sweep instead (`breakStaleLock`, local-sweep.ts), by the same staleness rule.
 *
 * Limits: this is advisory locking among processes that use this code, on a local file system
 * (or NFS with working O_EXCL). A holder hung for longer than `staleMs` can lose its lock; it
 * then fails its write with a StoreError rather than overwrite.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { AbortedError, StoreError } from '../errors.js';
import { backoffDelay } from '../util/backoff.js';
import { sleep } from '../util/sleep.js';

export interface KeyMutex {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

export function createKeyMutex(): KeyMutex {
  const tails = new Map<string, Promise<void>>();
  return {
    async run(key, task) {
      const previous = tails.get(key) ?? Promise.resolve();
      let done!: () => void;
      const mine = new Promise<void>((resolve) => {
        done = resolve;
      });
      const tail = previous.then(() => mine);
      tails.set(key, tail);
      await previous;
      try {
        return await task();
      } finally {
        done();
        if (tails.get(key) === tail) tails.delete(key);
      }
    },
  };
}

export interface FileLock {
  /** True while the lock file still holds our token. */
  verify(): Promise<boolean>;
  release(): Promise<void>;
}

export interface FileLockOptions {
  /** A lock older than this is considered abandoned (default 30 s). */
  staleMs?: number;
  /** Give up waiting after this long with a StoreError (default 10 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

interface LockInfo {
  pid: number;
  host: string;
  token: string;
  at: number;
}

// A write under the lock takes milliseconds; 30 s without the holder finishing means it is gone
// (or hung past any useful point) even where the pid check cannot tell (another host).
const DEFAULT_STALE_MS = 30_000;
// 10 s: far above any queue of writers on one key; past it something is wrong and the caller
// should hear about it instead of hanging.
const DEFAULT_TIMEOUT_MS = 10_000;
// Polls back off from 2 ms to at most 50 ms: contention is short (one small write), so the first
// retries should be quick, and a long wait should not burn CPU.
const FIRST_POLL_MS = 2;
const MAX_POLL_MS = 50;

const HOST = hostname();
/** Tokens of the locks this process holds: a lock file with our pid and another token is stale. */
const heldTokens = new Set<string>();

/** Whether a process of this host with that pid exists (EPERM: it does, as another user's). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseInfo(text: string): LockInfo | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockInfo>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.token === 'string') {
      return value as LockInfo;
    }
  } catch {
    // A lock file being written right now is empty: not stale, just young.
  }
  return undefined;
}

function isStale(info: LockInfo | undefined, mtimeMs: number, staleMs: number): boolean {
  if (Date.now() - mtimeMs > staleMs) return true;
  if (!info || info.host !== HOST) return false;
  if (info.pid === process.pid) return !heldTokens.has(info.token);
  return !pidAlive(info.pid);
}

const code = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;

/** Moves a stale lock aside; restores it if what we moved turns out to be a fresh lock. */
async function breakLock(path: string, judged: string): Promise<void> {
  const aside = `${path}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (code(error) === 'ENOENT') return; // someone else broke or released it
    throw error;
  }
  const moved = await readFile(aside, 'utf8').catch(() => '');
  if (moved !== judged) {
    // Between our look and our rename the lock was released and taken again: give it back.
    await link(aside, path).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
}

/**
 * Breaks the lock file at `path` when it is stale (its holder is dead, or it is older than
 * `staleMs`); a live lock is left alone. Returns whether it was broken. For sweeps of a store
 * whose keys nobody may lock again (a killed builder's month object).
 */
export async function breakStaleLock(path: string, options: { staleMs?: number } = {}): Promise<boolean> {
  const [text, info] = await Promise.all([readFile(path, 'utf8').catch(() => undefined), stat(path).catch(() => undefined)]);
  if (text === undefined || info === undefined) return false;
  if (!isStale(parseInfo(text), info.mtimeMs, options.staleMs ?? DEFAULT_STALE_MS)) return false;
  await breakLock(path, text);
  return true;
}

export async function acquireFileLock(path: string, options: FileLockOptions = {}): Promise<FileLock> {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { signal } = options;
  const token = randomBytes(12).toString('hex');
  const content = JSON.stringify({ pid: process.pid, host: HOST, token, at: Date.now() } satisfies LockInfo);
  const started = Date.now();
  let polls = 0;

  for (;;) {
    if (signal?.aborted) throw new AbortedError({ message: 'store operation aborted', context: { lock: path }, cause: signal.reason });
    // Known as ours before the file exists: a sweep or a second store of this process reading
    // it half-written must not judge it a dead holder's.
    heldTokens.add(token);
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(content);
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      heldTokens.delete(token);
      if (code(error) !== 'EEXIST') {
        throw new StoreError({ message: 'could not create the store lock file', context: { lock: path }, cause: error });
      }
    }
    const [text, info] = await Promise.all([readFile(path, 'utf8').catch(() => undefined), stat(path).catch(() => undefined)]);
    if (text === undefined || info === undefined) continue; // released meanwhile: try again now
    if (isStale(parseInfo(text), info.mtimeMs, staleMs)) {
      await breakLock(path, text);
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      throw new StoreError({
        message: `timed out after ${timeoutMs} ms waiting for the store lock`,
        context: { lock: path, holder: parseInfo(text) },
      });
    }
    await sleep(backoffDelay(polls++, { baseMs: FIRST_POLL_MS, maxMs: MAX_POLL_MS }), {
      signal,
      message: 'store operation aborted',
      context: { lock: path },
    });
  }

  let released = false;
  return {
    async verify() {
      const text = await readFile(path, 'utf8').catch(() => undefined);
      return text === content;
    },
    async release() {
      if (released) return;
      released = true;
      heldTokens.delete(token);
      const text = await readFile(path, 'utf8').catch(() => undefined);
      if (text === content) await unlink(path).catch(() => undefined);
    },
  };
}
