/**
 * The index store in a local directory.
 *
 * - Layout: key `months/2023/2023-04.abc.json.zst` is the file `<root>/months/2023/2023-04.abc.json.zst`.
 * - Atomic writes: a temp file `.<name>.<host>-<pid>.<random>.tmp` in the same directory,
 *   written, fsynced, renamed over the target, then the directory fsynced. Readers open the old
 *   file or the new one, never a mix; a failed or aborted write removes its temp file.
 * - What a killed writer leaves (its temp file, its lock file) is swept when the store is opened
 *   (its first write) and then at most hourly (local-sweep.ts).
 * - Etag: the first 32 hex digits of the content's SHA-256, so it changes exactly when the bytes
 *   do (mtime+size can miss two same-size writes within the clock's resolution).
 * - Conditional writes are enforced (`supportsConditionalWrites: true`): every write and delete
 *   of a key runs under an in-process mutex and a cross-process lock file `.<name>.lock`
 *   (see locks.ts), and the precondition is checked under both. Two processes doing
 *   read → ifMatch put on master_index.json cannot lose each other's updates.
 * - Files and directories starting with '.' are ours (temp, lock) and never listed; keys cannot
 *   start a segment with '.' (keys.ts).
 * - `list` gives size and lastModified but no etag (that would mean reading every file).
 * - `getRange` is a positioned read through one file handle (only the bytes asked for are read);
 *   `head` is a stat (no etag: that would mean hashing the file).
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { AbortedError, PreconditionFailedError, StoreError, type ErrorContext } from '../errors.js';
import { assertValidKey, assertValidPrefix, assertValidRange, compareKeys } from './keys.js';
import { acquireFileLock, createKeyMutex } from './locks.js';
import { createTempPath, sweepLocalStore } from './local-sweep.js';
import type { BlobStore, ListedObject, ObjectInfo, OperationOptions, PutOptions, RangeOptions, StoredObject } from './types.js';

export interface LocalBlobStoreOptions {
  /** The store's root directory (created on first write or ping). */
  root: string;
  /** Cross-process lock: age after which a lock is considered abandoned (default 30 s). */
  lockStaleMs?: number;
  /** Cross-process lock: how long a write waits for the lock before a StoreError (default 10 s). */
  lockTimeoutMs?: number;
  /** Temp files older than this are a dead writer's, whoever wrote them (default 10 min). */
  tempStaleMs?: number;
}

// Sweeps after the first one: hourly is plenty for files that only a killed process leaves, and
// keeps the walk of the store (a few thousand files) off the write path.
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

const NOT_FOUND = new Set(['ENOENT', 'ENOTDIR']);

const code = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;

export function etagOf(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 32);
}

/** A Uint8Array that owns its whole ArrayBuffer (never a view into a shared Buffer pool). */
function plainBytes(buffer: Buffer): Uint8Array {
  if (buffer.byteOffset === 0 && buffer.buffer.byteLength === buffer.byteLength) {
    return new Uint8Array(buffer.buffer, 0, buffer.byteLength);
  }
  return new Uint8Array(buffer);
}

function checkAborted(signal: AbortSignal | undefined, context: ErrorContext): void {
  if (signal?.aborted) throw new AbortedError({ message: 'store operation aborted', context, cause: signal.reason });
}

function storeFailure(operation: string, context: ErrorContext, error: unknown): Error {
  if (error instanceof AbortedError || error instanceof PreconditionFailedError || error instanceof StoreError) return error;
  const errno = code(error);
  return new StoreError({
    message: `index store ${operation} failed${errno ? ` (${errno})` : ''}`,
    context: { ...context, operation, ...(errno ? { code: errno } : {}) },
    cause: error,
  });
}

export function createLocalBlobStore(options: LocalBlobStoreOptions): BlobStore {
  const root = resolve(options.root);
  const mutex = createKeyMutex();
  let nextSweepMs = 0;

  /** Clears what dead writers left, on the first write and then at most hourly. */
  async function sweepIfDue(): Promise<void> {
    if (Date.now() < nextSweepMs) return;
    nextSweepMs = Date.now() + SWEEP_INTERVAL_MS;
    await sweepLocalStore(root, { lockStaleMs: options.lockStaleMs, tempStaleMs: options.tempStaleMs }).catch(() => undefined);
  }

  const fileOf = (key: string): string => join(root, ...key.split('/'));
  const lockOf = (file: string): string => join(dirname(file), `.${file.slice(dirname(file).length + 1)}.lock`);

  /** Reads the object through one file handle: size, time and bytes of the same version. */
  async function read(file: string): Promise<StoredObject | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if (NOT_FOUND.has(code(error) ?? '')) return undefined;
      throw error;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) return undefined;
      const body = plainBytes(await handle.readFile());
      return { body, etag: etagOf(body), lastModified: info.mtime };
    } catch (error) {
      if (code(error) === 'EISDIR') return undefined;
      throw error;
    } finally {
      await handle.close();
    }
  }

  /** `length` bytes from `offset` (fewer at the end of the file), or undefined when missing. */
  async function readRange(file: string, offset: number, length: number): Promise<Uint8Array | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if (NOT_FOUND.has(code(error) ?? '')) return undefined;
      throw error;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) return undefined;
      const want = Math.max(0, Math.min(length, info.size - offset));
      const out = new Uint8Array(want);
      let done = 0;
      // A positioned read may return fewer bytes than asked: loop until the range is complete.
      while (done < want) {
        const { bytesRead } = await handle.read(out, done, want - done, offset + done);
        if (bytesRead === 0) break; // truncated under us: give what exists
        done += bytesRead;
      }
      return done === want ? out : out.subarray(0, done);
    } catch (error) {
      if (code(error) === 'EISDIR') return undefined;
      throw error;
    } finally {
      await handle.close();
    }
  }

  async function fsyncDir(dir: string): Promise<void> {
    // Makes the rename itself durable. Not possible on every platform (Windows): best effort.
    const handle = await open(dir, 'r').catch(() => undefined);
    if (!handle) return;
    try {
      await handle.sync();
    } catch {
      // EINVAL/EPERM on file systems that do not support syncing a directory.
    } finally {
      await handle.close();
    }
  }

  async function writeAtomic(
    file: string,
    body: Uint8Array,
    signal: AbortSignal | undefined,
    beforeCommit: () => Promise<void>,
  ): Promise<void> {
    const dir = dirname(file);
    const { path: temp, done } = createTempPath(file);
    const context = { file };
    let committed = false;
    try {
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      checkAborted(signal, context);
      await beforeCommit();
      await rename(temp, file);
      committed = true;
      await fsyncDir(dir);
    } finally {
      if (!committed) await unlink(temp).catch(() => undefined);
      done();
    }
  }

  /** Runs a mutation of `key` under both locks. */
  async function locked<T>(
    key: string,
    signal: AbortSignal | undefined,
    task: (verify: () => Promise<void>) => Promise<T>,
  ): Promise<T> {
    await sweepIfDue();
    return mutex.run(key, async () => {
      checkAborted(signal, { key });
      const file = fileOf(key);
      // The lock file lives beside the object, so its directory must exist first.
      await mkdir(dirname(file), { recursive: true });
      const lock = await acquireFileLock(lockOf(file), {
        staleMs: options.lockStaleMs,
        timeoutMs: options.lockTimeoutMs,
        signal,
      });
      try {
        return await task(async () => {
          if (!(await lock.verify())) {
            throw new StoreError({ message: 'lost the store lock before committing the write', context: { key } });
          }
        });
      } finally {
        await lock.release();
      }
    });
  }

  return {
    description: `local directory ${root}`,
    supportsConditionalWrites: true,

    async get(key, opts: OperationOptions = {}) {
      assertValidKey(key);
      const context = { key };
      try {
        checkAborted(opts.signal, context);
        return await read(fileOf(key));
      } catch (error) {
        throw storeFailure('get', context, error);
      }
    },

    async getRange(key, range: RangeOptions) {
      assertValidKey(key);
      assertValidRange(range);
      const context = { key, offset: range.offset, length: range.length };
      try {
        checkAborted(range.signal, context);
        return await readRange(fileOf(key), range.offset, range.length);
      } catch (error) {
        throw storeFailure('getRange', context, error);
      }
    },

    async head(key, opts: OperationOptions = {}) {
      assertValidKey(key);
      const context = { key };
      try {
        checkAborted(opts.signal, context);
        const info = await stat(fileOf(key)).catch((error: unknown) => {
          if (NOT_FOUND.has(code(error) ?? '')) return undefined;
          throw error;
        });
        if (!info?.isFile()) return undefined;
        const out: ObjectInfo = { size: info.size, lastModified: info.mtime };
        return out;
      } catch (error) {
        throw storeFailure('head', context, error);
      }
    },

    async put(key, body, opts: PutOptions = {}) {
      assertValidKey(key);
      const { signal, ifMatch, ifNoneMatch } = opts;
      const context = { key };
      try {
        return await locked(key, signal, async (verify) => {
          const file = fileOf(key);
          if (ifMatch !== undefined || ifNoneMatch === '*') {
            const current = await read(file);
            if (ifNoneMatch === '*' && current !== undefined) {
              throw new PreconditionFailedError({ message: `store object already exists: ${key}`, context: { key, etag: current.etag } });
            }
            if (ifMatch !== undefined && current?.etag !== ifMatch) {
              throw new PreconditionFailedError({
                message: `store object changed since it was read: ${key}`,
                context: { key, expected: ifMatch, actual: current?.etag ?? null },
              });
            }
          }
          await writeAtomic(file, body, signal, verify);
          return { etag: etagOf(body) };
        });
      } catch (error) {
        throw storeFailure('put', context, error);
      }
    },

    async list(prefix, opts: OperationOptions = {}) {
      assertValidPrefix(prefix);
      const context = { prefix };
      try {
        checkAborted(opts.signal, context);
        const slash = prefix.lastIndexOf('/');
        const startDir = slash < 0 ? root : join(root, ...prefix.slice(0, slash).split('/'));
        const out: ListedObject[] = [];
        let entries;
        try {
          entries = await readdir(startDir, { withFileTypes: true, recursive: true });
        } catch (error) {
          if (NOT_FOUND.has(code(error) ?? '')) return [];
          throw error;
        }
        for (const entry of entries) {
          if (!entry.isFile()) continue;
          const full = join(entry.parentPath, entry.name);
          const key = full.slice(root.length + 1).split(sep).join('/');
          // Our temp and lock files, and anything inside a dot-directory, are not objects.
          if (key.split('/').some((s) => s.startsWith('.'))) continue;
          if (!key.startsWith(prefix)) continue;
          const info = await stat(full).catch(() => undefined);
          if (!info) continue; // deleted while listing
          out.push({ key, size: info.size, lastModified: info.mtime });
        }
        return out.sort((a, b) => compareKeys(a.key, b.key));
      } catch (error) {
        throw storeFailure('list', context, error);
      }
    },

    async delete(key, opts: OperationOptions = {}) {
      assertValidKey(key);
      const context = { key };
      try {
        // Nothing to delete, and no reason to create directories just to lock them.
        if (!(await stat(dirname(fileOf(key))).catch(() => undefined))) return;
        await locked(key, opts.signal, async () => {
          await unlink(fileOf(key)).catch((error: unknown) => {
            if (!NOT_FOUND.has(code(error) ?? '')) throw error;
          });
        });
      } catch (error) {
        throw storeFailure('delete', context, error);
      }
    },

    async ping(opts: OperationOptions = {}) {
      const context = { root };
      try {
        checkAborted(opts.signal, context);
        await mkdir(root, { recursive: true });
        await access(root, constants.R_OK | constants.W_OK | constants.X_OK);
      } catch (error) {
        throw storeFailure('ping', context, error);
      }
    },

    async close() {},
  };
}
