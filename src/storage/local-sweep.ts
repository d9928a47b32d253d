/**
 * Cleaning up after dead writers of the local store. A writer killed mid-write (kill -9, a lost
 * node) leaves its temp file `.<name>.<host>-<pid>.<random>.tmp` and maybe its lock file
 * `.<name>.lock`; nobody ever writes a month object's key again, so nothing else would remove
 * them. `sweepLocalStore(root)` removes, anywhere under the root:
 *
 * - temp files of a dead process of this host at once, and any temp file older than
 *   `tempStaleMs` (another host's, whose pid cannot be checked, or one from before temp names
 *   carried the host). Temps this process is writing are never touched.
 * - lock files whose holder is dead or that are older than the lock's stale age (the rule
 *   `acquireFileLock` applies, see locks.ts), and the `.lock.stale-*` files a breaker that died
 *   half-way left.
 *
 * The store sweeps when it is opened (its first write) and then at most hourly. Best effort: a
 * file that vanishes or cannot be removed is skipped.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { breakStaleLock, pidAlive } from './locks.js';

/** This host, as it appears in temp names (8 hex: host names may hold dots and be long). */
const HOST_TAG = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
/** Temp files this process is writing now (absolute paths): never swept. */
const writing = new Set<string>();

// A write holds its temp file for one write and fsync: seconds even for a large month object on
// a slow disk. Ten minutes past that, its writer is gone (or hung past any use) even where the
// pid cannot be checked (another host sharing the directory).
export const DEFAULT_TEMP_STALE_MS = 10 * 60 * 1000;
// A lock is held for one small write (see locks.ts): the same age it is broken at.
const DEFAULT_LOCK_STALE_MS = 30_000;

const TEMP_PATTERN = /^\..+\.(?:([0-9a-f]{8})-)?(\d+)\.[0-9a-f]+\.tmp$/;
const LOCK_PATTERN = /^\..+\.lock$/;
const BROKEN_LOCK_PATTERN = /^\..+\.lock\.stale-[0-9a-f]+$/;

/** A fresh temp path beside `file`, registered as being written until `done()`. */
export function createTempPath(file: string): { path: string; done(): void } {
  const path = join(dirname(file), `.${basename(file)}.${HOST_TAG}-${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  writing.add(path);
  return { path, done: () => writing.delete(path) };
}

export interface SweepOptions {
  /** Temp files older than this are removed whoever wrote them (default 10 min). */
  tempStaleMs?: number;
  /** Lock files older than this are broken whoever holds them (default 30 s). */
  lockStaleMs?: number;
}

export interface SweepReport {
  temps: number;
  locks: number;
}

function isDeadTemp(name: string, path: string, mtimeMs: number, tempStaleMs: number): boolean {
  const m = TEMP_PATTERN.exec(name);
  if (!m || writing.has(path)) return false;
  if (Date.now() - mtimeMs > tempStaleMs) return true;
  if (m[1] !== HOST_TAG) return false;
  const pid = Number(m[2]);
  // Our own pid: not one we are writing (checked above), so left by an earlier process that had it.
  return pid === process.pid || !pidAlive(pid);
}

export async function sweepLocalStore(root: string, options: SweepOptions = {}): Promise<SweepReport> {
  const tempStaleMs = options.tempStaleMs ?? DEFAULT_TEMP_STALE_MS;
  const lockStaleMs = options.lockStaleMs ?? DEFAULT_LOCK_STALE_MS;
  const report: SweepReport = { temps: 0, locks: 0 };
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true, recursive: true });
  } catch {
    return report; // no store yet, or unreadable: the write that follows reports it
  }
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.startsWith('.')) continue;
    const path = join(entry.parentPath, entry.name);
    try {
      if (LOCK_PATTERN.test(entry.name)) {
        if (await breakStaleLock(path, { staleMs: lockStaleMs })) report.locks++;
        continue;
      }
      const isTemp = TEMP_PATTERN.test(entry.name);
      if (!isTemp && !BROKEN_LOCK_PATTERN.test(entry.name)) continue;
      const info = await stat(path);
      const dead = isTemp ? isDeadTemp(entry.name, path, info.mtimeMs, tempStaleMs) : Date.now() - info.mtimeMs > lockStaleMs;
      if (!dead) continue;
      await unlink(path);
      if (isTemp) report.temps++;
      else report.locks++;
    } catch {
      // Vanished meanwhile (its writer finished, another sweeper), or not ours to remove.
    }
  }
  return report;
}
